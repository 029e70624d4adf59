//! Discovery (OpenID Connect Discovery 1.0): a mismatched issuer, missing
//! or insecure endpoints, unsupported features, malformed documents, and
//! algorithm lists widened to `none` and HMAC (which must not widen what
//! the client accepts).
//!
//! "http endpoints for a non-loopback issuer" cannot be served from
//! 127.0.0.1; those cases are unit tests in `oidc-core`'s discovery module.
//! Here the issuer is loopback (http allowed for loopback endpoints), and
//! an endpoint moved to a non-loopback http host must still be refused.

use super::harness::{Env, config, provider};
use oidc_core::JwsError;
use oidc_core::{AuthMethod, Client, DiscoveryError, IdTokenError};
use oidc_dev_provider::{Edit, Endpoint, Fault, HttpFault, Signing};
use serde_json::json;

async fn discovery_attack(what: &str, edits: &[Edit]) -> DiscoveryError {
    let provider = provider().await;
    for edit in edits {
        provider.inject(Fault::discovery(edit.clone()));
    }
    let error = match Client::discover(config(&provider)).await {
        Ok(_) => panic!("{what}: discovery succeeded"),
        Err(error) => error,
    };
    let requests: Vec<String> = provider.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        requests,
        ["/.well-known/openid-configuration"],
        "{what}: only the discovery document is requested"
    );
    error
}

async fn discovery_replaced(what: &str, content_type: Option<&str>, body: &[u8]) -> DiscoveryError {
    let provider = provider().await;
    provider.inject(Fault::http(
        Endpoint::Discovery,
        HttpFault::Replace {
            status: 200,
            content_type: content_type.map(str::to_owned),
            body: body.to_vec(),
        },
    ));
    match Client::discover(config(&provider)).await {
        Ok(_) => panic!("{what}: discovery succeeded"),
        Err(error) => error,
    }
}

fn insecure(e: &DiscoveryError, name: &str) -> bool {
    matches!(e, DiscoveryError::InsecureEndpoint { field, .. } if *field == name)
}

// ---- issuer ---------------------------------------------------------------------------------

#[tokio::test]
async fn issuer_of_another_provider() {
    let e = discovery_attack("issuer", &[Edit::set("issuer", "https://evil.example")]).await;
    assert!(
        matches!(&e, DiscoveryError::IssuerMismatch { found, .. } if found == "https://evil.example"),
        "{e:?}"
    );
}

#[tokio::test]
async fn issuer_with_a_trailing_slash() {
    let provider = provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "issuer",
        format!("{}/", provider.issuer_str()),
    )));
    let e = Client::discover(config(&provider))
        .await
        .expect_err("issuer/");
    assert!(matches!(e, DiscoveryError::IssuerMismatch { .. }), "{e:?}");
}

#[tokio::test]
async fn issuer_missing() {
    let e = discovery_attack("no issuer", &[Edit::remove("issuer")]).await;
    assert!(
        matches!(&e, DiscoveryError::InvalidDocument(m) if m.contains("issuer")),
        "{e:?}"
    );
}

#[tokio::test]
async fn issuer_not_a_string() {
    let e = discovery_attack("issuer: 1", &[Edit::set("issuer", 1)]).await;
    assert!(matches!(e, DiscoveryError::InvalidDocument(_)), "{e:?}");
}

#[tokio::test]
async fn issuer_duplicated_with_a_forged_value() {
    // A parser that keeps the last duplicate would see the attacker's issuer.
    let provider = provider().await;
    let body = format!(
        r#"{{"issuer":"{issuer}","issuer":"https://evil.example","authorization_endpoint":"{issuer}/authorize","token_endpoint":"{issuer}/token","jwks_uri":"{issuer}/jwks","response_types_supported":["code"]}}"#,
        issuer = provider.issuer_str()
    );
    provider.inject(Fault::http(
        Endpoint::Discovery,
        HttpFault::Replace {
            status: 200,
            content_type: Some("application/json".into()),
            body: body.into_bytes(),
        },
    ));
    let e = Client::discover(config(&provider))
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&e, DiscoveryError::InvalidDocument(m) if m.contains("duplicate")),
        "{e:?}"
    );
}

