//! Several instances and one Redis (issue 14, items 3 and 4): two
//! `axum_login` processes on different ports, configured only by their
//! documented variables, sharing one `redis-server` (started per test) and
//! one `APP_COOKIE_KEY`, behave as one site. Also, in process: one refresh
//! across instances (the Redis refresh lock), and what a Redis outage does
//! to a signed-in request.
//!
//! Browsers do not tell cookies apart by port, so one browser's session
//! cookie for `localhost` reaches both instances, as it reaches every
//! instance behind a load balancer. The client's one redirect URI points at
//! the second instance (B): a login started on A finishes on B.

mod in_process;

use oidc_core::SealingKey;
use oidc_dev_provider::{DevClient, DevProvider};
use reqwest::StatusCode;
use tests::browser::{Browser, Page};
use tests::chrome::Chrome;
use tests::dev_login::{Delivered, UserAction, authorize, deliver};
use tests::processes::{Running, example, free_port, start};
use tests::redis::RedisServer;
use url::Url;

const ALICE: &str = "alice@example.com";

/// One `axum_login` process (`None` while stopped) and its address.
struct Instance {
    port: u16,
    process: Option<Running>,
}

impl Instance {
    fn base(&self) -> String {
        format!("http://localhost:{}", self.port)
    }
}

/// The dev provider, one Redis, and two instances A and B of `axum_login`.
struct Site {
    provider: DevProvider,
    redis: RedisServer,
    key: String,
    redirect_uri: String,
    instances: Vec<Instance>,
}

impl Site {
    /// Starts everything; the client's redirect URI and back-channel logout
    /// URI are B's.
    async fn start(mode: &str) -> Site {
        let provider = DevProvider::builder().start().await.unwrap();
        let redis = RedisServer::start();
        let ports = [free_port(), free_port()];
        let b = format!("http://localhost:{}", ports[1]);
        let redirect_uri = format!("{b}/callback");
        provider
            .register_client(
                DevClient::confidential("scaled-app", "scaled-secret")
                    .redirect_uri(&redirect_uri)
                    .backchannel_logout_uri(format!("{b}/backchannel-logout")),
            )
            .unwrap();
        let mut site = Site {
            provider,
            redis,
            key: SealingKey::generate().unwrap().to_base64(),
            redirect_uri,
            instances: ports
                .iter()
                .map(|&port| Instance {
                    port,
                    process: None,
                })
                .collect(),
        };
        for index in 0..site.instances.len() {
            site.launch(index, mode);
        }
        site
    }

    /// Starts instance `index` (again) on its port.
    fn launch(&mut self, index: usize, mode: &str) {
        let port = self.instances[index].port;
        let env = [
            ("OIDC_ISSUER", self.provider.issuer_str().to_owned()),
            ("OIDC_CLIENT_ID", "scaled-app".to_owned()),
            ("OIDC_CLIENT_SECRET", "scaled-secret".to_owned()),
            ("OIDC_REDIRECT_URI", self.redirect_uri.clone()),
            ("OIDC_RESPONSE_MODE", mode.to_owned()),
            ("APP_ADDR", format!("127.0.0.1:{port}")),
            ("APP_COOKIE_KEY", self.key.clone()),
            ("APP_REDIS_URL", self.redis.url()),
            (
                "APP_BACKCHANNEL_LOGOUT_PATH",
                "/backchannel-logout".to_owned(),
            ),
        ];
        let process = start(&example("axum_login"), &[], &env, "listening on");
        self.instances[index].process = Some(process);
    }

    /// Kills instance `index` (its sessions' only copy would be gone with
    /// an in-memory store).
    fn kill(&mut self, index: usize) {
        self.instances[index].process = None;
    }

    fn a(&self) -> String {
        self.instances[0].base()
    }

    fn b(&self) -> String {
        self.instances[1].base()
    }

    /// How many requests reached the provider's token endpoint.
    fn token_requests(&self) -> usize {
        self.provider
            .requests()
            .iter()
            .filter(|request| request.path == "/token")
            .count()
    }

    fn sub_of(&self, email: &str) -> String {
        self.provider
            .users()
            .into_iter()
            .find(|user| user.email == email)
            .unwrap()
            .sub
    }

    /// Alice starts a login at A and lets the provider answer; returns what
    /// her browser will deliver to the redirect URI, not yet delivered.
    async fn start_login_at_a(&self, browser: &Browser) -> Delivered {
        let start = browser.get(format!("{}/login", self.a())).await.unwrap();
        assert_eq!(start.status(), StatusCode::SEE_OTHER, "{}", start.body());
        let authorization_url = start.location().unwrap();
        let (delivered, _) = authorize(
            browser,
            &authorization_url,
            &self.redirect_uri,
            UserAction::SignIn(ALICE),
        )
        .await
        .unwrap();
        delivered
    }

    /// A login started on A and finished on B, asserted successful.
    async fn sign_in(&self, browser: &Browser) {
        let delivered = self.start_login_at_a(browser).await;
        let done = deliver(browser, &self.redirect_uri, &delivered)
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    }
}

