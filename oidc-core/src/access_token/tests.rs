//! Unit tests of access token verification.

use super::errors::quoted;
use super::*;
use crate::error::{ClaimsError, JwsError};
use crate::support::test_signer::{Signer, with};
use serde_json::{Value, json};

const ISS: &str = "https://op.example";
const AUD: &str = "https://api.example";

fn header() -> Value {
    json!({"alg": "RS256", "kid": "k1", "typ": "at+jwt"})
}

fn claims() -> Value {
    let now = unix_now();
    json!({"iss": ISS, "sub": "user-1", "aud": AUD, "client_id": "app", "scope": "openid email api",
           "iat": now, "exp": now + 300, "jti": "j1", "auth_time": now - 5})
}

/// A verifier as discovery builds it for a provider that advertises `advertised`.
fn verifier_for(
    config: ResourceServerConfig,
    advertised: &[&str],
    jwks: JwksCache,
) -> AccessTokenVerifier {
    let advertised: Vec<String> = advertised.iter().map(|a| (*a).to_owned()).collect();
    let algorithms = config
        .algorithms
        .clone()
        .unwrap_or_else(|| algorithms_from_metadata(&advertised));
    let issuer = ExpectedIssuer::exact(&config.issuer);
    AccessTokenVerifier::with_jwks(config, issuer, algorithms, jwks)
}

/// A verifier for a provider that publishes no algorithm list (RS256).
fn verifier_with(config: ResourceServerConfig, jwks: JwksCache) -> AccessTokenVerifier {
    verifier_for(config, &[], jwks)
}

async fn check_with(
    config: ResourceServerConfig,
    header: Value,
    claims: Value,
) -> Result<AccessTokenClaims, AccessTokenError> {
    let signer = Signer::rsa("k1");
    let verifier = verifier_with(config, signer.jwks());
    verifier.verify(&signer.sign(&header, &claims)).await
}

async fn check(header: Value, claims: Value) -> Result<AccessTokenClaims, AccessTokenError> {
    check_with(ResourceServerConfig::new(ISS, AUD), header, claims).await
}

async fn fails(changes: Value) -> AccessTokenError {
    check(header(), with(claims(), changes)).await.unwrap_err()
}

