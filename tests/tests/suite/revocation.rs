//! Token revocation (RFC 7009) against the dev provider: through the flow
//! API (`Client::revoke`), and at the web glue's `POST /logout`, which
//! revokes best effort before sending the browser to the provider.

use axum::Router;
use axum::routing::get;
use oidc_core::web::{Oidc, WhenSignedOut, memory_session_layer};
use oidc_core::{AuthMethod, Client, ClientConfig, ResponseMode, TokenError};
use oidc_dev_provider::{
    ClientAuthMethod, DevClient, DevProviderBuilder, Endpoint, Fault, HttpFault,
};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use tests::browser::Browser;
use tests::dev_login::UserAction;
use tests::fixture::{Fixture, Site, USER, sign_in, sign_in_at};
use tests::refresh_probe::{me, provider_accepts};

const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
const REVOKE: &str = "/revoke";

/// Whether the provider still refreshes with `refresh_token`: `Ok` or the
/// token endpoint's OAuth error code.
async fn refreshes(
    client: &Client,
    login: &oidc_core::Login<oidc_core::Authenticated>,
) -> Result<(), String> {
    match client
        .refresh(login.tokens(), login.id_token_claims())
        .await
    {
        Ok(_) => Ok(()),
        Err(TokenError::Provider { error, .. }) => Err(error),
        Err(other) => panic!("unexpected refresh error: {other:?}"),
    }
}

#[tokio::test]
async fn the_flow_api_revokes_the_refresh_token_then_the_access_token() {
    // Both secret methods: revocation authenticates like the token endpoint.
    let provider = Fixture::builder("post-client", "post-secret", REDIRECT_URI)
        .client(|c| c.auth_methods([ClientAuthMethod::ClientSecretPost]))
        .provider(|p| {
            p.client(
                DevClient::confidential("basic-client", "basic-secret")
                    .redirect_uri(REDIRECT_URI)
                    .auth_methods([ClientAuthMethod::ClientSecretBasic]),
            )
        })
        .start()
        .await;
    for (id, secret, method) in [
        ("post-client", "post-secret", AuthMethod::ClientSecretPost),
        (
            "basic-client",
            "basic-secret",
            AuthMethod::ClientSecretBasic,
        ),
    ] {
        let config = ClientConfig::for_issuer(provider.issuer_str())
            .client_id(id)
            .redirect_uri(REDIRECT_URI)
            .client_secret(secret)
            .auth_method(method);
        let client = Client::discover(config).await.expect("discovery succeeds");
        assert!(client.supports_revocation());
        let login = sign_in(&client).await.expect("signed in");
        let tokens = login.tokens().clone();
        assert!(tokens.refresh_token.is_some());
        assert!(provider_accepts(&provider, tokens.access_token.secret()).await);

        provider.clear_requests();
        client.revoke(&tokens).await.expect("revoked");
        assert_eq!(
            provider.count(REVOKE),
            2,
            "{method}: refresh, then access token"
        );

        assert_eq!(
            refreshes(&client, &login).await,
            Err("invalid_grant".into()),
            "{method}: the refresh token no longer refreshes"
        );
        assert!(
            !provider_accepts(&provider, tokens.access_token.secret()).await,
            "{method}: UserInfo refuses the access token"
        );
        // Revoking again is no error: the token is invalid already (RFC 7009 2.2).
        client.revoke(&tokens).await.expect("revoked again");
    }
}

#[tokio::test]
async fn revoking_only_the_access_token_leaves_the_refresh_token() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    let client = provider.client().await;
    let login = sign_in(&client).await.expect("signed in");
    client
        .revoke_access_token(&login.tokens().access_token)
        .await
        .expect("revoked");
    assert!(!provider_accepts(&provider, login.tokens().access_token.secret()).await);
    assert_eq!(refreshes(&client, &login).await, Ok(()));
}

#[tokio::test]
async fn a_provider_without_a_revocation_endpoint_gets_no_request() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .provider(|p| p.revocation_endpoint(false))
        .start()
        .await;
    let client = provider.client().await;
    assert!(!client.supports_revocation());
    let login = sign_in(&client).await.expect("signed in");
    let error = client.revoke(login.tokens()).await.unwrap_err();
    assert!(
        matches!(error, TokenError::RevocationUnsupported),
        "{error:?}"
    );
    assert_eq!(provider.count(REVOKE), 0);
}

#[tokio::test]
async fn a_refused_revocation_names_the_providers_error_and_never_the_token() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    let client = provider.client().await;
    let login = sign_in(&client).await.expect("signed in");
    provider.inject(Fault::http(
        Endpoint::Revocation,
        HttpFault::OAuthError {
            status: 401,
            error: "invalid_client".into(),
            description: Some("no".into()),
        },
    ));
    let error = client.revoke(login.tokens()).await.unwrap_err();
    assert!(
        matches!(&error, TokenError::RevocationRefused { error, status: 401, .. } if error == "invalid_client"),
        "{error:?}"
    );
    assert_eq!(error.check_name(), "revocation.refused");
    let shown = format!("{error} {error:?}");
    let tokens = login.tokens();
    assert!(!shown.contains(tokens.access_token.secret()), "{shown}");
    assert!(
        !shown.contains(tokens.refresh_token.as_ref().unwrap().secret()),
        "{shown}"
    );
}

/// An app with the web glue and a `/me` route, next to a dev provider.
struct App {
    base: String,
    redirect_uri: String,
    provider: Fixture,
}

