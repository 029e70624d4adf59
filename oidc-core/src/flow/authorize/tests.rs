use super::*;

#[test]
fn pkce_s256_matches_rfc7636_appendix_b() {
    assert_eq!(
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

/// A client for `https://op.example`, built without a network from a fixed
/// discovery document.
fn client(configure: impl FnOnce(crate::ClientConfig) -> crate::ClientConfig) -> crate::Client {
    let config = configure(
        crate::ClientConfig::for_issuer("https://op.example")
            .client_id("cid")
            .redirect_uri("https://app.example/cb")
            .client_secret("secret"),
    );
    let document = serde_json::json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "jwks_uri": "https://op.example/jwks",
        "response_types_supported": ["code"],
    });
    let metadata = crate::provider::discovery::ProviderMetadata::from_document(
        document.to_string().as_bytes(),
        &config,
    )
    .unwrap();
    let negotiated = crate::provider::negotiated::Negotiated::resolve(&config, &metadata).unwrap();
    let http = crate::provider::http::Http::from_limits(&config.limits).unwrap();
    crate::Client::with_metadata(config, metadata, negotiated, http)
}

/// The values of `name` in the authorization URL.
fn sent(request: &AuthorizationRequest, name: &str) -> Vec<String> {
    request
        .url()
        .query_pairs()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

#[test]
fn a_parameter_given_twice_is_refused() {
    let err = client(|c| c)
        .login()
        .param("ui_locales", "fr")
        .param("ui_locales", "de")
        .redirect()
        .unwrap_err();
    assert_eq!(err, AuthorizeError::DuplicateParameter("ui_locales".into()));

    // Once in the configuration and once in the login is twice too.
    let err = client(|c| c.authorization_param("audience", "https://api.example"))
        .login()
        .param("audience", "https://other.example")
        .redirect()
        .unwrap_err();
    assert_eq!(err, AuthorizeError::DuplicateParameter("audience".into()));

    // acr_values as a parameter and through `acr_values` is the same one.
    let err = client(|c| c)
        .login()
        .acr_values(["urn:x:loa:2"])
        .param("acr_values", "urn:x:loa:1")
        .redirect()
        .unwrap_err();
    assert_eq!(err, AuthorizeError::DuplicateParameter("acr_values".into()));
    let err = client(|c| c.authorization_param("acr_values", "urn:x:loa:1"))
        .login()
        .acr_values(["urn:x:loa:2"])
        .redirect()
        .unwrap_err();
    assert_eq!(err, AuthorizeError::DuplicateParameter("acr_values".into()));
}

#[test]
fn a_reserved_parameter_is_refused_before_duplicates() {
    let err = client(|c| c)
        .login()
        .param("nonce", "mine")
        .param("nonce", "mine")
        .redirect()
        .unwrap_err();
    assert_eq!(err, AuthorizeError::ReservedParameter("nonce".into()));
}

#[test]
fn acr_values_are_sent_once_and_kept_in_the_pending_login() {
    let (request, login) = client(|c| c)
        .login()
        .acr_values(["urn:x:loa:3", "urn:x:loa:2"])
        .acr_values(["urn:x:loa:2", "urn:x:loa:3"])
        .redirect()
        .unwrap();
    assert_eq!(sent(&request, "acr_values"), ["urn:x:loa:2 urn:x:loa:3"]);
    assert_eq!(login.pending().acr_values(), ["urn:x:loa:2", "urn:x:loa:3"]);

    // The same request through a parameter, of the login or the configuration.
    for client in [
        client(|c| c),
        client(|c| c.authorization_param("acr_values", "urn:x:loa:2  urn:x:loa:3")),
    ] {
        let mut login = client.login();
        if client.config().authorization_params.is_empty() {
            login = login.param("acr_values", "urn:x:loa:2  urn:x:loa:3");
        }
        let (request, login) = login.redirect().unwrap();
        assert_eq!(sent(&request, "acr_values"), ["urn:x:loa:2  urn:x:loa:3"]);
        assert_eq!(login.pending().acr_values(), ["urn:x:loa:2", "urn:x:loa:3"]);
    }

    // None asked: nothing sent, nothing to check.
    let (request, login) = client(|c| c)
        .login()
        .acr_values::<[&str; 0], _>([])
        .redirect()
        .unwrap();
    assert!(sent(&request, "acr_values").is_empty());
    assert!(login.pending().acr_values().is_empty());
}
