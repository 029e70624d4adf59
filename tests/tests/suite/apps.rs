//! Apps and refresh, end to end against the dev provider over loopback:
//!
//! - the command-line login of `examples/cli_login` (RFC 8252), in process:
//!   the real `oidc_core::loopback` listener on a free port, the test
//!   playing the user's browser at the provider and delivering the
//!   response to the listener as a browser would;
//! - refreshing tokens with `Login<Authenticated>::refresh` and
//!   `Client::refresh` (rotation, OpenID Connect Core 12.2);
//! - the axum glue refreshing an expired access token transparently.

use crate::support::glue;

use oidc_core::loopback::{LoopbackError, LoopbackServer};
use oidc_core::{
    AuthMethod, CallbackError, Client, ClientConfig, Login, Redirected, ResponseMode, TokenError,
};
use oidc_dev_provider::{DevClient, DevProvider};
use reqwest::StatusCode;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tests::browser::{Browser, Page};
use tests::dev_login::{UserAction, authorize, deliver};

/// Registered once, without a port: any loopback port is accepted.
const LOOPBACK_REDIRECT_URI: &str = "http://127.0.0.1/callback";

async fn provider() -> DevProvider {
    DevProvider::builder()
        .client(DevClient::public("cli").redirect_uri(LOOPBACK_REDIRECT_URI))
        .client(DevClient::confidential("cli-secret", "s3cret").redirect_uri(LOOPBACK_REDIRECT_URI))
        .start()
        .await
        .expect("the dev provider starts")
}

/// What `cli_login` does before waiting: bind, discover, start the login.
async fn start_cli_login(
    provider: &DevProvider,
    client_id: &str,
    secret: Option<&str>,
    mode: ResponseMode,
) -> (LoopbackServer, Client, url::Url, Login<Redirected>) {
    let server = LoopbackServer::bind().await.unwrap();
    let mut config = ClientConfig::for_issuer(provider.issuer_str())
        .client_id(client_id)
        .redirect_uri(server.redirect_uri())
        .response_mode(mode);
    config = match secret {
        Some(secret) => config.client_secret(secret),
        None => config.auth_method(AuthMethod::None),
    };
    let client = Client::discover(config).await.unwrap();
    let (request, login) = client.login().redirect().unwrap();
    (server, client, request.url().clone(), login)
}

/// The user's browser: signs in (or cancels) at the provider, then delivers
/// the response to the loopback listener, and returns the listener's page.
async fn browser_signs_in(
    authorization_url: &url::Url,
    redirect_uri: &str,
    action: UserAction<'_>,
) -> Page {
    let browser = Browser::new();
    let (delivered, _) = authorize(&browser, authorization_url, redirect_uri, action)
        .await
        .unwrap();
    deliver(&browser, redirect_uri, &delivered).await.unwrap()
}

#[tokio::test]
async fn cli_login_with_a_query_response() {
    let provider = provider().await;
    let (server, _client, url, login) =
        start_cli_login(&provider, "cli", None, ResponseMode::Query).await;
    let redirect_uri = server.redirect_uri().to_owned();
    assert!(redirect_uri.starts_with("http://127.0.0.1:") && redirect_uri.ends_with("/callback"));
    assert_ne!(server.local_addr().port(), 0);

    let (received, page) = tokio::join!(
        server.receive(login, Duration::from_secs(30)),
        browser_signs_in(&url, &redirect_uri, UserAction::SignIn("alice@example.com")),
    );
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.body().contains("You can close this tab"),
        "{}",
        page.body()
    );
    assert_eq!(page.headers()["cache-control"], "no-store");
    let login = received.unwrap().exchange().await.unwrap();
    let alice = provider.add_user("alice@example.com");
    assert_eq!(login.sub(), alice.sub);
    assert_eq!(login.email(), Some("alice@example.com"));
}

#[tokio::test]
async fn cli_login_with_a_form_post_response_and_a_secret() {
    let provider = provider().await;
    let (server, _client, url, login) = start_cli_login(
        &provider,
        "cli-secret",
        Some("s3cret"),
        ResponseMode::FormPost,
    )
    .await;
    let redirect_uri = server.redirect_uri().to_owned();
    let (received, page) = tokio::join!(
        server.receive(login, Duration::from_secs(30)),
        browser_signs_in(&url, &redirect_uri, UserAction::SignIn("alice@example.com")),
    );
    assert_eq!(page.status(), StatusCode::OK, "{}", page.body());
    let login = received.unwrap().exchange().await.unwrap();
    assert_eq!(login.email(), Some("alice@example.com"));
}

