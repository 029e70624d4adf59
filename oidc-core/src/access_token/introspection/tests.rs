//! Unit tests of the introspection answer's parsing and checks.

use super::*;
use crate::access_token::{AccessTokenVerifier, BearerError, ResourceServerConfig};
use crate::error::{ClaimsError, ConfigError};
use crate::jose::issuer::ExpectedIssuer;
use crate::support::test_signer::Signer;
use crate::util::unix_now;
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::json;

const ISS: &str = "https://op.example";
const AUD: &str = "https://api.example";

fn endpoint() -> Url {
    Url::parse("https://op.example/introspect?x=1").unwrap()
}

fn response(status: u16, content_type: &str, body: &str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
    Response {
        status,
        headers,
        body: Bytes::from(body.to_owned()),
    }
}

fn json_response(status: u16, body: Value) -> Response {
    response(status, "application/json", &body.to_string())
}

#[test]
fn an_active_answer_is_returned_whole() {
    let object = parse(
        &json_response(200, json!({"active": true, "sub": "u1"})),
        &endpoint(),
    )
    .unwrap();
    assert_eq!(object.get("sub"), Some(&json!("u1")));
}

#[test]
fn active_must_be_the_boolean_true() {
    let inactive = parse(&json_response(200, json!({"active": false})), &endpoint());
    assert_eq!(inactive.unwrap_err(), AccessTokenError::Inactive);
    for body in [
        json!({"sub": "u1"}),
        json!({"active": "true"}),
        json!({"active": 1}),
        json!({"active": null}),
    ] {
        let error = parse(&json_response(200, body.clone()), &endpoint()).unwrap_err();
        assert!(
            matches!(error, AccessTokenError::IntrospectionInvalidResponse(_)),
            "{body}: {error:?}"
        );
        assert_eq!(error.server_status(), Some(503));
    }
}

#[test]
fn a_body_that_is_not_a_json_object_is_an_invalid_response() {
    for response in [
        response(200, "text/html", "<html>active</html>"),
        response(200, "application/json", "[true]"),
        response(200, "application/json", "{\"active\": true,"),
        // Duplicate members are refused (StrictObject): which one counts?
        response(
            200,
            "application/json",
            r#"{"active": false, "active": true}"#,
        ),
    ] {
        let error = parse(&response, &endpoint()).unwrap_err();
        assert!(
            matches!(error, AccessTokenError::IntrospectionInvalidResponse(_)),
            "{error:?}"
        );
    }
}

