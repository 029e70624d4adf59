//! The axum glue over real loopback HTTP: an app built with `Oidc` routes,
//! the dev provider, and the test playing the browser.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use oidc_core::ResponseMode;
use oidc_core::web::{LoginRejected, Oidc, SignedIn, WhenSignedOut, memory_session_layer};
use reqwest::StatusCode;
use tests::browser::{Browser, Page};
use tests::dev_login::{Delivered, UserAction, authorize, deliver};
use tests::fixture::{Fixture, Site, USER, sign_in_at};
use tower_sessions::Session;

use crate::support::glue;

struct App {
    base: String,
    redirect_uri: String,
    provider: Fixture,
}

async fn home(user: Option<SignedIn>) -> Html<String> {
    Html(match user {
        Some(user) => format!(
            "<p id=sub>{}</p><p id=email>{}</p>",
            user.sub(),
            user.email().unwrap_or("")
        ),
        None => "<p id=visitor>signed out</p>".into(),
    })
}

async fn private(user: SignedIn) -> String {
    format!("private page of {}", user.sub())
}

async fn touch(session: Session) -> &'static str {
    let _ = session.insert("visited", true).await;
    "ok"
}

async fn visited(session: Session) -> &'static str {
    match session.get::<bool>("visited").await {
        Ok(Some(true)) => "visited",
        _ => "fresh",
    }
}

/// Starts the dev provider and an app on `localhost` (a different site than
/// the provider's `127.0.0.1`), with `customize` applied to the glue.
async fn start(mode: ResponseMode, customize: impl FnOnce(Oidc) -> Oidc) -> App {
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let provider = Fixture::builder("web-app", "web-secret", &redirect_uri)
        .client(|c| c.post_logout_redirect_uri(site.url("/")))
        .start()
        .await;
    let config = provider.config().response_mode(mode);
    let oidc = customize(Oidc::discover(config).await.unwrap());
    let app = Router::new()
        .route("/", get(home))
        .route("/private", get(private))
        .route("/touch", get(touch))
        .route("/visited", get(visited))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    let base = site.serve(app);
    App {
        base,
        redirect_uri,
        provider,
    }
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET /login{query}, act at the provider, deliver the response to the
    /// app like a browser, and return the app's answer.
    async fn login(&self, browser: &Browser, query: &str, action: UserAction<'_>) -> Page {
        let login_url = self.url(&format!("/login{query}"));
        sign_in_at(browser, &login_url, &self.redirect_uri, action)
            .await
            .page
    }

    async fn deliver(&self, browser: &Browser, delivered: &Delivered) -> Page {
        deliver(browser, &self.redirect_uri, delivered)
            .await
            .unwrap()
    }

    async fn home(&self, browser: &Browser) -> Page {
        browser.get(self.url("/")).await.unwrap()
    }
}

fn alice(app: &App) -> String {
    app.provider.sub_of(USER)
}

#[tokio::test]
async fn form_post_login_starts_a_session() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    let done = app
        .login(&browser, "", UserAction::SignIn("alice@example.com"))
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(done.location().unwrap().path(), "/");
    let home = app.home(&browser).await;
    assert_eq!(home.texts("#sub").unwrap(), vec![alice(&app)]);
    assert_eq!(
        home.texts("#email").unwrap(),
        vec!["alice@example.com".to_owned()]
    );
}

#[tokio::test]
async fn query_login_starts_a_session() {
    let app = start(ResponseMode::Query, |o| o).await;
    let browser = Browser::new();
    let done = app
        .login(&browser, "", UserAction::SignIn("alice@example.com"))
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(
        app.home(&browser).await.texts("#sub").unwrap(),
        vec![alice(&app)]
    );
}

#[tokio::test]
async fn the_pending_login_cookie_has_the_attributes_form_post_needs() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let page = Browser::new().get(app.url("/login")).await.unwrap();
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-oidc_pending_"))
        .expect("a pending-login cookie named __Host-...");
    for attribute in ["SameSite=None", "Secure", "HttpOnly", "Path=/;", "Max-Age="] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
    // `__Host-`: no Domain, so a sibling subdomain cannot plant one.
    assert!(!cookie.contains("Domain"), "{cookie}");
}