/// Who the home page of `base` says is signed in (`None`: the visitor page).
async fn signed_in_at(browser: &Browser, base: &str) -> Option<String> {
    let home: Page = browser.get(base).await.unwrap();
    assert_eq!(home.status(), StatusCode::OK, "{}", home.body());
    if home.contains("#sign-in").unwrap() {
        return None;
    }
    Some(home.texts("#email").unwrap().concat())
}

/// A login started on A finishes on B (B opens A's sealed pending-login
/// cookie with the shared key), and the session it starts is seen on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_started_on_a_finishes_on_b_and_is_seen_on_both() {
    let site = Site::start("form_post").await;
    let browser = Browser::new();
    site.sign_in(&browser).await;
    assert_eq!(
        signed_in_at(&browser, &site.b()).await.as_deref(),
        Some(ALICE)
    );
    assert_eq!(
        signed_in_at(&browser, &site.a()).await.as_deref(),
        Some(ALICE),
        "A sees the session B started"
    );
}

/// A callback that A completed, replayed on B (with the pending-login
/// cookie it came with) is refused by B before the code reaches the
/// provider again: the used `state` is recorded in Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_replayed_on_b_after_a_completed_it_is_refused() {
    let site = Site::start("form_post").await;
    let browser = Browser::new();
    let delivered = site.start_login_at_a(&browser).await;
    let callback = Url::parse(&site.redirect_uri).unwrap();
    let cookies = browser
        .cookies_for(&callback)
        .expect("the pending-login cookie");
    site.provider.clear_requests();
    // A load balancer may send the callback's URL to either instance; here A.
    let done = browser
        .post_form(format!("{}/callback", site.a()), delivered.params())
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(site.token_requests(), 1);
    // The same request again, at B, from a browser that kept everything.
    let replay = Browser::new()
        .post_form_with(
            format!("{}/callback", site.b()),
            &[("cookie", &cookies)],
            delivered.params(),
        )
        .await
        .unwrap();
    assert!(
        replay.status().is_client_error(),
        "{}: {}",
        replay.status(),
        replay.body()
    );
    assert_eq!(
        site.token_requests(),
        1,
        "B refused the replay before spending the code"
    );
    // Alice's session is untouched.
    assert_eq!(
        signed_in_at(&browser, &site.a()).await.as_deref(),
        Some(ALICE)
    );
}

/// A back-channel logout delivered to B ends the session on A: B records
/// it in the registry on Redis, which A reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_channel_logout_delivered_to_b_ends_the_session_on_a() {
    let site = Site::start("form_post").await;
    let browser = Browser::new();
    site.sign_in(&browser).await;
    assert_eq!(
        signed_in_at(&browser, &site.a()).await.as_deref(),
        Some(ALICE)
    );
    // The provider posts the logout token to B (the registered URI).
    site.provider.backchannel_logout(&site.sub_of(ALICE)).await;
    assert_eq!(signed_in_at(&browser, &site.a()).await, None);
    assert_eq!(signed_in_at(&browser, &site.b()).await, None);
}

/// Killing and restarting an instance loses no session: it lives in Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_and_restarting_an_instance_loses_no_session() {
    let mut site = Site::start("query").await;
    let browser = Browser::new();
    site.sign_in(&browser).await;
    site.kill(0);
    site.kill(1);
    site.launch(0, "query");
    assert_eq!(
        signed_in_at(&browser, &site.a()).await.as_deref(),
        Some(ALICE),
        "the restarted instance knows the session"
    );
    site.launch(1, "query");
    assert_eq!(
        signed_in_at(&browser, &site.b()).await.as_deref(),
        Some(ALICE)
    );
}

/// A Redis that cannot be reached stops `axum_login` at start, naming the
/// variable and never echoing the URL (it may hold the password).
#[test]
fn an_unreachable_redis_stops_axum_login_without_echoing_its_url() {
    let url = format!("redis://:hunter2-secret@127.0.0.1:{}", free_port());
    let output = std::process::Command::new(example("axum_login"))
        .env_clear()
        .env("OIDC_ISSUER", "http://127.0.0.1:1")
        .env("OIDC_CLIENT_ID", "id")
        .env("OIDC_CLIENT_SECRET", "secret")
        .env("OIDC_REDIRECT_URI", "http://localhost:3000/callback")
        .env("APP_REDIS_URL", &url)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stderr.contains("APP_REDIS_URL"), "{stderr}");
    assert!(
        !stderr.contains("hunter2") && !stdout.contains("hunter2"),
        "{stderr}"
    );
}

/// In a real browser: a login started on A finishes on B, and the session
/// is seen on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium, chromedriver and redis-server; run by the README test command"]
async fn in_a_browser_a_login_started_on_a_finishes_on_b_and_is_seen_on_both() {
    let site = Site::start("form_post").await;
    let chrome = Chrome::start().await;
    chrome.goto(&site.a()).await;
    chrome.click("#sign-in").await;
    chrome.fill("#email", ALICE).await;
    chrome.click("#continue").await;
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.url().await.as_str(), format!("{}/", site.b()));
    assert_eq!(chrome.text("#email").await, ALICE);
    chrome.goto(&site.a()).await;
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, ALICE);
    assert_eq!(chrome.text("#sub").await, site.sub_of(ALICE));
    chrome.close().await;
}
