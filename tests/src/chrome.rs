//! Headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`), for the real-browser suite.

use crate::processes::{Running, free_port, start};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// One browser at a time: the machine may have two cores, and several
/// Chromium instances in parallel make page loads slow and tests flaky.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A Chromium session with its own ChromeDriver and an empty profile.
pub struct Chrome {
    /// The WebDriver client.
    pub client: Client,
    _driver: Running,
    profile: PathBuf,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Chrome {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile.
    /// Panics with an installation hint if either is missing.
    pub async fn start() -> Chrome {
        let turn = ONE_AT_A_TIME.lock().await;
        for program in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                std::path::Path::new(program).exists(),
                "{program} is missing: install Debian's chromium and chromium-driver \
                 (scripts/test-all.sh does)"
            );
        }
        static PROFILES: AtomicU32 = AtomicU32::new(0);
        let profile = std::env::temp_dir().join(format!(
            "oidc-tests-chrome-{}-{}",
            std::process::id(),
            PROFILES.fetch_add(1, Ordering::Relaxed)
        ));
        let port = free_port();
        let driver = start(
            &PathBuf::from("/usr/bin/chromedriver"),
            &[&format!("--port={port}")],
            &[],
            "started successfully",
        );
        // The flags keep Chromium off the (closed) network and quiet.
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1200,900".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "chrome".into());
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
        );
        let client = ClientBuilder::rustls()
            .expect("a WebDriver HTTP client")
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Chrome {
            client,
            _driver: driver,
            profile,
            _turn: turn,
        }
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Waits (up to 20 s) for an element.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let source = self.client.source().await.unwrap_or_default();
                panic!("`{css}` did not appear on {url}: {e}\n{source}")
            }
        }
    }

    /// Clicks an element once it is there.
    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Types into an input, replacing its value.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.wait_for(css).await;
        element.clear().await.expect("the input can be cleared");
        element.send_keys(text).await.expect("the input takes keys");
    }

    /// The text of an element once it is there. Retries while the page is
    /// being replaced under it (a stale element during a navigation).
    pub async fn text(&self, css: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            match self.wait_for(css).await.text().await {
                Ok(text) => return text,
                Err(_) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot read the text of {css}: {e}"),
            }
        }
    }

    /// Waits (up to 20 s) until the current URL starts with `prefix`.
    pub async fn wait_for_url(&self, prefix: &str) -> url::Url {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.url().await;
            if url.as_str().starts_with(prefix) {
                return url;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still at {url}, expected a URL starting with {prefix}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The current URL.
    pub async fn url(&self) -> url::Url {
        self.client.current_url().await.expect("a current URL")
    }

    /// Saves a screenshot of the page as `tests/artifacts/NAME.png` and
    /// returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
        std::fs::create_dir_all(&dir).expect("the artifacts folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot is written");
        path
    }

    /// Ends the browser session.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}
