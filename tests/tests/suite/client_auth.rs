//! Key-based client authentication (`private_key_jwt`, `client_secret_jwt`,
//! RFC 7523 and OpenID Connect Core 1.0 section 9) and the secret
//! callback, end to end: against the dev provider, which verifies every
//! assertion (signature with the registered key, `iss`, `sub`, `aud`,
//! `exp`, single-use `jti`), and against panva's certified `oidc-provider`.

use axum::Router;
use axum::routing::{get, post};
use oidc_core::{
    AuthMethod, Authenticated, Client, ClientConfig, ClientKey, ClientSecret, Login,
    SigningAlgorithm, TokenError,
};
use oidc_dev_provider::{ClientAuthMethod, DevClient};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tests::browser::Browser;
use tests::fixture::{Fixture, Site, sign_in};
use tests::interop_provider::OidcProvider;
use tests::interop_user::sign_in as sign_in_at_op;

const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

macro_rules! key_file {
    ($name:literal) => {
        include_str!(concat!("../../../oidc-core/src/config/client_key/", $name))
    };
}

const RSA_PEM: &str = key_file!("rsa.pem");
const RSA_OTHER_PEM: &str = key_file!("rsa-other.pem");
const EC_JWK: &str = key_file!("ec-p256.jwk.json");
const ED_PEM: &str = key_file!("ed25519.pem");

fn key(pem: &str) -> ClientKey {
    ClientKey::from_pem(pem).expect("the test key reads")
}

/// A dev provider with, besides the fixture's confidential client, a
/// `private_key_jwt`-only client `id` holding `public`'s public JWK.
async fn provider_with_key_client(id: &str, public: &ClientKey) -> Fixture {
    let client = DevClient::private_key_jwt(id, public.public_jwk()).redirect_uri(REDIRECT_URI);
    Fixture::builder("app", "app-secret", REDIRECT_URI)
        .provider(|p| p.client(client))
        .start()
        .await
}

fn key_config(provider: &Fixture, id: &str, key: ClientKey) -> ClientConfig {
    ClientConfig::for_issuer(provider.issuer_str())
        .client_id(id)
        .redirect_uri(REDIRECT_URI)
        .private_key(key)
}

/// The provider's OAuth error code, or a panic for any other failure.
fn provider_error<T>(result: Result<T, TokenError>) -> String {
    match result {
        Err(TokenError::Provider { error, .. }) => error,
        Err(other) => panic!("not a provider error: {other:?}"),
        Ok(_) => panic!("the provider accepted"),
    }
}

/// Refreshes, revokes, and checks the revoked refresh token no longer
/// refreshes: three more authenticated requests.
async fn refresh_then_revoke(client: &Client, login: &Login<Authenticated>) {
    let refreshed = client
        .refresh(login.tokens(), login.id_token_claims())
        .await
        .expect("the refresh is accepted");
    let tokens = refreshed.tokens.clone();
    client.revoke(&tokens).await.expect("revoked");
    let refused = client.refresh(&tokens, login.id_token_claims()).await;
    assert_eq!(provider_error(refused), "invalid_grant");
}

#[tokio::test]
async fn private_key_jwt_with_rsa_ec_and_ed25519_keys() {
    let keys = [
        (key(RSA_PEM), SigningAlgorithm::RS256),
        (
            ClientKey::from_jwk(EC_JWK).expect("the JWK reads"),
            SigningAlgorithm::ES256,
        ),
        (key(ED_PEM), SigningAlgorithm::EdDSA),
    ];
    for (key, alg) in keys {
        let provider = provider_with_key_client("key-client", &key).await;
        let client = Client::discover(key_config(&provider, "key-client", key))
            .await
            .expect("discovery succeeds");
        // Chosen from the metadata: the provider lists private_key_jwt.
        assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
        let login = sign_in(&client)
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(login.id_token_claims().aud, ["key-client"]);
        refresh_then_revoke(&client, &login).await;
        assert_eq!(provider.count("/revoke"), 2, "{alg}");
    }
}

#[tokio::test]
async fn client_secret_jwt_signs_in_refreshes_and_revokes() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .client(|c| c.auth_methods([ClientAuthMethod::ClientSecretJwt]))
        .start()
        .await;
    let client = provider
        .discover(|c| c.auth_method(AuthMethod::ClientSecretJwt))
        .await;
    let login = sign_in(&client).await.expect("signed in");
    refresh_then_revoke(&client, &login).await;
    // The same client with a wrong secret is refused.
    let wrong = Client::discover(
        provider
            .config()
            .client_secret("not-app-secret")
            .auth_method(AuthMethod::ClientSecretJwt),
    )
    .await
    .expect("discovery succeeds");
    assert_eq!(provider_error(sign_in(&wrong).await), "invalid_client");
}

#[tokio::test]
async fn an_assertion_signed_with_another_key_is_refused() {
    let provider = provider_with_key_client("key-client", &key(RSA_PEM)).await;
    let client = Client::discover(key_config(&provider, "key-client", key(RSA_OTHER_PEM)))
        .await
        .expect("discovery succeeds");
    assert_eq!(provider_error(sign_in(&client).await), "invalid_client");
    // A key of another type is refused too (its alg does not fit RSA).
    let client = Client::discover(key_config(&provider, "key-client", key(ED_PEM)))
        .await
        .expect("discovery succeeds");
    assert_eq!(provider_error(sign_in(&client).await), "invalid_client");
}

