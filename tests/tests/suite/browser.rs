//! Real-browser end-to-end tests: headless Chromium signs in to the
//! `axum_login` example (run as a process, configured only by its documented
//! environment variables) at the dev provider. The provider is on
//! `http://127.0.0.1:PORT` and the app on `http://localhost:PORT`: different
//! sites, so the `form_post` callback is a genuine cross-site POST.
//!
//! Screenshots of the provider's pages and the signed-in page are saved in
//! `tests/artifacts/`.

use oidc_core::SealingKey;
use oidc_dev_provider::{DevClient, DevProvider};
use tests::chrome::Chrome;
use tests::processes::{Running, example, free_port, start};

struct Setup {
    provider: DevProvider,
    apps: Vec<(String, Running)>,
}

impl Setup {
    /// The dev provider and one app per port in `ports`, all sharing
    /// `redirect_port`'s callback and one sealing key.
    async fn start(mode: &str, app_count: usize) -> Setup {
        let provider = DevProvider::builder().start().await.unwrap();
        let ports: Vec<u16> = (0..app_count).map(|_| free_port()).collect();
        // Every instance uses the last one's callback: a login started on
        // one instance can finish on another.
        let redirect_uri = format!("http://localhost:{}/callback", ports[app_count - 1]);
        provider
            .register_client(
                DevClient::confidential("browser-app", "browser-secret")
                    .redirect_uri(&redirect_uri),
            )
            .unwrap();
        let key = SealingKey::generate().unwrap().to_base64();
        let binary = example("axum_login");
        let apps = ports
            .iter()
            .map(|port| {
                let env = [
                    ("OIDC_ISSUER", provider.issuer_str().to_owned()),
                    ("OIDC_CLIENT_ID", "browser-app".to_owned()),
                    ("OIDC_CLIENT_SECRET", "browser-secret".to_owned()),
                    ("OIDC_REDIRECT_URI", redirect_uri.clone()),
                    ("OIDC_RESPONSE_MODE", mode.to_owned()),
                    ("APP_ADDR", format!("127.0.0.1:{port}")),
                    ("APP_COOKIE_KEY", key.clone()),
                ];
                let running = start(&binary, &[], &env, "listening on");
                (format!("http://localhost:{port}"), running)
            })
            .collect();
        Setup { provider, apps }
    }

    fn app(&self) -> &str {
        &self.apps[0].0
    }
}