#[tokio::test]
async fn a_valid_token_verifies() {
    let verified = check(header(), claims()).await.unwrap();
    assert_eq!(verified.sub, "user-1");
    assert_eq!(verified.client_id.as_deref(), Some("app"));
    assert_eq!(verified.scopes, ["openid", "email", "api"]);
    assert!(verified.has_scope("api"));
    assert!(verified.require_scopes(&["api", "email"]).is_ok());
    // application/at+jwt, any case.
    let h = with(header(), json!({"typ": "application/AT+JWT"}));
    assert!(check(h, claims()).await.is_ok());
    // Several audiences, one of them ours.
    assert!(
        check(header(), with(claims(), json!({"aud": ["other", AUD]})))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn typ_must_be_at_jwt() {
    for typ in [json!("JWT"), json!("logout+jwt"), json!(null)] {
        let h = with(header(), json!({ "typ": typ }));
        assert!(
            matches!(
                check(h, claims()).await,
                Err(AccessTokenError::WrongType(_))
            ),
            "{typ}"
        );
    }
    // Untyped mode accepts JWT and no typ, never another token type.
    let lenient = || ResourceServerConfig::new(ISS, AUD).token_type(AccessTokenType::AllowUntyped);
    for typ in [json!("JWT"), json!(null)] {
        let h = with(header(), json!({ "typ": typ }));
        assert!(check_with(lenient(), h, claims()).await.is_ok(), "{typ}");
    }
    let h = with(header(), json!({"typ": "logout+jwt"}));
    assert!(matches!(
        check_with(lenient(), h, claims()).await,
        Err(AccessTokenError::WrongType(_))
    ));
}

#[tokio::test]
async fn an_id_token_is_refused_in_every_mode() {
    let id_token = json!({"iss": ISS, "sub": "user-1", "aud": AUD, "iat": unix_now(),
                          "exp": unix_now() + 300, "nonce": "n", "at_hash": "x"});
    let typed = with(header(), json!({"typ": "JWT"}));
    assert!(matches!(
        check(typed.clone(), id_token.clone()).await,
        Err(AccessTokenError::WrongType(_))
    ));
    let lenient = ResourceServerConfig::new(ISS, AUD).token_type(AccessTokenType::AllowUntyped);
    assert_eq!(
        check_with(lenient, typed, id_token).await,
        Err(AccessTokenError::IdToken("nonce"))
    );
    // Even typed at+jwt, an ID token claim gives it away.
    assert_eq!(
        fails(json!({"c_hash": "x"})).await,
        AccessTokenError::IdToken("c_hash")
    );
}

#[tokio::test]
async fn issuer_and_audience_must_match() {
    assert!(matches!(
        fails(json!({"iss": "https://evil.example"})).await,
        AccessTokenError::Claims(ClaimsError::WrongIssuer { .. })
    ));
    assert!(matches!(
        fails(json!({"iss": "https://op.example/"})).await,
        AccessTokenError::Claims(ClaimsError::WrongIssuer { .. })
    ));
    assert!(matches!(
        fails(json!({"aud": "other"})).await,
        AccessTokenError::WrongAudience { .. }
    ));
    assert!(matches!(
        fails(json!({"aud": []})).await,
        AccessTokenError::Claims(ClaimsError::Invalid(_))
    ));
    assert_eq!(
        fails(json!({"aud": null})).await,
        AccessTokenError::Claims(ClaimsError::Missing("aud"))
    );
}

#[tokio::test]
async fn times_are_checked_with_tolerance() {
    let now = unix_now();
    assert!(matches!(
        fails(json!({"exp": now - 61})).await,
        AccessTokenError::Claims(ClaimsError::Expired { .. })
    ));
    assert!(
        check(header(), with(claims(), json!({"exp": now - 30})))
            .await
            .is_ok()
    );
    assert!(matches!(
        fails(json!({"nbf": now + 120})).await,
        AccessTokenError::Claims(ClaimsError::NotYetValid { .. })
    ));
    assert!(matches!(
        fails(json!({"iat": now + 120})).await,
        AccessTokenError::Claims(ClaimsError::IssuedInFuture { .. })
    ));
    assert_eq!(
        fails(json!({"exp": null})).await,
        AccessTokenError::Claims(ClaimsError::Missing("exp"))
    );
    assert!(matches!(
        fails(json!({"exp": "soon"})).await,
        AccessTokenError::Claims(ClaimsError::Invalid(_))
    ));
}

#[tokio::test]
async fn rfc9068_claims_are_required() {
    for claim in ["client_id", "iat", "jti", "sub"] {
        assert_eq!(
            fails(json!({ claim: null })).await,
            AccessTokenError::Claims(ClaimsError::Missing(claim))
        );
    }
    let lenient = ResourceServerConfig::new(ISS, AUD).token_type(AccessTokenType::AllowUntyped);
    let bare = with(
        claims(),
        json!({"client_id": null, "iat": null, "jti": null}),
    );
    assert!(check_with(lenient, header(), bare).await.is_ok());
}

#[tokio::test]
async fn scopes_from_scope_or_scp() {
    let scp = with(claims(), json!({"scope": null, "scp": ["a", "b"]}));
    assert_eq!(check(header(), scp).await.unwrap().scopes, ["a", "b"]);
    let scp = with(claims(), json!({"scope": null, "scp": "a b"}));
    assert_eq!(check(header(), scp).await.unwrap().scopes, ["a", "b"]);
    assert!(matches!(
        fails(json!({"scope": ["a"]})).await,
        AccessTokenError::Claims(ClaimsError::Invalid(_))
    ));
    let config = ResourceServerConfig::new(ISS, AUD).required_scopes(["api", "admin"]);
    let err = check_with(config, header(), claims()).await.unwrap_err();
    assert_eq!(
        err,
        AccessTokenError::InsufficientScope {
            required: vec!["api".into(), "admin".into()]
        }
    );
}

#[tokio::test]
async fn signature_and_algorithm_are_checked() {
    let signer = Signer::rsa("k1");
    let other = Signer::rsa("k1");
    let verifier = verifier_with(ResourceServerConfig::new(ISS, AUD), signer.jwks());
    let forged = other.sign(&header(), &claims());
    assert_eq!(
        verifier.verify(&forged).await,
        Err(AccessTokenError::Jws(JwsError::BadSignature))
    );
    let h = with(header(), json!({"alg": "HS256"}));
    assert!(matches!(
        verifier.verify(&signer.sign(&h, &claims())).await,
        Err(AccessTokenError::Jws(JwsError::AlgorithmNotAllowed(_)))
    ));
    assert!(matches!(
        verifier.verify("not-a-jwt").await,
        Err(AccessTokenError::Jws(JwsError::Malformed(_)))
    ));
}

#[test]
fn challenges_follow_rfc_6750() {
    let realm = "api";
    assert_eq!(
        BearerError::MissingToken.www_authenticate(realm).unwrap(),
        "Bearer realm=\"api\""
    );
    assert_eq!(BearerError::MissingToken.status(), 401);
    let expired = BearerError::Token(AccessTokenError::Claims(ClaimsError::Expired {
        exp: 1,
        now: 2,
        tolerance_secs: 0,
    }));
    assert_eq!(expired.status(), 401);
    assert_eq!(
        expired.www_authenticate(realm).unwrap(),
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the access token expired\""
    );
    let scope = BearerError::Token(AccessTokenError::InsufficientScope {
        required: vec!["a".into(), "b".into()],
    });
    assert_eq!(scope.status(), 403);
    assert_eq!(
        scope.www_authenticate(realm).unwrap(),
        "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"the access token lacks a required scope\", scope=\"a b\""
    );
    let unavailable = BearerError::Token(AccessTokenError::Jws(JwsError::KeysUnavailable(
        "down".into(),
    )));
    assert_eq!(unavailable.status(), 503);
    assert_eq!(unavailable.www_authenticate(realm), None);
    assert_eq!(quoted("a\"b\\c\u{e9}"), "a'b'c?");
}

#[test]
fn the_authorization_header_is_parsed_strictly() {
    assert_eq!(bearer_token(Some("Bearer a.b.c")), Ok("a.b.c"));
    assert_eq!(bearer_token(Some("BEARER abc==")), Ok("abc=="));
    assert_eq!(
        bearer_token(Some("Basic abc")),
        Err(BearerError::MissingToken)
    );
    assert_eq!(bearer_token(Some("")), Err(BearerError::MissingToken));
    for bad in [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer a,b",
        "Bearer =",
        "Bearer a\"b",
    ] {
        assert!(
            matches!(bearer_token(Some(bad)), Err(BearerError::InvalidRequest(_))),
            "{bad}"
        );
    }
}

#[test]
fn configuration_is_validated() {
    assert!(ResourceServerConfig::new(ISS, AUD).validate().is_ok());
    assert_eq!(
        ResourceServerConfig::new(ISS, " ").validate(),
        Err(ConfigError::EmptyAudience)
    );
    assert!(matches!(
        ResourceServerConfig::new("http://op.example", AUD).validate(),
        Err(ConfigError::InsecureUrl { .. })
    ));
    assert_eq!(
        ResourceServerConfig::new(ISS, AUD)
            .allowed_algorithms([])
            .validate(),
        Err(ConfigError::NoAlgorithms)
    );
    assert!(matches!(
        ResourceServerConfig::new(ISS, AUD)
            .required_scopes(["a b"])
            .validate(),
        Err(ConfigError::InvalidScope(_))
    ));
}

#[test]
fn discovery_document_checks() {
    let doc = |v: Value| serde_json::to_vec(&v).unwrap();
    let config = || ResourceServerConfig::new(ISS, AUD);
    let ok = doc(json!({"issuer": ISS, "jwks_uri": "https://op.example/jwks",
                        "id_token_signing_alg_values_supported": ["ES256", "HS256"]}));
    let parsed = KeysDocument::parse(&ok, &config()).unwrap();
    assert_eq!(parsed.jwks_uri.as_str(), "https://op.example/jwks");
    assert_eq!(
        algorithms_from_metadata(&parsed.algorithms),
        [SigningAlgorithm::ES256]
    );
    assert!(matches!(
        KeysDocument::parse(
            &ok,
            &ResourceServerConfig::new("https://other.example", AUD)
        ),
        Err(DiscoveryError::IssuerMismatch { .. })
    ));
    let insecure = doc(json!({"issuer": ISS, "jwks_uri": "http://op.example/jwks"}));
    assert!(matches!(
        KeysDocument::parse(&insecure, &config()),
        Err(DiscoveryError::InsecureEndpoint { .. })
    ));
    let missing = doc(json!({"issuer": ISS}));
    assert!(matches!(
        KeysDocument::parse(&missing, &config()),
        Err(DiscoveryError::MissingEndpoint("jwks_uri"))
    ));
}

/// A provider that signs access tokens with any of the nine algorithms (and
/// says so in its metadata) is verified without configuring one.
#[tokio::test]
async fn every_advertised_algorithm_is_accepted() {
    let names: Vec<&str> = SigningAlgorithm::ALL.iter().map(|a| a.as_str()).collect();
    for alg in SigningAlgorithm::ALL {
        let signer = Signer::new(alg, "k-alg");
        let header = json!({"alg": alg.as_str(), "kid": "k-alg", "typ": "at+jwt"});
        let token = signer.sign(&header, &claims());
        let verifier = verifier_for(ResourceServerConfig::new(ISS, AUD), &names, signer.jwks());
        assert!(verifier.verify(&token).await.is_ok(), "{alg}");
        // Without a list only RS256 is accepted.
        let rs256_only = verifier_with(ResourceServerConfig::new(ISS, AUD), signer.jwks());
        assert_eq!(
            rs256_only.verify(&token).await.is_ok(),
            alg == SigningAlgorithm::RS256,
            "{alg}"
        );
    }
}

#[tokio::test]
async fn custom_claims_are_read_as_the_applications_type() {
    #[derive(Debug, serde::Deserialize)]
    struct Custom {
        roles: Vec<String>,
        tenant: Option<String>,
    }
    let token = check(header(), with(claims(), json!({"roles": ["reader"]})))
        .await
        .unwrap();
    let custom: Custom = token.claims().unwrap();
    assert_eq!(custom.roles, ["reader"]);
    assert_eq!(custom.tenant, None);
    let token = check(header(), with(claims(), json!({"roles": "reader"})))
        .await
        .unwrap();
    let error = token.claims::<Custom>().unwrap_err();
    assert_eq!(error.path, "roles");
    assert!(!error.to_string().contains("reader"), "{error}");
}
