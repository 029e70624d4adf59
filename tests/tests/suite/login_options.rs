//! The login request from the glue: `Oidc::login_options` adds
//! authorization request parameters per login, chosen from the request,
//! and a requested `acr` is checked in the ID token. Over real loopback
//! HTTP with the dev provider, asserting on what the provider received.

use axum::Router;
use axum::http::request::Parts;
use axum::response::Html;
use axum::routing::get;
use oidc_core::web::{LoginOptions, Oidc, SignedIn, memory_session_layer};
use oidc_core::{ClientConfig, IdTokenError, TokenError};
use oidc_dev_provider::RecordedAuthorization;
use reqwest::StatusCode;
use std::time::Duration;
use tests::browser::{Browser, Page};
use tests::dev_login::UserAction;
use tests::fixture::{Fixture, Site, USER, round_trip, sign_in_at};

struct App {
    base: String,
    redirect_uri: String,
    provider: Fixture,
}

async fn home(user: Option<SignedIn>) -> Html<String> {
    Html(match user {
        Some(user) => format!(
            "<p id=sub>{}</p><p id=acr>{}</p>",
            user.sub(),
            user.id_token_claims().acr().unwrap_or("none")
        ),
        None => "<p id=visitor>signed out</p>".into(),
    })
}

/// Whether the login request's query has `name=value`.
fn query_has(request: &Parts, name: &str, value: &str) -> bool {
    request
        .uri
        .query()
        .map(|q| url::form_urlencoded::parse(q.as_bytes()).any(|(n, v)| n == name && v == value))
        .unwrap_or(false)
}

/// Starts the dev provider and an app whose glue is configured by
/// `customize` (and its client by `configure`).
async fn start(
    configure: impl FnOnce(ClientConfig) -> ClientConfig,
    customize: impl FnOnce(Oidc) -> Oidc,
) -> App {
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let provider = Fixture::builder("options-app", "options-secret", &redirect_uri)
        .start()
        .await;
    let oidc = customize(Oidc::discover(configure(provider.config())).await.unwrap());
    let app = Router::new()
        .route("/", get(home))
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

    /// The user signs in through `/login{query}`; the app's answer.
    async fn login(&self, browser: &Browser, query: &str) -> Page {
        sign_in_at(
            browser,
            &self.url(&format!("/login{query}")),
            &self.redirect_uri,
            UserAction::SignIn(USER),
        )
        .await
        .page
    }

    async fn home(&self, browser: &Browser) -> Page {
        browser.get(self.url("/")).await.unwrap()
    }

    /// The last authorization request the provider received.
    fn last_authorization(&self) -> RecordedAuthorization {
        self.provider
            .authorization_requests()
            .pop()
            .expect("the provider received an authorization request")
    }
}

/// Levels of the dev provider (`DEFAULT_ACR_VALUES`) and one it does not have.
const LOA_1: &str = "urn:dev:loa:1";
const LOA_2: &str = "urn:dev:loa:2";
const LOA_UNKNOWN: &str = "urn:example:loa:9";

/// `/login?level=high` asks for LOA 2, `/login?level=unknown` for a level
/// the provider does not have, `/login` for nothing.
fn by_level(request: &Parts) -> LoginOptions {
    let options = LoginOptions::new();
    if query_has(request, "level", "high") {
        options.acr_values([LOA_2])
    } else if query_has(request, "level", "unknown") {
        options.acr_values([LOA_UNKNOWN])
    } else {
        options
    }
}

#[tokio::test]
async fn the_hooks_parameters_reach_the_provider() {
    let app = start(
        |c| c.authorization_param("claims_locales", "en"),
        |o| {
            o.login_options(|request: &Parts| {
                let locale = request
                    .headers
                    .get("accept-language")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("en")
                    .to_owned();
                LoginOptions::new()
                    .param("audience", "https://api.example.com")
                    .param("resource", "https://api.example.com/")
                    .param("ui_locales", locale)
                    .param("domain_hint", "example.com")
                    .login_hint(USER)
                    .max_age(Duration::from_secs(600))
            })
        },
    )
    .await;
    let browser = Browser::new();
    let start = browser
        .get_with(
            app.url("/login?login_hint=someone-else@example.com"),
            &[("accept-language", "fr-CA")],
        )
        .await
        .unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER, "{}", start.body());
    let at_provider = browser.follow(&start).await.unwrap();
    assert_eq!(
        at_provider.status(),
        StatusCode::OK,
        "{}",
        at_provider.body()
    );

    let sent = app.last_authorization();
    for (name, value) in [
        ("audience", "https://api.example.com"),
        ("resource", "https://api.example.com/"),
        ("ui_locales", "fr-CA"),
        ("domain_hint", "example.com"),
        ("claims_locales", "en"),
        // The hook's hint wins over the route's `?login_hint=`.
        ("login_hint", USER),
        ("max_age", "600"),
    ] {
        assert_eq!(sent.get(name), Some(value), "{name} in {:?}", sent.params);
        assert_eq!(sent.count(name), 1, "{name} sent once: {:?}", sent.params);
    }
    assert_eq!(sent.get("acr_values"), None);

    // And the login completes with them.
    let done = app.login(&browser, "").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(
        app.home(&browser).await.texts("#sub").unwrap(),
        vec![app.provider.sub_of(USER)]
    );
}

