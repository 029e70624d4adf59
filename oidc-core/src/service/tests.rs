use super::*;
use crate::ClientConfig;
use crate::config::AuthMethod;
use crate::provider::discovery::ProviderMetadata;
use crate::provider::http::Http;
use crate::provider::negotiated::Negotiated;
use serde_json::json;

/// A client for `https://op.example` authenticating with `method`, built
/// without a network.
fn client(method: AuthMethod) -> Client {
    let config = ClientConfig::for_issuer("https://op.example")
        .client_id("svc")
        .redirect_uri("https://app.example/cb")
        .client_secret("very-secret")
        .auth_method(method);
    let document = json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "jwks_uri": "https://op.example/jwks",
        "response_types_supported": ["code"],
    });
    let metadata = ProviderMetadata::from_document(document.to_string().as_bytes(), &config)
        .expect("metadata");
    let negotiated = Negotiated::resolve(&config, &metadata).expect("negotiated");
    let http = Http::from_limits(&config.limits).unwrap();
    Client::with_metadata(config, metadata, negotiated, http)
}

fn pairs(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

#[test]
fn the_request_is_the_grant_with_scopes_and_extras_and_no_openid() {
    let service = ServiceClient::new(client(AuthMethod::ClientSecretPost))
        .scopes(["reports:read", "reports:write"])
        .resource("https://api.example")
        .param("audience", "https://api.example");
    let (body, authorization) = service.form().unwrap();
    assert!(authorization.is_none());
    let pairs = pairs(&body);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("grant_type"), Some("client_credentials"));
    assert_eq!(get("scope"), Some("reports:read reports:write"));
    assert_eq!(get("resource"), Some("https://api.example"));
    assert_eq!(get("audience"), Some("https://api.example"));
    assert_eq!(get("client_id"), Some("svc"));
    assert_eq!(get("client_secret"), Some("very-secret"));
}

#[test]
fn no_scope_parameter_without_scopes_and_basic_auth_in_the_header() {
    let service = ServiceClient::new(client(AuthMethod::ClientSecretBasic));
    let (body, authorization) = service.form().unwrap();
    assert_eq!(
        pairs(&body),
        [("grant_type".to_owned(), "client_credentials".to_owned())]
    );
    let header = authorization.expect("basic credentials");
    assert!(header.is_sensitive());
}

#[test]
fn debug_shows_neither_the_secret_nor_a_token() {
    let service = ServiceClient::new(client(AuthMethod::ClientSecretPost)).scopes(["a"]);
    let shown = format!("{service:?}");
    assert!(shown.contains("svc"), "{shown}");
    assert!(!shown.contains("very-secret"), "{shown}");
}

#[test]
fn a_builder_step_on_a_shared_client_does_not_change_the_other_clone() {
    let first = ServiceClient::new(client(AuthMethod::ClientSecretPost)).scopes(["a"]);
    let second = first.clone().scopes(["b"]);
    assert_eq!(first.inner.scopes, ["a"]);
    assert_eq!(second.inner.scopes, ["b"]);
    assert_eq!(DEFAULT_LEEWAY, Duration::from_secs(30));
}
