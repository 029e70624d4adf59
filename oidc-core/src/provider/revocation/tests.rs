use super::*;
use crate::ClientConfig;
use crate::provider::discovery::ProviderMetadata;
use crate::provider::http::Http;
use crate::provider::negotiated::Negotiated;
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

fn endpoint() -> Url {
    Url::parse("https://op.example/revoke?x=1").unwrap()
}

fn response(status: u16, content_type: &'static str, body: &str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    Response {
        status,
        headers,
        body: Bytes::from(body.to_owned()),
    }
}

/// A client for `https://op.example` whose metadata has `extra`, built
/// without a network.
fn client(secret: bool, extra: Value) -> Client {
    let mut config = ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb");
    if secret {
        config = config.client_secret("s");
    }
    client_with(config, extra)
}

/// [`client`] with any configuration.
fn client_with(config: ClientConfig, extra: Value) -> Client {
    let mut document = json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "jwks_uri": "https://op.example/jwks",
        "response_types_supported": ["code"],
        "revocation_endpoint": "https://op.example/revoke",
    });
    for (k, v) in extra.as_object().unwrap() {
        document[k] = v.clone();
    }
    let metadata = ProviderMetadata::from_document(document.to_string().as_bytes(), &config)
        .expect("metadata");
    let negotiated = Negotiated::resolve(&config, &metadata).expect("negotiated");
    let http = Http::from_limits(&config.limits).unwrap();
    Client::with_metadata(config, metadata, negotiated, http)
}

#[test]
fn ok_whatever_the_body() {
    // Section 2.2: the content of a 200 answer is ignored.
    for (content_type, body) in [("text/plain", ""), ("application/json", "{not json")] {
        assert!(parse(&response(200, content_type, body), &endpoint()).is_ok());
    }
}

#[test]
fn an_oauth_error_is_refused_with_its_code() {
    let error = parse(
        &response(
            400,
            "application/json",
            r#"{"error":"unsupported_token_type","error_description":"no"}"#,
        ),
        &endpoint(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, TokenError::RevocationRefused { error, description, status: 400 }
            if error == "unsupported_token_type" && description.as_deref() == Some("no")),
        "{error:?}"
    );
    assert_eq!(error.check_name(), "revocation.unsupported_token_type");
    let error = parse(
        &response(401, "application/json", r#"{"error":"invalid_client"}"#),
        &endpoint(),
    )
    .unwrap_err();
    assert_eq!(error.check_name(), "revocation.refused");
}

#[test]
fn another_status_is_a_transport_status_without_the_query() {
    // 503 (section 2.2.1): not retried, reported for the caller to log.
    let error = parse(&response(503, "text/html", "<h1>down</h1>"), &endpoint()).unwrap_err();
    assert!(
        matches!(&error, TokenError::Transport(TransportError::Status { url, status: 503 })
            if url == "https://op.example/revoke"),
        "{error:?}"
    );
    assert_eq!(error.check_name(), "transport.status");
}

#[test]
fn the_token_endpoints_method_unless_the_revocation_list_excludes_it() {
    let list = |methods: Value| json!({ "revocation_endpoint_auth_methods_supported": methods });
    // No token endpoint list: client_secret_basic; no revocation list: the same.
    assert_eq!(
        auth_method(&client(true, json!({}))),
        AuthMethod::ClientSecretBasic
    );
    assert_eq!(
        auth_method(&client(
            true,
            list(json!(["client_secret_basic", "client_secret_post"]))
        )),
        AuthMethod::ClientSecretBasic
    );
    assert_eq!(
        auth_method(&client(
            true,
            list(json!(["private_key_jwt", "client_secret_post"]))
        )),
        AuthMethod::ClientSecretPost
    );
    assert_eq!(
        auth_method(&client(
            false,
            json!({
                "token_endpoint_auth_methods_supported": ["none"],
                "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
            })
        )),
        AuthMethod::None,
        "nothing usable: the token endpoint's method, for the provider to judge"
    );
}

#[test]
fn the_jwt_methods_follow_the_same_rule() {
    let key = crate::ClientKey::from_pem(include_str!("../../config/client_key/ec-p256.pem"))
        .expect("key");
    let keyed = || {
        ClientConfig::for_issuer("https://op.example")
            .client_id("cid")
            .redirect_uri("https://app.example/cb")
            .private_key(key.clone())
    };
    let methods = |token: Value, revocation: Value| {
        json!({
            "token_endpoint_auth_methods_supported": token,
            "revocation_endpoint_auth_methods_supported": revocation,
        })
    };
    // As at the token endpoint when listed.
    let client = client_with(
        keyed(),
        methods(json!(["private_key_jwt"]), json!(["private_key_jwt"])),
    );
    assert_eq!(auth_method(&client), AuthMethod::PrivateKeyJwt);
    // The key is preferred among the listed methods the client can use.
    let both = client_with(
        keyed()
            .client_secret("s")
            .auth_method(AuthMethod::ClientSecretBasic),
        methods(
            json!(["client_secret_basic", "private_key_jwt"]),
            json!(["client_secret_post", "private_key_jwt"]),
        ),
    );
    assert_eq!(auth_method(&both), AuthMethod::PrivateKeyJwt);
    // Otherwise the first listed method the client can use.
    let secret = client_with(
        keyed()
            .client_secret("s")
            .auth_method(AuthMethod::ClientSecretPost),
        methods(
            json!(["client_secret_post"]),
            json!(["client_secret_jwt", "tls_client_auth"]),
        ),
    );
    assert_eq!(auth_method(&secret), AuthMethod::ClientSecretJwt);
    // A key without a secret never picks a secret method.
    let key_only = client_with(
        keyed(),
        methods(json!(["private_key_jwt"]), json!(["client_secret_post"])),
    );
    assert_eq!(auth_method(&key_only), AuthMethod::PrivateKeyJwt);
}

#[tokio::test]
async fn without_an_endpoint_nothing_is_sent() {
    let client = client(true, json!({ "revocation_endpoint": null }));
    assert!(client.metadata().revocation_endpoint.is_none());
    let error = revoke(&client, "t", TokenTypeHint::RefreshToken)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TokenError::RevocationUnsupported),
        "{error:?}"
    );
    assert_eq!(error.check_name(), "revocation.unsupported");
}