#[tokio::test]
async fn the_secret_callback_is_called_once_per_request() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let client = provider
        .discover(|c| {
            c.client_secret_fn(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(ClientSecret::new("app-secret"))
            })
        })
        .await;
    assert_eq!(calls.load(Ordering::SeqCst), 0, "not at discovery");
    provider.clear_requests();
    let login = sign_in(&client).await.expect("signed in");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the code exchange");
    refresh_then_revoke(&client, &login).await;
    // Refresh, revocation of both tokens, the refused refresh.
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    assert_eq!(provider.count("/token") + provider.count("/revoke"), 5);

    // A failing callback fails the request before anything is sent.
    let client = provider
        .discover(|c| c.client_secret_fn(|| Err("the vault is sealed".into())))
        .await;
    provider.clear_requests();
    match sign_in(&client).await {
        Err(TokenError::ClientSecretUnavailable(e)) => {
            assert_eq!(e.to_string(), "the vault is sealed")
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert_eq!(provider.count("/token"), 0);
}

/// A captured assertion is refused the second time: the test discovers
/// the client through a stand-in whose `revocation_endpoint` records the
/// request (every other endpoint is the dev provider's, so the
/// assertion's `aud`, the token endpoint, is the provider's), then
/// replays the request at the provider twice.
#[tokio::test]
async fn a_replayed_assertion_is_refused() {
    let provider = provider_with_key_client("key-client", &key(RSA_PEM)).await;
    let document = reqwest::get(format!(
        "{}/.well-known/openid-configuration",
        provider.issuer_str()
    ))
    .await
    .expect("discovery")
    .text()
    .await
    .expect("a body");
    let mut document: serde_json::Value = serde_json::from_str(&document).expect("JSON");
    let site = Site::bind().await;
    document["issuer"] = site.base().into();
    document["revocation_endpoint"] = site.url("/revoke").into();
    let captured = Arc::new(Mutex::new(None::<String>));
    let capture = captured.clone();
    let app = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || async move { axum::Json(document) }),
        )
        .route(
            "/revoke",
            post(move |body: String| async move {
                *capture.lock().expect("lock") = Some(body);
            }),
        );
    let stand_in = site.serve(app);
    let config = ClientConfig::for_issuer(stand_in)
        .client_id("key-client")
        .redirect_uri(REDIRECT_URI)
        .private_key(key(RSA_PEM));
    let client = Client::discover(config).await.expect("discovery succeeds");
    client
        .revoke_access_token(&oidc_core::AccessToken::new("some-token"))
        .await
        .expect("the stand-in answers 200");
    let body = captured
        .lock()
        .expect("lock")
        .clone()
        .expect("the request was captured");
    assert!(body.contains("client_assertion="), "{body}");

    let replay = || async {
        reqwest::Client::new()
            .post(format!("{}/revoke", provider.issuer_str()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("the provider answers")
    };
    assert_eq!(replay().await.status(), 200, "the first use is accepted");
    let second = replay().await;
    assert_eq!(second.status(), 401);
    let error: serde_json::Value =
        serde_json::from_str(&second.text().await.expect("a body")).expect("an OAuth error");
    assert_eq!(error["error"], "invalid_client");
    assert!(
        error["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("already used")),
        "{error}"
    );
}

// ------------------------------------------------------------ interop

/// oidc-provider's client registrations: `private_key_jwt` with the RSA
/// test key's public half, and `client_secret_jwt`.
const SECRET_JWT_SECRET: &str = "a-client-secret-long-enough-for-hs256-0123456789";

fn interop_clients(key: &ClientKey) -> String {
    serde_json::json!([
        {
            "client_id": "client-pkjwt",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": { "keys": [key.public_jwk()] },
        },
        {
            "client_id": "client-sjwt",
            "client_secret": SECRET_JWT_SECRET,
            "token_endpoint_auth_method": "client_secret_jwt",
        },
    ])
    .to_string()
}

#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn interop_private_key_jwt_and_client_secret_jwt() {
    let key = key(RSA_PEM).kid("test-rsa");
    let op = OidcProvider::start_with_extra_clients(&[REDIRECT_URI], &interop_clients(&key));
    let configs = [
        (
            ClientConfig::for_issuer(op.issuer())
                .client_id("client-pkjwt")
                .redirect_uri(REDIRECT_URI)
                .private_key(key.clone()),
            AuthMethod::PrivateKeyJwt,
        ),
        (
            ClientConfig::for_issuer(op.issuer())
                .client_id("client-sjwt")
                .redirect_uri(REDIRECT_URI)
                .client_secret(SECRET_JWT_SECRET)
                .auth_method(AuthMethod::ClientSecretJwt),
            AuthMethod::ClientSecretJwt,
        ),
    ];
    for (config, method) in configs {
        let client = Client::discover(config)
            .await
            .unwrap_or_else(|e| panic!("discovery: {e}\nprovider log:\n{}", op.log()));
        assert_eq!(client.auth_method(), method);
        let (login, _) = sign_in_at_op(&op, &client, &Browser::new(), "kim@example.com").await;
        let tokens = login.tokens().clone();
        assert!(tokens.refresh_token.is_some(), "{method}");
        client
            .revoke(&tokens)
            .await
            .unwrap_or_else(|e| panic!("{method} revoke: {e}\nprovider log:\n{}", op.log()));
        let refused = client.refresh(&tokens, login.id_token_claims()).await;
        assert_eq!(provider_error(refused), "invalid_grant", "{method}");
    }
    // A key the provider does not know is refused.
    let stranger = Client::discover(
        ClientConfig::for_issuer(op.issuer())
            .client_id("client-pkjwt")
            .redirect_uri(REDIRECT_URI)
            .private_key(self::key(RSA_OTHER_PEM)),
    )
    .await
    .expect("discovery");
    let refused = stranger
        .revoke_access_token(&oidc_core::AccessToken::new("x"))
        .await;
    assert!(
        matches!(&refused, Err(TokenError::RevocationRefused { error, .. }) if error == "invalid_client"),
        "{refused:?}"
    );
}