/// The Set-Cookie headers of a page.
fn set_cookies(page: &Page) -> Vec<String> {
    page.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_session_cookie_is_a_host_cookie() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let page = Browser::new().get(app.url("/touch")).await.unwrap();
    let cookie = set_cookies(&page)
        .into_iter()
        .find(|c| c.starts_with("__Host-session="))
        .expect("a session cookie named __Host-session");
    for attribute in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

/// The `state` of the login a `/login` redirect starts.
fn state_of(login: &Page) -> String {
    let location = login.location().expect("a redirect to the provider");
    location
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state")
}

/// The pending-login cookies `browser` would send to `app`.
fn pending_cookies(app: &App, browser: &Browser) -> usize {
    browser
        .cookies_for(&url::Url::parse(&app.redirect_uri).unwrap())
        .unwrap_or_default()
        .split("; ")
        .filter(|c| c.starts_with("__Host-oidc_pending_"))
        .count()
}

#[tokio::test]
async fn a_browser_holds_five_pending_logins_at_most_and_the_oldest_goes() {
    let app = start(ResponseMode::Query, |o| o).await;
    let browser = Browser::new();
    let mut logins = Vec::new();
    for _ in 0..7 {
        logins.push(browser.get(app.url("/login")).await.unwrap());
        // Distinct start times (milliseconds) order the logins.
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    assert_eq!(pending_cookies(&app, &browser), 5);
    // The oldest login lost its cookie: its callback is refused...
    let (first, _) = authorize(
        &browser,
        &logins[0].location().unwrap(),
        &app.redirect_uri,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();
    let refused = app.deliver(&browser, &first).await;
    assert_eq!(
        refused.status(),
        StatusCode::BAD_REQUEST,
        "{}",
        refused.body()
    );
    // ...the newest finishes.
    let (last, _) = authorize(
        &browser,
        &logins[6].location().unwrap(),
        &app.redirect_uri,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();
    let done = app.deliver(&browser, &last).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(pending_cookies(&app, &browser), 4);
}

#[tokio::test]
async fn a_login_starts_only_for_a_top_level_navigation() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    for headers in [
        [("sec-fetch-mode", "no-cors"), ("sec-fetch-dest", "image")],
        [("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty")],
        [("sec-fetch-mode", "navigate"), ("sec-fetch-dest", "iframe")],
    ] {
        let page = browser.get_with(app.url("/login"), &headers).await.unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(set_cookies(&page).is_empty(), "{headers:?}");
    }
    assert_eq!(pending_cookies(&app, &browser), 0);
    let page = browser
        .get_with(
            app.url("/login"),
            &[
                ("sec-fetch-mode", "navigate"),
                ("sec-fetch-dest", "document"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(pending_cookies(&app, &browser), 1);
}

#[tokio::test]
async fn the_web_limits_are_configurable_and_checked() {
    let app = start(ResponseMode::Query, |o| {
        o.max_return_to_len(16)
            .unwrap()
            .max_pending_logins(1)
            .unwrap()
    })
    .await;
    let browser = Browser::new();
    let long = browser
        .get(app.url("/login?return_to=/0123456789abcdef"))
        .await
        .unwrap();
    assert_eq!(long.status(), StatusCode::BAD_REQUEST);
    let fits = browser
        .get(app.url("/login?return_to=/0123456789abcde"))
        .await
        .unwrap();
    assert_eq!(fits.status(), StatusCode::SEE_OTHER);
    browser.get(app.url("/login")).await.unwrap();
    assert_eq!(pending_cookies(&app, &browser), 1);

    let oidc = Oidc::discover(app.provider.config()).await.unwrap();
    for bad in [
        oidc.clone().max_pending_logins(0).err(),
        oidc.clone().max_pending_logins(21).err(),
        oidc.clone().max_return_to_len(0).err(),
        oidc.clone().max_return_to_len(2049).err(),
    ] {
        assert!(
            matches!(bad, Some(oidc_core::ConfigError::WebLimit { .. })),
            "{bad:?}"
        );
    }
}

fn no_store(page: &Page) -> bool {
    page.headers()
        .get("cache-control")
        .is_some_and(|v| v == "no-store")
}

#[tokio::test]
async fn error_pages_show_no_attacker_chosen_text() {
    let app = start(ResponseMode::Query, |o| o).await;
    let browser = Browser::new();
    let page = browser
        .get(app.url("/login?prompt=EVIL_PROMPT_MARKER"))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(
        !page.body().contains("EVIL_PROMPT_MARKER"),
        "{}",
        page.body()
    );
    assert!(no_store(&page));

    // Callbacks for a real pending login, with what an attacker (or a
    // hostile provider) chose in them.
    let callback = |query: String| {
        let browser = browser.clone();
        let login = app.url("/login");
        let redirect_uri = app.redirect_uri.clone();
        let iss: String =
            url::form_urlencoded::byte_serialize(app.provider.issuer_str().as_bytes()).collect();
        async move {
            let state = state_of(&browser.get(login).await.unwrap());
            let query = format!("{}&iss={iss}", query.replace("STATE", &state));
            browser
                .get(format!("{redirect_uri}?{query}"))
                .await
                .unwrap()
        }
    };
    let described = callback(
        "state=STATE&error=access_denied&error_description=EVIL_DESCRIPTION_MARKER".into(),
    )
    .await;
    assert_eq!(described.status(), StatusCode::FORBIDDEN);
    assert!(
        described.body().contains("access_denied"),
        "{}",
        described.body()
    );
    assert!(!described.body().contains("EVIL_DESCRIPTION_MARKER"));
    assert!(no_store(&described));
    let unknown = callback("state=STATE&error=EVIL_CODE_MARKER".into()).await;
    assert!(
        !unknown.body().contains("EVIL_CODE_MARKER"),
        "{}",
        unknown.body()
    );
    let repeated =
        callback("state=STATE&code=c&EVIL_NAME_MARKER=1&EVIL_NAME_MARKER=2".into()).await;
    assert_eq!(repeated.status(), StatusCode::BAD_REQUEST);
    assert!(
        !repeated.body().contains("EVIL_NAME_MARKER"),
        "{}",
        repeated.body()
    );
    let injected = callback("state=STATE&code=c&access_token=EVIL_TOKEN_MARKER".into()).await;
    assert!(
        !injected.body().contains("EVIL_TOKEN_MARKER"),
        "{}",
        injected.body()
    );
}

#[tokio::test]
async fn transport_errors_are_not_shown() {
    use oidc_dev_provider::{Endpoint, Fault, HttpFault};
    let app = start(ResponseMode::Query, |o| o).await;
    app.provider.inject(Fault::http(
        Endpoint::Token,
        HttpFault::Redirect {
            status: 302,
            location: "http://evil.example/EVIL_LOCATION_MARKER".into(),
        },
    ));
    let browser = Browser::new();
    let done = app.login(&browser, "", UserAction::SignIn(USER)).await;
    assert!(done.status().is_server_error(), "{}", done.body());
    let token_endpoint = format!("{}/token", app.provider.issuer_str());
    for secret in [
        "EVIL_LOCATION_MARKER",
        "evil.example",
        token_endpoint.as_str(),
    ] {
        assert!(!done.body().contains(secret), "{secret} in {}", done.body());
    }
    assert!(no_store(&done));
}

#[tokio::test]
async fn login_and_callback_responses_are_not_stored() {
    let app = start(ResponseMode::Query, |o| o).await;
    let browser = Browser::new();
    let login = browser.get(app.url("/login")).await.unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert!(no_store(&login));
    let (delivered, _) = authorize(
        &browser,
        &login.location().unwrap(),
        &app.redirect_uri,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();
    let done = app.deliver(&browser, &delivered).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(no_store(&done));
}

#[tokio::test]
async fn create_account_through_the_login_route() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    let done = app
        .login(
            &browser,
            "?prompt=create",
            UserAction::Create("bob@example.com"),
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    let home = app.home(&browser).await;
    assert_eq!(
        home.texts("#email").unwrap(),
        vec!["bob@example.com".to_owned()]
    );
}

#[tokio::test]
async fn cancelling_shows_the_error_and_starts_no_session() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    let done = app.login(&browser, "", UserAction::Cancel).await;
    assert_eq!(done.status(), StatusCode::FORBIDDEN);
    assert!(done.body().contains("access_denied"), "{}", done.body());
    assert!(app.home(&browser).await.contains("#visitor").unwrap());
}

#[tokio::test]
async fn return_to_brings_the_user_back_and_only_to_local_paths() {
    let app = start(ResponseMode::Query, |o| o).await;
    let browser = Browser::new();
    let done = app
        .login(
            &browser,
            "?return_to=%2Fprivate%3Fx%3D1",
            UserAction::SignIn("alice@example.com"),
        )
        .await;
    assert_eq!(done.location().unwrap().path(), "/private");
    assert_eq!(done.location().unwrap().query(), Some("x=1"));

    for evil in [
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let page = browser
            .get(app.url(&format!("/login?return_to={evil}")))
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{evil}");
    }
}

#[tokio::test]
async fn a_protected_route_redirects_visitors_to_login() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let page = Browser::new().get(app.url("/private")).await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let location = page.location().unwrap();
    assert_eq!(location.path(), "/login");
    assert_eq!(location.query(), Some("return_to=%2Fprivate"));

    let api = start(ResponseMode::FormPost, |o| {
        o.when_signed_out(WhenSignedOut::Unauthorized)
    })
    .await;
    let page = Browser::new().get(api.url("/private")).await.unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    browser.get(app.url("/touch")).await.unwrap();
    let session_of = |browser: &Browser| {
        browser
            .cookies_for(&url::Url::parse(&app.base).unwrap())
            .unwrap_or_default()
            .split("; ")
            .find_map(|c| c.strip_prefix("__Host-session=").map(str::to_owned))
    };
    let before = session_of(&browser).expect("a session before login");
    app.login(&browser, "", UserAction::SignIn("alice@example.com"))
        .await;
    let after = session_of(&browser).expect("a session after login");
    assert_ne!(before, after, "the session id must be rotated at login");
    assert!(app.home(&browser).await.contains("#sub").unwrap());
}

#[tokio::test]
async fn the_session_starts_empty_at_login() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    browser.get(app.url("/touch")).await.unwrap();
    let before = browser.get(app.url("/visited")).await.unwrap();
    assert_eq!(before.body(), "visited");
    app.login(&browser, "", UserAction::SignIn(USER)).await;
    // What was stored before sign-in (by anyone who fixed the id) is gone.
    let after = browser.get(app.url("/visited")).await.unwrap();
    assert_eq!(after.body(), "fresh");
    assert!(app.home(&browser).await.contains("#sub").unwrap());
}

#[tokio::test]
async fn a_forged_or_replayed_callback_starts_no_session() {
    let app = start(ResponseMode::Query, |o| o).await;
    let browser = Browser::new();
    let start_page = browser.get(app.url("/login")).await.unwrap();
    let (delivered, _) = authorize(
        &browser,
        &start_page.location().unwrap(),
        &app.redirect_uri,
        UserAction::SignIn("alice@example.com"),
    )
    .await
    .unwrap();
    let Delivered::Query(url) = &delivered else {
        panic!()
    };

    // Another browser (no pending-login cookie) cannot use the response.
    let attacker = Browser::new();
    let page = attacker.get(url.as_str()).await.unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(app.home(&attacker).await.contains("#visitor").unwrap());

    // The real browser can, once.
    let first = app.deliver(&browser, &delivered).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER, "{}", first.body());
    let replay = app.deliver(&browser, &delivered).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_login_hook_can_refuse_a_user() {
    let app = start(ResponseMode::FormPost, |o| {
        o.on_login(|user| async move {
            if user.email.as_deref() == Some("alice@example.com") {
                Err(LoginRejected::forbidden("alice is not allowed here"))
            } else {
                Ok(())
            }
        })
    })
    .await;
    let browser = Browser::new();
    let done = app
        .login(&browser, "", UserAction::SignIn("alice@example.com"))
        .await;
    assert_eq!(done.status(), StatusCode::FORBIDDEN);
    assert!(done.body().contains("alice is not allowed here"));
    assert!(app.home(&browser).await.contains("#visitor").unwrap());
}

#[tokio::test]
async fn logout_ends_the_session_and_the_providers() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    app.login(&browser, "", UserAction::SignIn("alice@example.com"))
        .await;
    let logout = browser
        .post_form(app.url("/logout"), Vec::<(String, String)>::new())
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let location = logout.location().unwrap();
    assert!(
        location
            .as_str()
            .starts_with(&format!("{}/logout", app.provider.issuer_str())),
        "{location}"
    );
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], "web-app");
    assert!(params.contains_key("id_token_hint"));
    assert!(app.home(&browser).await.contains("#visitor").unwrap());
}

#[tokio::test]
async fn logout_from_another_site_is_refused() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    app.login(&browser, "", UserAction::SignIn(USER)).await;
    let no_fields = Vec::<(String, String)>::new;
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", app.base.as_str()),
        ],
        vec![("sec-fetch-site", "same-site")],
    ] {
        let page = browser
            .post_form_with(app.url("/logout"), &headers, no_fields())
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(
            app.home(&browser).await.contains("#sub").unwrap(),
            "{headers:?}"
        );
    }
    let same = browser
        .post_form_with(
            app.url("/logout"),
            &[
                ("sec-fetch-site", "same-origin"),
                ("origin", app.base.as_str()),
            ],
            no_fields(),
        )
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert!(app.home(&browser).await.contains("#visitor").unwrap());

    // Without Sec-Fetch-Site, an Origin naming the app's own host passes.
    app.login(&browser, "", UserAction::SignIn(USER)).await;
    let page = browser
        .post_form_with(
            app.url("/logout"),
            &[("origin", app.base.as_str())],
            no_fields(),
        )
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert!(app.home(&browser).await.contains("#visitor").unwrap());
}

