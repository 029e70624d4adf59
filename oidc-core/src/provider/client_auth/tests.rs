use super::*;

#[test]
fn basic_auth_urlencodes_credentials() {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    let header = client_auth(
        AuthMethod::ClientSecretBasic,
        "id:1",
        Some(&ClientSecret::new("p@ss word")),
        &mut form,
    )
    .unwrap();
    let encoded = header
        .to_str()
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap()
        .to_owned();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), "id%3A1:p%40ss+word");
    assert!(form.finish().is_empty());
}

fn parse_form(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn claims(jwt: &str) -> serde_json::Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

fn endpoint() -> Url {
    Url::parse("https://op.example/revoke").unwrap()
}

#[test]
fn private_key_jwt_sends_the_assertion_and_client_id() {
    let key = ClientKey::from_pem(include_str!("../../config/client_key/rsa.pem")).unwrap();
    let credentials = ClientCredentials {
        key: Some((key, SigningAlgorithm::PS256)),
        assertion_audience: Some("https://op.example/token".into()),
        ..ClientCredentials::new("cid", None)
    };
    let (body, authorization) = authenticated_request(
        &credentials,
        AuthMethod::PrivateKeyJwt,
        &endpoint(),
        &[("token", "t")],
    )
    .unwrap();
    assert!(authorization.is_none());
    let form = parse_form(&body);
    assert_eq!(field(&form, "token"), Some("t"));
    assert_eq!(field(&form, "client_id"), Some("cid"));
    assert_eq!(
        field(&form, "client_assertion_type"),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    assert!(field(&form, "client_secret").is_none());
    let jwt = field(&form, "client_assertion").unwrap();
    // The token endpoint is the audience, whatever endpoint is called.
    assert_eq!(claims(jwt)["aud"], "https://op.example/token");
    // Without a configured audience: the endpoint called.
    let credentials = ClientCredentials {
        assertion_audience: None,
        ..credentials
    };
    let (body, _) =
        authenticated_request(&credentials, AuthMethod::PrivateKeyJwt, &endpoint(), &[]).unwrap();
    let form = parse_form(&body);
    assert_eq!(
        claims(field(&form, "client_assertion").unwrap())["aud"],
        "https://op.example/revoke"
    );
}

#[test]
fn the_secret_callback_is_asked_at_each_request() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let credentials = ClientCredentials {
        secret_fn: Some(Arc::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            Ok(ClientSecret::new(format!("secret-{n}")))
        })),
        ..ClientCredentials::new("cid", None)
    };
    for (n, method) in [
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretJwt,
    ]
    .into_iter()
    .enumerate()
    {
        let (body, _) = authenticated_request(&credentials, method, &endpoint(), &[]).unwrap();
        if method == AuthMethod::ClientSecretPost {
            assert_eq!(
                field(&parse_form(&body), "client_secret"),
                Some(format!("secret-{n}").as_str())
            );
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    // `none` never asks.
    authenticated_request(&credentials, AuthMethod::None, &endpoint(), &[]).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn a_failing_callback_fails_the_request() {
    let credentials = ClientCredentials {
        secret_fn: Some(std::sync::Arc::new(|| Err("the vault is sealed".into()))),
        ..ClientCredentials::new("cid", None)
    };
    for method in [AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretJwt] {
        match authenticated_request(&credentials, method, &endpoint(), &[]) {
            Err(TokenError::ClientSecretUnavailable(e)) => {
                assert_eq!(e.to_string(), "the vault is sealed")
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn debug_redacts_the_secret_and_the_key() {
    let key =
        ClientKey::from_jwk(include_str!("../../config/client_key/ec-p256.jwk.json")).unwrap();
    let credentials = ClientCredentials {
        key: Some((key, SigningAlgorithm::ES256)),
        secret_fn: Some(std::sync::Arc::new(|| {
            Ok(ClientSecret::new("from-callback"))
        })),
        ..ClientCredentials::new("cid", Some(ClientSecret::new("hunter2")))
    };
    let shown = format!("{credentials:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let jwk: serde_json::Value =
        serde_json::from_str(include_str!("../../config/client_key/ec-p256.jwk.json")).unwrap();
    assert!(!shown.contains(jwk["d"].as_str().unwrap()), "{shown}");
    assert!(
        shown.contains("ES256") && shown.contains("<callback>"),
        "{shown}"
    );
}
