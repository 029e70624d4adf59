//! Each check of ID token verification, with a token that fails exactly it.

use super::*;
use crate::jwks::KeySet;
use crate::test_support::{Signer, with};
use serde_json::json;

const ISS: &str = "https://op.example";
const CID: &str = "client-1";
const NONCE: &str = "n-0S6_WzA2Mj";
const ACCESS_TOKEN: &str = "access-token-value";

fn keys(signers: &[&Signer]) -> JwksCache {
    let body = json!({ "keys": signers.iter().map(|s| s.jwk.clone()).collect::<Vec<_>>() });
    JwksCache::preloaded(KeySet::parse(&serde_json::to_vec(&body).unwrap()).unwrap())
}

fn header() -> Value {
    json!({"alg": "RS256", "kid": "k1", "typ": "JWT"})
}

fn claims() -> Value {
    let now = unix_now();
    json!({
        "iss": ISS, "sub": "user-1", "aud": CID, "exp": now + 300, "iat": now,
        "auth_time": now - 10, "nonce": NONCE, "at_hash": token_hash(ACCESS_TOKEN, SigningAlgorithm::RS256),
        "email": "a@example.com", "email_verified": true,
    })
}

fn expect() -> Expectations<'static> {
    Expectations {
        issuer: ISS,
        client_id: CID,
        trusted_audiences: &[],
        algorithms: &[SigningAlgorithm::RS256],
        nonce: NonceCheck::Equal(NONCE),
        max_age: None,
        access_token: Some(ACCESS_TOKEN),
        clock_tolerance: Duration::from_secs(60),
        max_token_age: Duration::from_secs(600),
        now: unix_now(),
    }
}

async fn check(
    header: Value,
    claims: Value,
    expect: Expectations<'_>,
) -> Result<IdTokenClaims, IdTokenError> {
    let signer = Signer::rsa("k1");
    let jwks = keys(&[&signer]);
    verify(&signer.sign(&header, &claims), &jwks, &expect).await
}

