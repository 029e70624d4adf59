//! The test helpers `oidc-dev-provider` publishes for applications (feature
//! `testing`), used as the README's "Testing your app" shows: an axum app
//! signs a user in headlessly, an API is called with a minted access token,
//! and a minted logout token ends a session at the back-channel route.

use axum::Router;
use axum::routing::get;
use oidc_core::web::{Bearer, Oidc, SignedIn, memory_session_layer};
use oidc_core::{AccessTokenVerifier, ClientConfig, ResourceServerConfig};
use oidc_dev_provider::testing::{browser_client, sign_in};
use oidc_dev_provider::{DevClient, DevProvider};
use serde_json::json;

/// The application under test: one page for signed-in users.
async fn me(user: Option<SignedIn>) -> String {
    match user {
        Some(user) => format!(
            "sub={} sid={}",
            user.sub(),
            user.id_token_claims().sid.clone().unwrap_or_default()
        ),
        None => "signed out".into(),
    }
}

/// An API route: only a valid access token gets in.
async fn api_me(token: Bearer) -> String {
    format!("api sub={}", token.sub)
}

/// Starts the provider and the app (on a free port), and returns both with
/// the app's base URL.
async fn start() -> (DevProvider, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = DevProvider::builder()
        .client(
            DevClient::confidential("my-app", "my-secret")
                .redirect_uri(format!("{base}/callback"))
                .backchannel_logout_uri(format!("{base}/backchannel-logout")),
        )
        .start()
        .await
        .unwrap();
    let config = ClientConfig::for_issuer(provider.issuer_str())
        .client_id("my-app")
        .redirect_uri(format!("{base}/callback"))
        .client_secret("my-secret");
    let oidc = Oidc::discover(config)
        .await
        .unwrap()
        .backchannel_logout_path("/backchannel-logout");
    let app = Router::new()
        .route("/me", get(me))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (provider, base)
}

#[tokio::test]
async fn sign_in_headlessly_then_call_an_api_with_a_minted_access_token() {
    let (provider, base) = start().await;

    // Play the user: the app's /login, the provider's page, the callback.
    let browser = browser_client().unwrap();
    sign_in(
        &browser,
        &format!("{base}/login").parse().unwrap(),
        "alice@example.com",
    )
    .await
    .unwrap();
    let page = browser.get(format!("{base}/me")).send().await.unwrap();
    let alice = provider.users()[0].sub.clone();
    assert!(
        page.text()
            .await
            .unwrap()
            .starts_with(&format!("sub={alice} "))
    );

    // An API verifying access tokens, called with a minted one.
    let verifier = AccessTokenVerifier::discover(ResourceServerConfig::new(
        provider.issuer_str(),
        format!("{}/api", provider.issuer_str()),
    ))
    .await
    .unwrap();
    let api = Router::new()
        .route("/api/me", get(api_me))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api).await });

    let token = provider
        .mint_access_token("my-app", "alice@example.com", "openid")
        .unwrap()
        .claim("roles", json!(["admin"]))
        .sign()
        .unwrap();
    let http = browser_client().unwrap();
    let ok = http
        .get(format!("{api_base}/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), format!("api sub={alice}"));

    // A token for another audience is refused, as the API should.
    let wrong = provider
        .mint_access_token("my-app", "alice@example.com", "openid")
        .unwrap()
        .claim("aud", "https://other.example")
        .sign()
        .unwrap();
    let refused = http
        .get(format!("{api_base}/api/me"))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn a_minted_logout_token_posted_to_the_back_channel_ends_the_session() {
    let (provider, base) = start().await;
    let browser = browser_client().unwrap();
    sign_in(
        &browser,
        &format!("{base}/login").parse().unwrap(),
        "alice@example.com",
    )
    .await
    .unwrap();
    let page = browser
        .get(format!("{base}/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let sid = page.split("sid=").nth(1).unwrap().to_owned();
    assert!(!sid.is_empty(), "{page}");

    let logout_token = provider
        .mint_logout_token("my-app", "alice@example.com", &sid)
        .unwrap()
        .sign()
        .unwrap();
    let posted = browser_client()
        .unwrap()
        .post(format!("{base}/backchannel-logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("logout_token={logout_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);

    let page = browser.get(format!("{base}/me")).send().await.unwrap();
    assert_eq!(page.text().await.unwrap(), "signed out");
}