#[tokio::test]
async fn the_public_client_uses_pkce() {
    let provider = provider().await;
    provider.add_user("bob@example.com");
    let (server, _client, url, login) =
        start_cli_login(&provider, "cli", None, ResponseMode::Query).await;
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(param("code_challenge_method"), Some("S256"));
    assert_eq!(param("redirect_uri"), Some(server.redirect_uri()));
    let redirect_uri = server.redirect_uri().to_owned();
    let (received, _) = tokio::join!(
        server.receive(login, Duration::from_secs(30)),
        browser_signs_in(&url, &redirect_uri, UserAction::SignIn("bob@example.com")),
    );
    // The dev provider refuses a public client's code without the verifier.
    let login = received.unwrap().exchange().await.unwrap();
    assert_eq!(login.email(), Some("bob@example.com"));
}

#[tokio::test]
async fn a_cancelled_cli_login_is_a_provider_error() {
    let provider = provider().await;
    let (server, _client, url, login) =
        start_cli_login(&provider, "cli", None, ResponseMode::Query).await;
    let redirect_uri = server.redirect_uri().to_owned();
    let (received, page) = tokio::join!(
        server.receive(login, Duration::from_secs(30)),
        browser_signs_in(&url, &redirect_uri, UserAction::Cancel),
    );
    assert!(page.body().contains("access_denied"), "{}", page.body());
    match received {
        Err(LoopbackError::Callback(CallbackError::Provider { error, .. })) => {
            assert_eq!(error, "access_denied")
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
}

#[tokio::test]
async fn a_forged_callback_does_not_end_the_wait() {
    let provider = provider().await;
    let (server, _client, url, login) =
        start_cli_login(&provider, "cli", None, ResponseMode::Query).await;
    let redirect_uri = server.redirect_uri().to_owned();
    let attacker_then_user = async {
        // Another local program (or a web page) guesses the port.
        let forged = Browser::new()
            .get(format!("{redirect_uri}?code=attacker-code&state=guess"))
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
        let favicon = Browser::new()
            .get(redirect_uri.replace("/callback", "/favicon.ico"))
            .await
            .unwrap();
        assert_eq!(favicon.status(), StatusCode::NOT_FOUND);
        browser_signs_in(&url, &redirect_uri, UserAction::SignIn("alice@example.com")).await
    };
    let (received, page) = tokio::join!(
        server.receive(login, Duration::from_secs(30)),
        attacker_then_user
    );
    assert_eq!(page.status(), StatusCode::OK);
    assert!(received.unwrap().exchange().await.is_ok());
}

#[tokio::test]
async fn a_cli_login_times_out_with_a_clear_message() {
    let provider = provider().await;
    let (server, _client, _url, login) =
        start_cli_login(&provider, "cli", None, ResponseMode::Query).await;
    let error = server
        .receive(login, Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(error, LoopbackError::Timeout(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "no sign-in response arrived within 1 second: the browser was closed or the sign-in abandoned; run the command again to retry"
    );
}

/// Issue 13 item 10: a timeout too long to be a point in time (an app
/// that means "no limit") waits, rather than panicking on the deadline.
#[tokio::test]
async fn a_cli_login_without_a_time_limit_completes() {
    let provider = provider().await;
    let (server, _client, url, login) =
        start_cli_login(&provider, "cli", None, ResponseMode::Query).await;
    let redirect_uri = server.redirect_uri().to_owned();
    let (received, page) = tokio::join!(
        server.receive(login, Duration::MAX),
        browser_signs_in(&url, &redirect_uri, UserAction::SignIn("alice@example.com")),
    );
    assert_eq!(page.status(), StatusCode::OK);
    assert!(received.unwrap().exchange().await.is_ok());
}

#[tokio::test]
async fn the_loopback_listener_binds_loopback_only() {
    let error = LoopbackServer::bind_to(SocketAddr::from(([0, 0, 0, 0], 0)), "/callback")
        .await
        .unwrap_err();
    assert!(matches!(error, LoopbackError::NotLoopback(_)));
    let server = LoopbackServer::bind_to(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), "/oauth/done")
        .await
        .unwrap();
    assert!(server.redirect_uri().ends_with("/oauth/done"));
}

/// A signed-in login of `cli` through the loopback flow.
async fn signed_in(provider: &DevProvider, scopes: &[&str]) -> Login<oidc_core::Authenticated> {
    let server = LoopbackServer::bind().await.unwrap();
    let config = ClientConfig::for_issuer(provider.issuer_str())
        .client_id("cli")
        .redirect_uri(server.redirect_uri())
        .auth_method(AuthMethod::None)
        .response_mode(ResponseMode::Query)
        .scopes(scopes.iter().copied());
    let client = Client::discover(config).await.unwrap();
    let (request, login) = client.login().redirect().unwrap();
    let redirect_uri = server.redirect_uri().to_owned();
    let (received, _) = tokio::join!(
        server.receive(login, Duration::from_secs(30)),
        browser_signs_in(
            request.url(),
            &redirect_uri,
            UserAction::SignIn("alice@example.com")
        ),
    );
    received.unwrap().exchange().await.unwrap()
}

#[tokio::test]
async fn login_refresh_rotates_tokens_and_verifies_the_new_id_token() {
    let provider = provider().await;
    let login = signed_in(&provider, &["openid", "email", "offline_access"]).await;
    let before = login.tokens().clone();
    let claims_before = login.id_token_claims().clone();
    assert!(claims_before.nonce.is_some());
    let client = login.client().clone();

    let refreshed = login.refresh().await.unwrap();
    let after = refreshed.tokens();
    assert_ne!(after.access_token.secret(), before.access_token.secret());
    let (old_rt, new_rt) = (
        before.refresh_token.as_ref().unwrap(),
        after.refresh_token.as_ref().unwrap(),
    );
    assert_ne!(
        new_rt.secret(),
        old_rt.secret(),
        "the refresh token rotates"
    );
    assert_ne!(
        after.id_token.as_ref().unwrap().secret(),
        before.id_token.as_ref().unwrap().secret()
    );
    // OIDC Core 12.2: same iss, sub, aud; a refreshed ID token has no nonce.
    let claims = refreshed.id_token_claims();
    assert_eq!(claims.iss, claims_before.iss);
    assert_eq!(claims.sub, claims_before.sub);
    assert_eq!(claims.aud, claims_before.aud);
    assert_eq!(claims.auth_time, claims_before.auth_time);
    assert_eq!(claims.nonce, None);
    assert_eq!(refreshed.sub(), claims_before.sub);
    assert_eq!(refreshed.email(), Some("alice@example.com"));

    // The old refresh token is spent: the provider refuses it.
    let error = client.refresh(&before, &claims_before).await.unwrap_err();
    assert!(
        matches!(&error, TokenError::Provider { error, .. } if error == "invalid_grant"),
        "{error:?}"
    );
}

#[tokio::test]
async fn client_refresh_keeps_the_login_and_rotates_again() {
    let provider = provider().await;
    let login = signed_in(&provider, &["openid", "email"]).await;
    let client = login.client().clone();
    let (_, claims, tokens) = login.into_parts();

    let first = client.refresh(&tokens, &claims).await.unwrap();
    assert_eq!(first.id_token.sub, claims.sub);
    assert_eq!(
        first.user.as_ref().and_then(|u| u.email.as_deref()),
        Some("alice@example.com")
    );
    // The rotated refresh token works once more; the previous one does not.
    let second = client
        .refresh(&first.tokens, &first.id_token)
        .await
        .unwrap();
    assert_ne!(
        second.tokens.refresh_token.as_ref().unwrap().secret(),
        first.tokens.refresh_token.as_ref().unwrap().secret()
    );
    assert_eq!(second.id_token.sub, claims.sub);
    assert!(
        client
            .refresh(&first.tokens, &first.id_token)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_glue_refreshes_an_expired_access_token_transparently() {
    // Access tokens live 2 s: within SignedIn's 30 s leeway from the start,
    // so every request refreshes.
    let app = glue::start(glue::Setup {
        provider: DevProvider::builder().token_ttl(Duration::from_secs(2)),
        ..Default::default()
    })
    .await;
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    let tokens_after_login = app.token_requests();

    let first = app.me(&browser).await.expect("signed in");
    let second = app.me(&browser).await.expect("still signed in");
    let third = app.me(&browser).await.expect("still signed in");
    assert_eq!(first.sub, app.sub_of("alice@example.com"));
    assert_eq!(app.token_requests(), tokens_after_login + 3);
    // Fresh tokens each time; the rotated refresh token was kept in the
    // session (reusing an old one would have revoked the grant).
    assert_ne!(first.access_token, second.access_token);
    assert_ne!(second.access_token, third.access_token);
    assert_ne!(first.refresh_token, second.refresh_token);
    assert_ne!(second.refresh_token, third.refresh_token);
    assert_eq!(third.sub, first.sub);
    assert_eq!(third.sid, first.sid);
}

#[tokio::test]
async fn a_failed_refresh_signs_the_user_out() {
    let app = glue::start(glue::Setup {
        provider: DevProvider::builder().token_ttl(Duration::from_secs(2)),
        // Nobody listens: the provider's back-channel delivery fails, so
        // only the failing refresh can end the session.
        backchannel_logout_uri: Some("http://127.0.0.1:9/nobody".into()),
    })
    .await;
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    assert!(app.me(&browser).await.is_some());
    // The provider ends alice's sessions and revokes the grant.
    app.provider
        .backchannel_logout(&app.sub_of("alice@example.com"))
        .await;
    assert_eq!(app.me(&browser).await, None);
    // The session is gone, not just the refresh.
    assert_eq!(app.me(&browser).await, None);
}
