//! Each check of ID token verification, with a token that fails exactly it.

use super::*;
use crate::error::{ClaimsError, JwsError};
use crate::jose::issuer::ExpectedIssuer;
use crate::jose::jwks::KeySet;
use crate::support::test_signer::{Signer, with};
use crate::util::{b64url, unix_now};
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

static ISSUER: std::sync::LazyLock<ExpectedIssuer> =
    std::sync::LazyLock::new(|| ExpectedIssuer::exact(ISS));

fn expect() -> Expectations<'static> {
    Expectations {
        issuer: &ISSUER,
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
        IdTokenError::Claims(ClaimsError::WrongIssuer { .. })
    ));
    assert!(matches!(
        claims_fail(json!({"iss": "https://op.example/"})).await,
        IdTokenError::Claims(ClaimsError::WrongIssuer { .. })
    ));
    assert_eq!(
        claims_fail(json!({"iss": null})).await,
        IdTokenError::Claims(ClaimsError::Missing("iss"))
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
        IdTokenError::Claims(ClaimsError::Invalid(
            "`aud` must be a string or a non-empty array of strings".into()
        ))
    );
    assert_eq!(
        claims_fail(json!({"aud": null})).await,
        IdTokenError::Claims(ClaimsError::Missing("aud"))
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
        IdTokenError::Claims(ClaimsError::Expired { .. })
    ));
    assert!(
        check(header(), with(claims(), json!({"exp": now - 30})), expect())
            .await
            .is_ok()
    );
    assert!(matches!(
        claims_fail(json!({"iat": now + 120})).await,
        IdTokenError::Claims(ClaimsError::IssuedInFuture { .. })
    ));
    assert!(matches!(
        claims_fail(json!({"iat": now - 3600})).await,
        IdTokenError::Claims(ClaimsError::TooOld { .. })
    ));
    assert!(matches!(
        claims_fail(json!({"nbf": now + 120})).await,
        IdTokenError::Claims(ClaimsError::NotYetValid { .. })
    ));
    assert_eq!(
        claims_fail(json!({"exp": null})).await,
        IdTokenError::Claims(ClaimsError::Missing("exp"))
    );
    assert_eq!(
        claims_fail(json!({"iat": null})).await,
        IdTokenError::Claims(ClaimsError::Missing("iat"))
    );
    assert!(matches!(
        claims_fail(json!({"exp": "tomorrow"})).await,
        IdTokenError::Claims(ClaimsError::Invalid(_))
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
        IdTokenError::Claims(ClaimsError::Invalid(_))
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

/// Device sign-in sends no nonce: a token without one verifies, a token
/// with one (minted for another request) does not; the code flow's check
/// still requires its nonce.
#[tokio::test]
async fn device_nonce_rules() {
    let mut e = expect();
    e.nonce = NonceCheck::NotSent;
    assert!(
        check(header(), with(claims(), json!({"nonce": null})), e.clone())
            .await
            .is_ok()
    );
    assert_eq!(
        check(header(), claims(), e).await.unwrap_err(),
        IdTokenError::UnexpectedNonce
    );
    assert_eq!(
        check(header(), with(claims(), json!({"nonce": null})), expect())
            .await
            .unwrap_err(),
        IdTokenError::NonceMismatch
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
        IdTokenError::Claims(ClaimsError::Missing("auth_time"))
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
        IdTokenError::Claims(ClaimsError::Invalid(_))
    ));
    assert!(matches!(
        claims_fail(json!({"sub": 42})).await,
        IdTokenError::Claims(ClaimsError::Invalid(_))
    ));
    assert_eq!(
        claims_fail(json!({"sub": null})).await,
        IdTokenError::Claims(ClaimsError::Missing("sub"))
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
        IdTokenError::Jws(JwsError::BadSignature)
    );
    let unknown = signer.sign(&with(header(), json!({"kid": "k9"})), &claims());
    assert!(matches!(
        verify(&unknown, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::Jws(JwsError::UnknownKey { .. })
    ));
    // Payload swapped after signing.
    let good = signer.sign(&header(), &claims());
    let parts: Vec<&str> = good.split('.').collect();
    let other_payload =
        b64url(&serde_json::to_vec(&with(claims(), json!({"sub": "admin"}))).unwrap());
    let spliced = format!("{}.{}.{}", parts[0], other_payload, parts[2]);
    assert_eq!(
        verify(&spliced, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::Jws(JwsError::BadSignature)
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
    assert_eq!(
        err,
        IdTokenError::Jws(JwsError::AlgorithmNotAllowed("RS256".into()))
    );
}

#[tokio::test]
async fn duplicate_claims_are_refused() {
    let signer = Signer::rsa("k1");
    let jwks = keys(&[&signer]);
    let token = signer.sign_raw(&header(), br#"{"sub":"a","sub":"b"}"#);
    assert!(matches!(
        verify(&token, &jwks, &expect()).await.unwrap_err(),
        IdTokenError::Claims(ClaimsError::Invalid(_))
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

/// Every algorithm the crate verifies, as a provider that advertises all of
/// them is negotiated: a valid token signed with each one is accepted, and
/// the same token is refused when the configuration pins another list.
#[tokio::test]
async fn a_valid_token_is_accepted_for_every_algorithm() {
    let advertised: Vec<String> = SigningAlgorithm::ALL
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    let negotiated = crate::provider::negotiated::algorithms_from_metadata(&advertised);
    assert_eq!(negotiated, SigningAlgorithm::ALL);
    for alg in SigningAlgorithm::ALL {
        let signer = Signer::new(alg, "k-alg");
        let header = json!({"alg": alg.as_str(), "kid": "k-alg", "typ": "JWT"});
        let claims = with(claims(), json!({"at_hash": token_hash(ACCESS_TOKEN, alg)}));
        let token = signer.sign(&header, &claims);
        let accepting = Expectations {
            algorithms: &negotiated,
            ..expect()
        };
        let verified = verify(&token, &signer.jwks(), &accepting).await;
        assert_eq!(verified.map(|c| c.sub).as_deref(), Ok("user-1"), "{alg}");

        let other = if alg == SigningAlgorithm::RS256 {
            SigningAlgorithm::ES256
        } else {
            SigningAlgorithm::RS256
        };
        let pinned = Expectations {
            algorithms: &[other],
            ..expect()
        };
        assert!(
            matches!(
                verify(&token, &signer.jwks(), &pinned).await,
                Err(IdTokenError::Jws(JwsError::AlgorithmNotAllowed(name))) if name == alg.as_str()
            ),
            "{alg} must be refused when only {other} is configured"
        );
    }
}

/// A key verifies only the algorithm its JWK names: an RSA key published
/// for PS256 does not verify an RS256 signature made with the same key, even
/// when both algorithms are accepted.
#[tokio::test]
async fn keys_stay_bound_to_their_algorithm() {
    let signer = Signer::new(SigningAlgorithm::PS256, "k1");
    let token = signer.sign(&json!({"alg": "PS256", "kid": "k1"}), &claims());
    let both = [SigningAlgorithm::RS256, SigningAlgorithm::PS256];
    let e = Expectations {
        algorithms: &both,
        ..expect()
    };
    assert!(verify(&token, &signer.jwks(), &e).await.is_ok());
    let relabelled = json!({ "keys": [with(signer.jwk.clone(), json!({"alg": "RS256"}))] });
    let relabelled =
        JwksCache::preloaded(KeySet::parse(&serde_json::to_vec(&relabelled).unwrap()).unwrap());
    // The published key says RS256 now; a PS256 token finds no key for it.
    assert!(verify(&token, &relabelled, &e).await.is_err());
}

/// Microsoft Entra ID multi-tenant: `iss` is the template filled with the
/// token's own `tid`.
#[tokio::test]
async fn a_tenant_templated_issuer_reads_the_tokens_tid() {
    let template = format!("{ISS}/{{tenantid}}/v2.0");
    let issuer = ExpectedIssuer::from_discovery(
        crate::IssuerPolicy::EntraMultiTenant,
        &format!("{ISS}/common/v2.0"),
        &template,
    )
    .unwrap();
    let e = || Expectations {
        issuer: &issuer,
        ..expect()
    };
    let tenant = "9188040d-6c67-4c5b-b112-36a304b66dad";
    let good = with(
        claims(),
        json!({"iss": format!("{ISS}/{tenant}/v2.0"), "tid": tenant}),
    );
    assert!(check(header(), good.clone(), e()).await.is_ok());
    for bad in [
        with(good.clone(), json!({"tid": null})),
        with(
            good.clone(),
            json!({"tid": "72f988bf-86f1-41af-91ab-2d7cd011db47"}),
        ),
        with(
            good.clone(),
            json!({"iss": template.clone(), "tid": "{tenantid}"}),
        ),
    ] {
        assert!(matches!(
            check(header(), bad, e()).await,
            Err(IdTokenError::Claims(ClaimsError::WrongIssuer { .. }))
        ));
    }
    assert!(matches!(
        check(header(), with(good, json!({"tid": 7})), e()).await,
        Err(IdTokenError::Claims(ClaimsError::Invalid(_)))
    ));
}

/// Under exact matching `tid` is not read: a provider's own `tid` claim, of
/// whatever type, does not make a valid token invalid.
#[tokio::test]
async fn tid_is_read_only_under_a_tenant_template() {
    let token = with(claims(), json!({"tid": 7}));
    assert!(check(header(), token, expect()).await.is_ok());
}

#[test]
fn custom_claims_are_read_as_the_applications_type() {
    #[derive(serde::Deserialize)]
    struct Custom {
        roles: Vec<String>,
        tenant: Option<String>,
    }
    let claims = with(
        claims(),
        json!({"roles": ["admin", "ops"], "tenant": "acme"}),
    );
    let Value::Object(raw) = claims else {
        unreachable!()
    };
    let id = IdTokenClaims::from_map(raw).unwrap();
    let custom: Custom = id.claims().unwrap();
    assert_eq!(custom.roles, ["admin", "ops"]);
    assert_eq!(custom.tenant.as_deref(), Some("acme"));
    let error = id.claims::<Vec<String>>().unwrap_err();
    assert_eq!(error.path, ".");
}