#[test]
fn an_oauth_error_is_a_refusal_of_the_api_and_other_statuses_an_outage() {
    let refused = parse(
        &json_response(
            401,
            json!({"error": "invalid_client", "error_description": "bad secret"}),
        ),
        &endpoint(),
    )
    .unwrap_err();
    assert_eq!(
        refused,
        AccessTokenError::IntrospectionRefused {
            error: "invalid_client".into(),
            description: Some("bad secret".into()),
            status: 401,
        }
    );
    assert_eq!(refused.server_status(), Some(500));
    assert_eq!(refused.check_name(), "introspection.refused");

    let outage = parse(&response(502, "text/html", "bad gateway"), &endpoint()).unwrap_err();
    match &outage {
        AccessTokenError::IntrospectionUnavailable(TransportError::Status { url, status }) => {
            assert_eq!(*status, 502);
            assert!(!url.contains("x=1"), "the query stays out of errors: {url}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(outage.server_status(), Some(503));
    assert_eq!(outage.check_name(), "transport.status");
}

#[test]
fn the_method_follows_the_introspection_list_then_the_token_list() {
    let list = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        auth_method(None, false, None, None).unwrap(),
        AuthMethod::ClientSecretBasic
    );
    let basic = list(&["private_key_jwt", "client_secret_basic"]);
    let both = list(&["client_secret_basic", "client_secret_post"]);
    assert_eq!(
        auth_method(None, false, Some(&basic), Some(&both)).unwrap(),
        AuthMethod::ClientSecretBasic
    );
    assert_eq!(
        auth_method(None, false, None, Some(&both)).unwrap(),
        AuthMethod::ClientSecretPost
    );
    let keys_only = list(&["private_key_jwt"]);
    assert!(matches!(
        auth_method(None, false, Some(&keys_only), Some(&both)),
        Err(DiscoveryError::Unsupported { .. })
    ));
    // A configured method wins, if listed.
    assert_eq!(
        auth_method(
            Some(AuthMethod::ClientSecretBasic),
            false,
            None,
            Some(&both)
        )
        .unwrap(),
        AuthMethod::ClientSecretBasic
    );
    assert_eq!(
        auth_method(Some(AuthMethod::ClientSecretPost), false, None, None).unwrap(),
        AuthMethod::ClientSecretPost
    );
    assert!(matches!(
        auth_method(
            Some(AuthMethod::ClientSecretPost),
            false,
            Some(&basic),
            None
        ),
        Err(DiscoveryError::Unsupported { .. })
    ));
}

/// An API with a key uses `private_key_jwt`, listed or without a list,
/// and never falls back to a secret method it has no secret for; the
/// assertion algorithm is the key's first the provider lists.
#[test]
fn an_api_with_a_key_uses_private_key_jwt() {
    let list = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let with_keys = list(&["client_secret_basic", "private_key_jwt"]);
    let secrets_only = list(&["client_secret_basic", "client_secret_post"]);
    assert_eq!(
        auth_method(None, true, None, Some(&with_keys)).unwrap(),
        AuthMethod::PrivateKeyJwt
    );
    assert_eq!(
        auth_method(None, true, None, None).unwrap(),
        AuthMethod::PrivateKeyJwt
    );
    assert!(matches!(
        auth_method(None, true, Some(&secrets_only), Some(&with_keys)),
        Err(DiscoveryError::Unsupported { .. })
    ));

    let key = crate::config::ClientKey::from_pem(include_str!("../../config/client_key/rsa.pem"))
        .unwrap();
    assert_eq!(
        assertion_algorithm(&key, None).unwrap(),
        crate::config::SigningAlgorithm::RS256
    );
    assert_eq!(
        assertion_algorithm(&key, Some(&list(&["ES256", "PS256"]))).unwrap(),
        crate::config::SigningAlgorithm::PS256
    );
    assert!(matches!(
        assertion_algorithm(&key, Some(&list(&["ES256"]))),
        Err(DiscoveryError::Unsupported { .. })
    ));
}

#[test]
fn only_jws_shaped_tokens_count_as_jwts() {
    let header = |v: Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let jwt = format!("{}.e30.sig", header(json!({"alg": "RS256"})));
    assert!(is_jwt_shaped(&jwt));
    assert!(!is_jwt_shaped("2YotnFZFEjr1zCsicMWpAA"));
    assert!(!is_jwt_shaped("a.b.c"), "the header must be a JSON object");
    assert!(
        !is_jwt_shaped(&format!("{jwt}.x.y")),
        "a JWE goes to introspection"
    );
    assert!(!is_jwt_shaped(&format!(
        "{}.e30.sig",
        header(json!(["alg"]))
    )));
}

fn introspected(body: Value) -> Result<AccessTokenClaims, AccessTokenError> {
    let Value::Object(map) = body else {
        panic!("not an object")
    };
    AccessTokenClaims::from_introspection(map, ISS, false, 4_000)
}

#[test]
fn absent_members_take_their_documented_defaults() {
    let claims = introspected(json!({"active": true, "client_id": "svc", "aud": AUD,
                                     "scope": "a  b"}))
    .unwrap();
    assert_eq!(
        claims.sub, "svc",
        "a client-credentials token is its client's"
    );
    assert_eq!(claims.iss, ISS);
    assert_eq!(claims.exp, 4_000, "without exp, the cache bound");
    assert_eq!(claims.scopes, ["a", "b"]);
    assert_eq!(claims.aud, [AUD]);
    let missing = introspected(json!({"active": true, "aud": AUD})).unwrap_err();
    assert_eq!(missing, ClaimsError::Missing("sub").into());
}

#[test]
fn a_missing_audience_is_refused_unless_accepted() {
    let body = json!({"active": true, "sub": "u1"});
    assert_eq!(
        introspected(body.clone()).unwrap_err(),
        AccessTokenError::MissingAudience
    );
    assert_eq!(
        AccessTokenError::MissingAudience.check_name(),
        "introspection.missing_aud"
    );
    let Value::Object(map) = body else {
        unreachable!()
    };
    let accepted = AccessTokenClaims::from_introspection(map, ISS, true, 4_000).unwrap();
    assert!(accepted.aud.is_empty());
}

#[test]
fn refresh_tokens_and_mistyped_members_are_refused() {
    assert_eq!(
        introspected(
            json!({"active": true, "sub": "u1", "aud": AUD, "token_type": "refresh_token"})
        )
        .unwrap_err(),
        AccessTokenError::RefreshToken
    );
    for (name, value) in [
        ("exp", json!("soon")),
        ("sub", json!(7)),
        ("aud", json!(3)),
        ("scope", json!(["a"])),
        ("iss", json!(true)),
    ] {
        let mut body = json!({"active": true, "sub": "u1", "aud": AUD});
        body[name] = value;
        assert!(
            matches!(
                introspected(body),
                Err(AccessTokenError::Claims(ClaimsError::Invalid(_)))
            ),
            "{name}"
        );
    }
}

fn verifier(config: ResourceServerConfig) -> AccessTokenVerifier {
    let issuer = ExpectedIssuer::exact(ISS);
    AccessTokenVerifier::with_jwks(
        config,
        issuer,
        vec![crate::SigningAlgorithm::RS256],
        Signer::rsa("k1").jwks(),
    )
}

fn checked(body: Value) -> Result<(), AccessTokenError> {
    let verifier = verifier(ResourceServerConfig::new(ISS, AUD));
    let claims = introspected(body)?;
    claims.check_introspected(&verifier.inner, unix_now())
}

#[test]
fn introspected_claims_are_checked_like_a_jwt_access_tokens() {
    let now = unix_now();
    let base =
        || json!({"active": true, "sub": "u1", "aud": [AUD, "other"], "exp": now + 60, "iat": now});
    checked(base()).unwrap();

    let mut wrong_aud = base();
    wrong_aud["aud"] = json!("https://other.example");
    let error = checked(wrong_aud).unwrap_err();
    assert!(matches!(error, AccessTokenError::WrongAudience { .. }));
    assert_eq!(BearerError::Token(error).status(), 401);

    let mut expired = base();
    expired["exp"] = json!(now - 3_600);
    let error = checked(expired).unwrap_err();
    assert!(matches!(
        error,
        AccessTokenError::Claims(ClaimsError::Expired { .. })
    ));
    assert_eq!(error.check_name(), "access_token.expired");

    let mut other_issuer = base();
    other_issuer["iss"] = json!("https://evil.example");
    assert!(matches!(
        checked(other_issuer),
        Err(AccessTokenError::Claims(ClaimsError::WrongIssuer { .. }))
    ));

    let mut not_yet = base();
    not_yet["nbf"] = json!(now + 3_600);
    assert!(matches!(
        checked(not_yet),
        Err(AccessTokenError::Claims(ClaimsError::NotYetValid { .. }))
    ));

    let mut future_iat = base();
    future_iat["iat"] = json!(now + 3_600);
    assert!(matches!(
        checked(future_iat),
        Err(AccessTokenError::Claims(ClaimsError::IssuedInFuture { .. }))
    ));
}

#[test]
fn inactive_and_outages_answer_as_rfc_6750_says() {
    let inactive = BearerError::Token(AccessTokenError::Inactive);
    assert_eq!(inactive.status(), 401);
    let challenge = inactive.www_authenticate("api").unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");

    let outage = BearerError::Token(AccessTokenError::IntrospectionUnavailable(
        TransportError::Timeout {
            url: "https://op.example/introspect".into(),
            timeout: Duration::from_secs(1),
        },
    ));
    assert_eq!(outage.status(), 503);
    assert_eq!(outage.www_authenticate("api"), None);

    let refused = BearerError::Token(AccessTokenError::IntrospectionRefused {
        error: "invalid_client".into(),
        description: None,
        status: 401,
    });
    assert_eq!(refused.status(), 500);
    assert_eq!(refused.www_authenticate("api"), None);
}

#[test]
fn introspecting_needs_credentials_and_a_bounded_cache() {
    let base = || ResourceServerConfig::new(ISS, AUD);
    assert!(base().validate().is_ok());
    assert_eq!(
        base()
            .token_validation(TokenValidation::Introspection)
            .validate(),
        Err(ConfigError::MissingIntrospectionClient)
    );
    assert_eq!(
        base()
            .token_validation(TokenValidation::Auto)
            .introspection_client(" ", "s")
            .validate(),
        Err(ConfigError::EmptyClientId)
    );
    assert!(
        base()
            .token_validation(TokenValidation::Auto)
            .introspection_client("api", "s")
            .validate()
            .is_ok()
    );
    assert_eq!(
        base()
            .introspection_auth_method(AuthMethod::None)
            .validate(),
        Err(ConfigError::UnsupportedIntrospectionMethod("none"))
    );
    assert!(matches!(
        base()
            .introspection_cache_ttl(Duration::from_secs(3_601))
            .validate(),
        Err(ConfigError::InvalidDuration {
            field: "introspection_cache_ttl",
            ..
        })
    ));
}

#[test]
fn the_introspection_secret_never_reaches_debug() {
    let config = ResourceServerConfig::new(ISS, AUD)
        .token_validation(TokenValidation::Introspection)
        .introspection_client("api", "hunter2-very-secret");
    let shown = format!("{config:?}");
    assert!(shown.contains("api"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn every_new_error_has_a_name_in_its_family() {
    let errors = [
        AccessTokenError::Inactive,
        AccessTokenError::MissingAudience,
        AccessTokenError::RefreshToken,
        AccessTokenError::IntrospectionInvalidResponse("x".into()),
        AccessTokenError::IntrospectionClientAuth("x".into()),
    ];
    for error in errors {
        assert!(
            error.check_name().starts_with("introspection."),
            "{error:?}"
        );
    }
}