async fn app(
    provider: impl FnOnce(DevProviderBuilder) -> DevProviderBuilder,
    configure: impl FnOnce(Oidc) -> Oidc,
) -> App {
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let post_logout = site.url("/signed-out");
    let provider = Fixture::builder("web", "web-secret", &redirect_uri)
        .provider(provider)
        .client(|c| c.post_logout_redirect_uri(&post_logout))
        .start()
        .await;
    let oidc: Oidc = Oidc::discover(provider.config().response_mode(ResponseMode::FormPost))
        .await
        .unwrap()
        .when_signed_out(WhenSignedOut::Unauthorized)
        .post_logout_redirect_uri(&post_logout);
    let oidc = configure(oidc);
    let router = Router::new()
        .route("/me", get(me))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    App {
        base: site.serve(router),
        redirect_uri,
        provider,
    }
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs the user in; returns the access and refresh tokens the app holds.
    async fn sign_in(&self, browser: &Browser) -> (String, String) {
        let arrival = sign_in_at(
            browser,
            &self.url("/login"),
            &self.redirect_uri,
            UserAction::SignIn(USER),
        )
        .await;
        assert_eq!(
            arrival.page.status(),
            StatusCode::SEE_OTHER,
            "{}",
            arrival.page.body()
        );
        let page = browser.get(self.url("/me")).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{}", page.body());
        let lines: Vec<&str> = page.body().split('\n').collect();
        (lines[0].to_owned(), lines[2].to_owned())
    }

    /// `POST /logout`: asserts it sends the browser to the provider's
    /// end-session endpoint and that the local session is gone.
    async fn log_out(&self, browser: &Browser) {
        let logout = browser
            .post_form(self.url("/logout"), Vec::<(String, String)>::new())
            .await
            .unwrap();
        assert_eq!(logout.status(), StatusCode::SEE_OTHER, "{}", logout.body());
        let location = logout.location().expect("a redirect");
        assert_eq!(
            location.path(),
            "/logout",
            "the provider's end_session_endpoint: {location}"
        );
        assert!(
            location.as_str().starts_with(self.provider.issuer_str()),
            "{location}"
        );
        let me = browser.get(self.url("/me")).await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "signed out locally");
    }

    /// Whether the provider still refreshes with `refresh_token`.
    async fn provider_refreshes(&self, refresh_token: &str) -> bool {
        let url = format!("{}/token", self.provider.issuer_str().trim_end_matches('/'));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", "web"),
                ("client_secret", "web-secret"),
            ])
            .finish();
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            == StatusCode::OK
    }
}

#[tokio::test]
async fn logout_in_the_glue_revokes_the_tokens_before_leaving() {
    let app = app(|p| p, |oidc| oidc).await;
    let browser = Browser::new();
    let (access_token, refresh_token) = app.sign_in(&browser).await;
    app.provider.clear_requests();
    app.log_out(&browser).await;
    assert_eq!(app.provider.count(REVOKE), 2, "refresh, then access token");
    assert!(!provider_accepts(&app.provider, &access_token).await);
    assert!(!app.provider_refreshes(&refresh_token).await);
}

/// What `oidc_core` logs on this thread (the test's single-threaded
/// runtime, hence the app served on it too) until the guard drops.
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    struct Writer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let text = Arc::new(Mutex::new(Vec::new()));
    let writer = Arc::clone(&text);
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || Writer(Arc::clone(&writer)))
        .finish();
    (text, crate::log_capture::scoped(subscriber))
}

#[tokio::test]
async fn logout_goes_on_when_the_revocation_endpoint_fails() {
    let (logs, _guard) = capture_logs();
    let app = app(|p| p, |oidc| oidc).await;
    let browser = Browser::new();
    let (access_token, refresh_token) = app.sign_in(&browser).await;
    app.provider.inject(Fault::http(
        Endpoint::Revocation,
        HttpFault::Replace {
            status: 503,
            content_type: Some("text/html".into()),
            body: b"<h1>down for maintenance</h1>".to_vec(),
        },
    ));
    app.provider.clear_requests();
    app.log_out(&browser).await;
    // The provider cannot answer: one attempt, not retried, not repeated
    // for the access token.
    // (The fault replaces the answer after the provider handled the
    // request, so whether the token was revoked says nothing here.)
    assert_eq!(app.provider.count(REVOKE), 1);
    // Logged once, naming the check, without the tokens.
    let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("could not revoke the tokens at logout"))
        .collect();
    assert_eq!(warnings.len(), 1, "{logs}");
    assert!(warnings[0].contains("WARN"), "{}", warnings[0]);
    assert!(warnings[0].contains("transport.status"), "{}", warnings[0]);
    assert!(!logs.contains(&access_token) && !logs.contains(&refresh_token));
}

#[tokio::test]
async fn logout_does_not_revoke_without_an_endpoint_or_when_turned_off() {
    for (enabled, revoke_on_logout) in [(false, true), (true, false)] {
        let app = app(
            |p| p.revocation_endpoint(enabled),
            |oidc| oidc.revoke_on_logout(revoke_on_logout),
        )
        .await;
        let browser = Browser::new();
        let (access_token, refresh_token) = app.sign_in(&browser).await;
        app.provider.clear_requests();
        app.log_out(&browser).await;
        assert_eq!(
            app.provider.count(REVOKE),
            0,
            "{enabled} {revoke_on_logout}"
        );
        // The browser has not reached the provider's end-session page yet:
        // nothing ended the grant.
        assert!(provider_accepts(&app.provider, &access_token).await);
        assert!(app.provider_refreshes(&refresh_token).await);
    }
}