async fn claims_fail(changes: Value) -> IdTokenError {
    check(header(), with(claims(), changes), expect())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_valid_token_verifies() {
    let verified = check(header(), claims(), expect()).await.unwrap();
    assert_eq!(verified.sub, "user-1");
    assert_eq!(verified.email.as_deref(), Some("a@example.com"));
    assert_eq!(verified.aud, vec![CID.to_owned()]);
}

#[tokio::test]
async fn issuer_must_match() {
    assert!(matches!(
        claims_fail(json!({"iss": "https://evil.example"})).await,
        IdTokenError::WrongIssuer { .. }
    ));
    assert!(matches!(
        claims_fail(json!({"iss": "https://op.example/"})).await,
        IdTokenError::WrongIssuer { .. }
    ));
    assert_eq!(
        claims_fail(json!({"iss": null})).await,
        IdTokenError::MissingClaim("iss")
    );
}

#[tokio::test]
async fn audience_must_be_this_client_only() {
    assert_eq!(
        claims_fail(json!({"aud": "other"})).await,
        IdTokenError::WrongAudience
    );
    assert_eq!(
        claims_fail(json!({"aud": [CID, "other"], "azp": CID})).await,
        IdTokenError::UntrustedAudience("other".into())
    );
    assert_eq!(
        claims_fail(json!({"aud": []})).await,
        IdTokenError::InvalidClaims(
            "`aud` must be a string or a non-empty array of strings".into()
        )
    );
    assert_eq!(
        claims_fail(json!({"aud": null})).await,
        IdTokenError::MissingClaim("aud")
    );
}

#[tokio::test]
async fn azp_must_be_this_client() {
    assert_eq!(
        claims_fail(json!({"azp": "other"})).await,
        IdTokenError::WrongAuthorizedParty
    );
    // Several (trusted) audiences and no azp.
    let trusted = ["api".to_owned()];
    let mut e = expect();
    e.trusted_audiences = &trusted;
    let err = check(
        header(),
        with(claims(), json!({"aud": [CID, "api"]})),
        e.clone(),
    )
    .await
    .unwrap_err();
    assert_eq!(err, IdTokenError::WrongAuthorizedParty);
    assert!(
        check(
            header(),
            with(claims(), json!({"aud": [CID, "api"], "azp": CID})),
            e
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn time_claims_are_checked_with_tolerance() {
    let now = unix_now();
    assert!(matches!(
        claims_fail(json!({"exp": now - 61})).await,
        IdTokenError::Expired { .. }
    ));
    assert!(
        check(header(), with(claims(), json!({"exp": now - 30})), expect())
            .await
            .is_ok()
    );
    assert!(matches!(
        claims_fail(json!({"iat": now + 120})).await,
        IdTokenError::IssuedInFuture { .. }
    ));
    assert!(matches!(
        claims_fail(json!({"iat": now - 3600})).await,
        IdTokenError::TooOld { .. }
    ));
    assert!(matches!(
        claims_fail(json!({"nbf": now + 120})).await,
        IdTokenError::NotYetValid { .. }
    ));
    assert_eq!(
        claims_fail(json!({"exp": null})).await,
        IdTokenError::MissingClaim("exp")
    );
    assert_eq!(
        claims_fail(json!({"iat": null})).await,
        IdTokenError::MissingClaim("iat")
    );
    assert!(matches!(
        claims_fail(json!({"exp": "tomorrow"})).await,
        IdTokenError::InvalidClaims(_)
    ));
}

#[tokio::test]
async fn nonce_must_match() {
    assert_eq!(
        claims_fail(json!({"nonce": "other"})).await,
        IdTokenError::NonceMismatch
    );
    assert_eq!(
        claims_fail(json!({"nonce": null})).await,
        IdTokenError::NonceMismatch
    );
    assert!(matches!(
        claims_fail(json!({"nonce": 5})).await,
        IdTokenError::InvalidClaims(_)
    ));
}

#[tokio::test]
async fn refresh_nonce_rules() {
    let mut e = expect();
    e.nonce = NonceCheck::AbsentOr(None);
    assert!(
        check(header(), with(claims(), json!({"nonce": null})), e.clone())
            .await
            .is_ok()
    );
    assert_eq!(
        check(header(), claims(), e).await.unwrap_err(),
        IdTokenError::UnexpectedNonce
    );
}

#[tokio::test]
async fn auth_time_is_checked_against_max_age() {
    let mut e = expect();
    e.max_age = Some(Duration::from_secs(60));
    let old = with(claims(), json!({"auth_time": unix_now() - 600}));
    assert!(matches!(
        check(header(), old, e.clone()).await.unwrap_err(),
        IdTokenError::AuthTooOld { .. }
    ));
    let missing = with(claims(), json!({"auth_time": null}));
    assert_eq!(
        check(header(), missing, e).await.unwrap_err(),
        IdTokenError::MissingClaim("auth_time")
    );
}

#[tokio::test]
async fn auth_time_in_the_future_is_refused() {
    // With max_age it would pass any age check; without, it is still absurd.
    let future = unix_now() + 3600;
    let mut e = expect();
    e.max_age = Some(Duration::from_secs(60));
    let token = with(claims(), json!({"auth_time": future}));
    assert!(matches!(
        check(header(), token.clone(), e).await.unwrap_err(),
        IdTokenError::AuthTimeInFuture { auth_time, .. } if auth_time == future
    ));
    assert!(matches!(
        check(header(), token, expect()).await.unwrap_err(),
        IdTokenError::AuthTimeInFuture { .. }
    ));
    // Within the clock tolerance it is fine.
    let skewed = with(claims(), json!({"auth_time": unix_now() + 30}));
    assert!(check(header(), skewed, expect()).await.is_ok());
}

#[test]
fn refresh_must_keep_the_login() {
    let now = unix_now();
    let original = IdTokenClaims::from_map(
        with(claims(), json!({"azp": CID, "auth_time": now - 10}))
            .as_object()
            .unwrap()
            .clone(),
    )
    .unwrap();
    let changed = |changes: Value| {
        let raw = with(
            with(claims(), json!({"azp": CID, "auth_time": now - 10})),
            changes,
        );
        IdTokenClaims::from_map(raw.as_object().unwrap().clone()).unwrap()
    };
    assert_eq!(check_same_login(&original, &changed(json!({}))), Ok(()));
    // auth_time may be left out, but not changed.
    assert_eq!(
        check_same_login(&original, &changed(json!({"auth_time": null}))),
        Ok(())
    );
    for (claim, value) in [
        ("iss", json!("https://other.example")),
        ("sub", json!("user-2")),
        ("aud", json!([CID, "api"])),
        ("azp", json!("api")),
        ("auth_time", json!(now)),
    ] {
        assert_eq!(
            check_same_login(&original, &changed(json!({ claim: value }))),
            Err(IdTokenError::RefreshChanged(claim)),
            "{claim}"
        );
    }
    // azp must stay present (OIDC Core 12.2: the same azp).
    assert_eq!(
        check_same_login(&original, &changed(json!({"azp": null}))),
        Err(IdTokenError::RefreshChanged("azp"))
    );
}

#[tokio::test]
async fn at_hash_must_match_when_present() {
    assert_eq!(
        claims_fail(json!({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"})).await,
        IdTokenError::AccessTokenHashMismatch
    );
    assert!(
        check(header(), with(claims(), json!({"at_hash": null})), expect())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn sub_must_be_a_non_empty_string() {
    assert!(matches!(
        claims_fail(json!({"sub": ""})).await,
        IdTokenError::InvalidClaims(_)
    ));
    assert!(matches!(
        claims_fail(json!({"sub": 42})).await,
        IdTokenError::InvalidClaims(_)
    ));
    assert_eq!(
        claims_fail(json!({"sub": null})).await,
        IdTokenError::MissingClaim("sub")
    );
}

#[tokio::test]
async fn signature_and_key_are_checked() {
    let signer = Signer::rsa("k1");
    let attacker = Signer::rsa("k1");
    let jwks = keys(&[&signer]);
    let forged = attacker.sign(&header(), &claims());
    assert_eq!(
        verify(&forged, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::BadSignature
    );
    let unknown = signer.sign(&with(header(), json!({"kid": "k9"})), &claims());
    assert!(matches!(
        verify(&unknown, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::UnknownKey { .. }
    ));
    // Payload swapped after signing.
    let good = signer.sign(&header(), &claims());
    let parts: Vec<&str> = good.split('.').collect();
    let other_payload =
        b64url(&serde_json::to_vec(&with(claims(), json!({"sub": "admin"}))).unwrap());
    let spliced = format!("{}.{}.{}", parts[0], other_payload, parts[2]);
    assert_eq!(
        verify(&spliced, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::BadSignature
    );
}

#[tokio::test]
async fn header_checks() {
    let err = check(with(header(), json!({"typ": "at+jwt"})), claims(), expect())
        .await
        .unwrap_err();
    assert_eq!(err, IdTokenError::WrongType("at+jwt".into()));
    let mut e = expect();
    e.algorithms = &[SigningAlgorithm::ES256];
    let err = check(header(), claims(), e).await.unwrap_err();
    assert_eq!(err, IdTokenError::AlgorithmNotAllowed("RS256".into()));
}

#[tokio::test]
async fn duplicate_claims_are_refused() {
    let signer = Signer::rsa("k1");
    let jwks = keys(&[&signer]);
    let token = signer.sign_raw(&header(), br#"{"sub":"a","sub":"b"}"#);
    assert!(matches!(
        verify(&token, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::InvalidClaims(_)
    ));
}

#[test]
fn at_hash_matches_the_spec_example() {
    // OpenID Connect Core 1.0, Appendix A.3 (RS256).
    assert_eq!(
        token_hash(
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
            SigningAlgorithm::RS256
        )
        .len(),
        22
    );
    assert_eq!(
        token_hash(
            "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
            SigningAlgorithm::RS256
        ),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
}