#[tokio::test]
async fn the_hook_decides_per_request() {
    let app = start(|c| c, |o| o.login_options(by_level)).await;

    let plain = Browser::new();
    let done = app.login(&plain, "").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(app.last_authorization().get("acr_values"), None);
    // Nothing asked, nothing in the token.
    assert_eq!(app.home(&plain).await.texts("#acr").unwrap(), vec!["none"]);

    let strong = Browser::new();
    let done = app.login(&strong, "?level=high").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(app.last_authorization().get("acr_values"), Some(LOA_2));
    assert_eq!(app.home(&strong).await.texts("#acr").unwrap(), vec![LOA_2]);
}

#[tokio::test]
async fn an_acr_other_than_requested_starts_no_session() {
    let app = start(|c| c, |o| o.login_options(by_level)).await;
    let browser = Browser::new();
    let refused = app.login(&browser, "?level=unknown").await;
    assert_eq!(
        app.last_authorization().get("acr_values"),
        Some(LOA_UNKNOWN)
    );
    // The provider answered with its lowest level: refused, with a fixed
    // text that names neither level.
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "{}",
        refused.body()
    );
    let message = refused.texts("#error").unwrap().join(" ");
    assert!(
        message.contains("did not confirm the kind of sign-in this page asks for"),
        "{message}"
    );
    assert!(!refused.body().contains(LOA_1), "{}", refused.body());
    assert!(!refused.body().contains(LOA_UNKNOWN), "{}", refused.body());
    assert!(app.home(&browser).await.contains("#visitor").unwrap());
}

#[tokio::test]
async fn acr_values_from_the_configuration_are_checked_too() {
    let app = start(|c| c.authorization_param("acr_values", LOA_UNKNOWN), |o| o).await;
    let browser = Browser::new();
    let refused = app.login(&browser, "").await;
    assert_eq!(
        app.last_authorization().get("acr_values"),
        Some(LOA_UNKNOWN)
    );
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "{}",
        refused.body()
    );
    assert!(app.home(&browser).await.contains("#visitor").unwrap());

    let app = start(
        |c| c.authorization_param("acr_values", format!("{LOA_UNKNOWN} {LOA_2}")),
        |o| o,
    )
    .await;
    let done = app.login(&browser, "").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    assert_eq!(app.home(&browser).await.texts("#acr").unwrap(), vec![LOA_2]);
}

/// A login the application's own parameters make invalid: a 500 page with
/// a fixed text, and nothing sent to the provider.
async fn assert_misconfigured(app: &App) {
    let browser = Browser::new();
    let page = browser.get(app.url("/login")).await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        page.body()
    );
    assert!(page.location().is_none());
    let message = page.texts("#error").unwrap().join(" ");
    assert!(message.contains("misconfigured"), "{message}");
    assert!(!page.body().contains("EVIL"), "{}", page.body());
    assert!(app.provider.authorization_requests().is_empty());
}

#[tokio::test]
async fn a_reserved_parameter_from_the_hook_is_refused() {
    let app = start(
        |c| c,
        |o| {
            o.login_options(|_: &Parts| {
                LoginOptions::new().param("redirect_uri", "https://EVIL.example/cb")
            })
        },
    )
    .await;
    assert_misconfigured(&app).await;
}

#[tokio::test]
async fn a_parameter_given_twice_is_refused() {
    let app = start(
        |c| c.authorization_param("ui_locales", "en"),
        |o| o.login_options(|_: &Parts| LoginOptions::new().param("ui_locales", "EVIL")),
    )
    .await;
    assert_misconfigured(&app).await;
}

/// The typestate flow: `Login::acr_values`, the typed error naming both
/// levels, and the provider's own list (`acr_values_supported`).
#[tokio::test]
async fn the_typestate_flow_checks_acr_and_names_both_levels() {
    let provider = Fixture::builder("typestate", "secret", "http://127.0.0.1:9/callback")
        .provider(|p| p.acr_values_supported(vec![LOA_1, LOA_UNKNOWN]))
        .start()
        .await;
    let doc = reqwest::get(provider.discovery_url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(
        doc["acr_values_supported"],
        serde_json::json!([LOA_1, LOA_UNKNOWN])
    );
    let client = provider.client().await;

    let (login, delivered) = round_trip(
        &Browser::new(),
        client.login().acr_values([LOA_UNKNOWN]),
        UserAction::SignIn(USER),
    )
    .await;
    let login = login.receive(delivered.callback().unwrap()).unwrap();
    let login = login.exchange().await.expect("the requested level");
    assert_eq!(login.acr(), Some(LOA_UNKNOWN));

    let (login, delivered) = round_trip(
        &Browser::new(),
        client.login().acr_values([LOA_2]),
        UserAction::SignIn(USER),
    )
    .await;
    let login = login.receive(delivered.callback().unwrap()).unwrap();
    match login.exchange().await {
        Err(TokenError::IdToken(IdTokenError::AcrNotSatisfied {
            requested,
            received,
        })) => {
            assert_eq!(requested, [LOA_2]);
            assert_eq!(received.as_deref(), Some(LOA_1));
        }
        other => panic!("expected AcrNotSatisfied, got {other:?}"),
    }
}