/// Signs in from the app's home page and checks the signed-in page.
async fn sign_in(chrome: &Chrome, app: &str, email: &str) {
    chrome.goto(app).await;
    chrome.click("#sign-in").await;
    chrome.fill("#email", email).await;
    chrome.click("#continue").await;
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, email);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn sign_in_with_form_post_across_sites() {
    let setup = Setup::start("form_post", 1).await;
    let chrome = Chrome::start().await;
    chrome.goto(setup.app()).await;
    chrome.click("#sign-in").await;
    // The provider's page, on the other site.
    chrome.wait_for("#sign-in-form").await;
    assert!(
        chrome
            .url()
            .await
            .as_str()
            .starts_with(setup.provider.issuer_str())
    );
    chrome.screenshot("provider-sign-in").await;
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    // The form_post page submits itself to the app's callback, whose
    // pending-login cookie (SameSite=None; Secure) the browser sent.
    let sub = chrome.text("#sub").await;
    let alice = setup
        .provider
        .users()
        .into_iter()
        .find(|u| u.email == "alice@example.com")
        .unwrap();
    assert_eq!(sub, alice.sub);
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, "alice@example.com");
    assert_eq!(chrome.url().await.as_str(), format!("{}/", setup.app()));
    // Chromium keeps `__Host-` cookies from http://localhost (a secure
    // context): the session cookie is there, and the pending login's is gone.
    let names: Vec<String> = chrome
        .client
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    assert!(names.iter().any(|n| n == "__Host-session"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("__Host-oidc_pending_")),
        "{names:?}"
    );
    chrome.screenshot("app-signed-in").await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn sign_in_with_query_mode() {
    let setup = Setup::start("query", 1).await;
    let chrome = Chrome::start().await;
    sign_in(&chrome, setup.app(), "alice@example.com").await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn create_an_account() {
    let setup = Setup::start("form_post", 1).await;
    let chrome = Chrome::start().await;
    chrome.goto(setup.app()).await;
    chrome.click("#create-account").await;
    chrome.wait_for("#create-form").await;
    chrome.screenshot("provider-create-account").await;
    chrome.fill("#email", "carol@example.com").await;
    chrome.fill("#name", "Carol").await;
    chrome.click("#create-account").await;
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, "carol@example.com");
    let carol = setup
        .provider
        .users()
        .into_iter()
        .find(|u| u.email == "carol@example.com");
    assert_eq!(
        chrome.text("#sub").await,
        carol.expect("the account was created").sub
    );
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn cancel_at_the_provider() {
    let setup = Setup::start("form_post", 1).await;
    let chrome = Chrome::start().await;
    chrome.goto(setup.app()).await;
    chrome.click("#sign-in").await;
    chrome.click("#cancel").await;
    let error = chrome.text("#error").await;
    assert!(error.contains("access_denied"), "{error}");
    chrome.screenshot("app-cancelled").await;
    chrome.goto(setup.app()).await;
    chrome.wait_for("#sign-in").await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn two_tabs_sign_in_at_once() {
    let setup = Setup::start("form_post", 1).await;
    let chrome = Chrome::start().await;
    let client = &chrome.client;
    // Tab 1 starts a login and stops at the provider.
    chrome.goto(&format!("{}/login", setup.app())).await;
    chrome.wait_for("#sign-in-form").await;
    let first_tab = client.window().await.unwrap();
    // Tab 2 starts another login (another pending cookie) and finishes it.
    let second_tab = client.new_window(true).await.unwrap().handle;
    client.switch_to_window(second_tab).await.unwrap();
    chrome.goto(&format!("{}/login", setup.app())).await;
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, "alice@example.com");
    // Tab 1 finishes its own login afterwards, with its own cookie.
    client.switch_to_window(first_tab).await.unwrap();
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, "alice@example.com");
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn sign_out() {
    let setup = Setup::start("form_post", 1).await;
    let chrome = Chrome::start().await;
    sign_in(&chrome, setup.app(), "alice@example.com").await;
    chrome.click("#logout").await;
    // The provider's end-session endpoint ends its side too.
    chrome.wait_for_url(setup.provider.issuer_str()).await;
    chrome.goto(setup.app()).await;
    chrome.wait_for("#sign-in").await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn a_login_started_on_one_instance_finishes_on_another() {
    let setup = Setup::start("form_post", 2).await;
    let (first, second) = (&setup.apps[0].0, &setup.apps[1].0);
    let chrome = Chrome::start().await;
    // Started on the first instance...
    chrome.goto(&format!("{first}/login")).await;
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    // ...the callback is served by the second, which opens the first one's
    // sealed cookie with the shared key.
    chrome.wait_for("#sub").await;
    assert_eq!(chrome.text("#email").await, "alice@example.com");
    assert_eq!(chrome.url().await.as_str(), format!("{second}/"));
    chrome.close().await;
}

/// The `multi_provider` example: the chooser page, a sign-in with each of
/// its two providers, the per-provider page sending a user of the other
/// provider to its own login and back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's chromium and chromium-driver; run by scripts/test-all.sh"]
async fn sign_in_with_either_of_two_providers() {
    let (app_port, alpha_port, beta_port) = (free_port(), free_port(), free_port());
    let env = [
        ("APP_ADDR", format!("127.0.0.1:{app_port}")),
        ("ALPHA_PROVIDER_ADDR", format!("127.0.0.1:{alpha_port}")),
        ("BETA_PROVIDER_ADDR", format!("127.0.0.1:{beta_port}")),
    ];
    let _app = start(&example("multi_provider"), &[], &env, "listening on");
    let app = format!("http://localhost:{app_port}");
    let alpha = format!("http://127.0.0.1:{alpha_port}");
    let beta = format!("http://127.0.0.1:{beta_port}");
    let chrome = Chrome::start().await;

    // The chooser; Alpha's page, then back with a form_post to Alpha's callback.
    chrome.goto(&app).await;
    chrome.wait_for("#sign-in-beta").await;
    chrome.screenshot("multi-provider-chooser").await;
    chrome.click("#sign-in-alpha").await;
    chrome.wait_for("#sign-in-form").await;
    assert!(chrome.url().await.as_str().starts_with(&alpha));
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    assert_eq!(chrome.text("#provider").await, "Alpha ID");
    assert_eq!(chrome.text("#email").await, "alice@example.com");
    let alpha_sub = chrome.text("#sub").await;
    chrome.screenshot("multi-provider-signed-in-alpha").await;

    // Sign out goes through Alpha's end-session endpoint, which sends the
    // browser back to the chooser (the registered post-logout URI).
    chrome.click("#logout").await;
    chrome.wait_for("#sign-in-alpha").await;
    assert_eq!(chrome.url().await.as_str(), format!("{app}/"));

    // Beta, from the chooser.
    chrome.click("#sign-in-beta").await;
    chrome.wait_for("#sign-in-form").await;
    assert!(chrome.url().await.as_str().starts_with(&beta));
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    assert_eq!(chrome.text("#provider").await, "Beta Accounts");
    let beta_sub = chrome.text("#sub").await;
    assert_ne!(alpha_sub, beta_sub, "two providers, two subjects");

    // Alpha's page: a Beta user is sent to Alpha's login, and comes back.
    chrome.goto(&format!("{app}/alpha")).await;
    chrome.wait_for("#sign-in-form").await;
    assert!(chrome.url().await.as_str().starts_with(&alpha));
    chrome.fill("#email", "alice@example.com").await;
    chrome.click("#continue").await;
    assert_eq!(chrome.text("#alpha-sub").await, alpha_sub);
    assert_eq!(chrome.url().await.as_str(), format!("{app}/alpha"));
    chrome.goto(&app).await;
    assert_eq!(chrome.text("#provider").await, "Alpha ID");
    chrome.close().await;
}