/// A logout while a refresh is in flight wins: the refresh must not write
/// the signed-out session back.
#[tokio::test]
async fn a_logout_during_a_refresh_wins() {
    use oidc_dev_provider::{DevProvider, Endpoint, Fault, HttpFault};
    use std::time::Duration;
    // Access tokens live 2 s, within SignedIn's 30 s leeway: every request
    // refreshes.
    let app = glue::start(glue::Setup {
        provider: DevProvider::builder().token_ttl(Duration::from_secs(2)),
        ..Default::default()
    })
    .await;
    let browser = Browser::new();
    app.sign_in(&browser, USER).await;
    // The next token request (the refresh) takes 1.5 s.
    app.provider.inject(
        Fault::http(
            Endpoint::Token,
            HttpFault::Delay(Duration::from_millis(1500)),
        )
        .once(),
    );
    let refreshing = {
        let browser = browser.clone();
        let me = app.url("/me");
        tokio::spawn(async move { browser.get(me).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let logout = browser
        .post_form(app.url("/logout"), Vec::<(String, String)>::new())
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let during = refreshing.await.unwrap();
    assert_eq!(
        during.status(),
        StatusCode::UNAUTHORIZED,
        "{}",
        during.body()
    );
    assert_eq!(app.me(&browser).await, None);
}

/// Media types compare case-insensitively (RFC 9110 8.3.1): a form_post
/// whose `Content-Type` is spelled in capitals, with a charset, completes
/// the login (this route once compared it case-sensitively, unlike the
/// back-channel logout route and the loopback listener).
#[tokio::test]
async fn the_form_post_content_type_is_read_case_insensitively() {
    let app = start(ResponseMode::FormPost, |o| o).await;
    let browser = Browser::new();
    let login = browser.get(app.url("/login")).await.unwrap();
    let (delivered, _) = authorize(
        &browser,
        &login.location().expect("a redirect to the provider"),
        &app.redirect_uri,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();
    let callback = url::Url::parse(&app.redirect_uri).unwrap();
    let cookies = browser
        .cookies_for(&callback)
        .expect("the pending-login cookie");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |content_type: &'static str| {
        client
            .post(callback.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(reqwest::header::COOKIE, cookies.clone())
            .body(delivered.raw())
            .send()
    };
    // Not a form at all: refused before anything is read.
    let refused = post("application/x-www-form-urlencodedx").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let done = post("Application/X-WWW-Form-URLEncoded; charset=UTF-8")
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
}