// ---- endpoints -------------------------------------------------------------------------------

#[tokio::test]
async fn authorization_endpoint_missing() {
    let e = discovery_attack(
        "no authorization_endpoint",
        &[Edit::remove("authorization_endpoint")],
    )
    .await;
    assert!(
        matches!(e, DiscoveryError::MissingEndpoint("authorization_endpoint")),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_endpoint_missing() {
    let e = discovery_attack("no token_endpoint", &[Edit::remove("token_endpoint")]).await;
    assert!(
        matches!(e, DiscoveryError::MissingEndpoint("token_endpoint")),
        "{e:?}"
    );
}

#[tokio::test]
async fn jwks_uri_missing() {
    let e = discovery_attack("no jwks_uri", &[Edit::remove("jwks_uri")]).await;
    assert!(
        matches!(e, DiscoveryError::MissingEndpoint("jwks_uri")),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_endpoint_on_a_non_loopback_http_host() {
    let e = discovery_attack(
        "http token",
        &[Edit::set("token_endpoint", "http://op.example/token")],
    )
    .await;
    assert!(insecure(&e, "token_endpoint"), "{e:?}");
}

#[tokio::test]
async fn jwks_uri_on_a_non_loopback_http_host() {
    let e = discovery_attack(
        "http jwks",
        &[Edit::set("jwks_uri", "http://op.example/jwks")],
    )
    .await;
    assert!(insecure(&e, "jwks_uri"), "{e:?}");
}

#[tokio::test]
async fn authorization_endpoint_on_a_non_loopback_http_host() {
    let e = discovery_attack(
        "http authorize",
        &[Edit::set(
            "authorization_endpoint",
            "http://op.example/authorize",
        )],
    )
    .await;
    assert!(insecure(&e, "authorization_endpoint"), "{e:?}");
}

#[tokio::test]
async fn userinfo_endpoint_on_a_non_loopback_http_host() {
    let e = discovery_attack(
        "http userinfo",
        &[Edit::set("userinfo_endpoint", "http://op.example/userinfo")],
    )
    .await;
    assert!(insecure(&e, "userinfo_endpoint"), "{e:?}");
}

#[tokio::test]
async fn end_session_endpoint_on_a_non_loopback_http_host() {
    let e = discovery_attack(
        "http logout",
        &[Edit::set(
            "end_session_endpoint",
            "http://op.example/logout",
        )],
    )
    .await;
    assert!(insecure(&e, "end_session_endpoint"), "{e:?}");
}

#[tokio::test]
async fn an_endpoint_with_another_scheme() {
    let e = discovery_attack(
        "ftp token",
        &[Edit::set("token_endpoint", "ftp://127.0.0.1/token")],
    )
    .await;
    assert!(insecure(&e, "token_endpoint"), "{e:?}");
}

#[tokio::test]
async fn an_endpoint_that_is_not_a_url() {
    let e = discovery_attack("relative token", &[Edit::set("token_endpoint", "/token")]).await;
    assert!(
        matches!(&e, DiscoveryError::InvalidDocument(m) if m.contains("token_endpoint")),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_endpoint_of_the_wrong_type() {
    let e = discovery_attack(
        "token_endpoint: []",
        &[Edit::set("token_endpoint", json!([]))],
    )
    .await;
    assert!(matches!(e, DiscoveryError::InvalidDocument(_)), "{e:?}");
}

// ---- supported features ---------------------------------------------------------------------

#[tokio::test]
async fn no_code_response_type() {
    let e = discovery_attack(
        "implicit only",
        &[Edit::set(
            "response_types_supported",
            json!(["id_token", "token id_token"]),
        )],
    )
    .await;
    assert!(
        matches!(
            e,
            DiscoveryError::Unsupported {
                what: "response_type",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn no_form_post_response_mode() {
    let e = discovery_attack(
        "query only",
        &[Edit::set("response_modes_supported", json!(["query"]))],
    )
    .await;
    assert!(
        matches!(
            e,
            DiscoveryError::Unsupported {
                what: "response_mode",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn no_client_secret_post() {
    // Basic only is a legitimate provider (the client then uses Basic, see
    // tests/profiles.rs); insisting on post there is named at start.
    let provider = provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "token_endpoint_auth_methods_supported",
        json!(["client_secret_basic"]),
    )));
    let e = Client::discover(config(&provider).auth_method(AuthMethod::ClientSecretPost))
        .await
        .expect_err("post is not listed");
    assert!(
        matches!(
            e,
            DiscoveryError::Unsupported {
                what: "token endpoint auth method",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn pkce_plain_only() {
    // Metadata that lists only `plain` cannot downgrade PKCE: the client
    // starts (RFC 9700: S256 is always right) and still sends S256, and the
    // login completes against a token endpoint that checks it.
    let provider = provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "code_challenge_methods_supported",
        json!(["plain"]),
    )));
    let env = Env::on(provider, |c| c).await;
    let (request, _) = env.client.login().redirect().expect("a login starts");
    let method: Vec<String> = request
        .url()
        .query_pairs()
        .filter(|(k, _)| k == "code_challenge_method")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(method, ["S256"]);
    env.assert_login_succeeds().await;
}

// ---- malformed documents ------------------------------------------------------------------------

#[tokio::test]
async fn not_json() {
    let e = discovery_replaced("html", Some("text/html"), b"<html>hi</html>").await;
    assert!(
        matches!(&e, DiscoveryError::InvalidDocument(m) if m.contains("expected JSON")),
        "{e:?}"
    );
}

#[tokio::test]
async fn invalid_json() {
    let e = discovery_replaced("truncated", Some("application/json"), br#"{"issuer": "#).await;
    assert!(matches!(e, DiscoveryError::InvalidDocument(_)), "{e:?}");
}

#[tokio::test]
async fn a_json_array() {
    let e = discovery_replaced("array", Some("application/json"), b"[]").await;
    assert!(matches!(e, DiscoveryError::InvalidDocument(_)), "{e:?}");
}

#[tokio::test]
async fn a_server_error() {
    let provider = provider().await;
    provider.inject(Fault::http(
        Endpoint::Discovery,
        HttpFault::OAuthError {
            status: 503,
            error: "temporarily_unavailable".into(),
            description: None,
        },
    ));
    let e = Client::discover(config(&provider)).await.expect_err("503");
    assert!(
        matches!(
            e,
            DiscoveryError::Transport(oidc_core::TransportError::Status { status: 503, .. })
        ),
        "{e:?}"
    );
}

// ---- widened algorithm lists ---------------------------------------------------------------------

async fn widened() -> Env {
    let provider = provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "id_token_signing_alg_values_supported",
        json!(["none", "HS256", "RS256"]),
    )));
    provider.inject(Fault::token_response(Edit::remove("userinfo")));
    Env::on(provider, |c| c).await
}

#[tokio::test]
async fn advertising_none_does_not_make_unsigned_tokens_acceptable() {
    let env = widened().await;
    env.inject(Fault::id_signing(Signing::Unsigned { alg: "none".into() }));
    let e = env.id_token_error("advertised none").await;
    assert_eq!(
        e,
        IdTokenError::Jws(JwsError::AlgorithmNotAllowed("none".into()))
    );
}

#[tokio::test]
async fn advertising_hs256_does_not_make_hmac_tokens_acceptable() {
    let env = widened().await;
    env.inject(Fault::id_signing(Signing::HmacWithPublicKey {
        alg: "HS256".into(),
    }));
    let e = env.id_token_error("advertised HS256").await;
    assert_eq!(
        e,
        IdTokenError::Jws(JwsError::AlgorithmNotAllowed("HS256".into()))
    );
}

#[tokio::test]
async fn a_discovered_jwks_uri_elsewhere_is_used_as_given() {
    // The control: a loopback provider may serve its keys from another
    // loopback URL; the client uses exactly the discovered jwks_uri.
    let provider = provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "jwks_uri",
        format!("{}/jwks?v=2", provider.issuer_str()),
    )));
    let env = Env::on(provider, |c| c).await;
    assert_eq!(env.client.metadata().jwks_uri.query(), Some("v=2"));
    env.assert_login_succeeds().await;
}
