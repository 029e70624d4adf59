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
        .find(|c| c.starts_with("oidc_pending_"))
        .expect("a pending-login cookie");
    for attribute in [
        "SameSite=None",
        "Secure",
        "HttpOnly",
        "Path=/callback",
        "Max-Age=",
    ] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
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
            .find_map(|c| c.strip_prefix("session=").map(str::to_owned))
    };
    let before = session_of(&browser).expect("a session before login");
    app.login(&browser, "", UserAction::SignIn("alice@example.com"))
        .await;
    let after = session_of(&browser).expect("a session after login");
    assert_ne!(before, after, "the session id must be rotated at login");
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
