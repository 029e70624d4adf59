//! Unit tests of `backchannel.rs`.

use super::*;
use crate::error::{ClaimsError, JwsError};
use crate::jose::issuer::ExpectedIssuer;
use crate::support::test_signer::{Signer, with};
use crate::util::ExpiringSet;
use serde_json::json;

const ISS: &str = "https://op.example";
const CID: &str = "client-1";

fn header() -> Value {
    json!({"alg": "RS256", "kid": "k1", "typ": "logout+jwt"})
}

fn claims() -> Value {
    let now = unix_now();
    json!({"iss": ISS, "aud": CID, "iat": now, "exp": now + 120, "jti": "jti-1",
           "sub": "user-1", "sid": "sid-1", "events": { BACKCHANNEL_LOGOUT_EVENT: {} }})
}

static ISSUER: std::sync::LazyLock<ExpectedIssuer> =
    std::sync::LazyLock::new(|| ExpectedIssuer::exact(ISS));

fn expect() -> LogoutExpectations<'static> {
    LogoutExpectations {
        issuer: &ISSUER,
        client_id: CID,
        trusted_audiences: &[],
        algorithms: &[SigningAlgorithm::RS256],
        clock_tolerance: Duration::from_secs(60),
        max_token_age: Duration::from_secs(600),
        now: unix_now(),
    }
}

async fn check(header: Value, claims: Value) -> Result<LogoutToken, LogoutTokenError> {
    let signer = Signer::rsa("k1");
    verify(
        &signer.sign(&header, &claims),
        &signer.jwks(),
        &expect(),
        &ExpiringSet::with_capacity(100),
    )
    .await
}

async fn fails(changes: Value) -> LogoutTokenError {
    check(header(), with(claims(), changes)).await.unwrap_err()
}

#[tokio::test]
async fn a_valid_token_verifies() {
    let token = check(header(), claims()).await.unwrap();
    assert_eq!(token.sub.as_deref(), Some("user-1"));
    assert_eq!(token.sid.as_deref(), Some("sid-1"));
    assert_eq!(token.jti, "jti-1");
    // sub alone, sid alone, no typ: all fine.
    assert!(
        check(header(), with(claims(), json!({"sid": null})))
            .await
            .is_ok()
    );
    assert!(
        check(header(), with(claims(), json!({"sub": null})))
            .await
            .is_ok()
    );
    assert!(
        check(with(header(), json!({"typ": null})), claims())
            .await
            .is_ok()
    );
    assert!(
        check(
            with(header(), json!({"typ": "application/logout+jwt"})),
            claims()
        )
        .await
        .is_ok()
    );
}

#[tokio::test]
async fn signature_is_checked() {
    let signer = Signer::rsa("k1");
    let forger = Signer::rsa("k1");
    let err = verify(
        &forger.sign(&header(), &claims()),
        &signer.jwks(),
        &expect(),
        &ExpiringSet::with_capacity(100),
    )
    .await
    .unwrap_err();
    assert_eq!(err, LogoutTokenError::Jws(JwsError::BadSignature));
    let h = with(header(), json!({"alg": "none"}));
    assert!(matches!(
        check(h, claims()).await,
        Err(LogoutTokenError::Jws(JwsError::AlgorithmNotAllowed(_)))
    ));
}

#[tokio::test]
async fn typ_must_be_logout_jwt_when_present() {
    for typ in ["JWT", "at+jwt", "secevent+jwt"] {
        let h = with(header(), json!({ "typ": typ }));
        assert_eq!(
            check(h, claims()).await,
            Err(LogoutTokenError::WrongType(typ.into()))
        );
    }
}

#[tokio::test]
async fn issuer_must_match() {
    assert!(matches!(
        fails(json!({"iss": "https://evil.example"})).await,
        LogoutTokenError::Claims(ClaimsError::WrongIssuer { .. })
    ));
    assert_eq!(
        fails(json!({"iss": null})).await,
        LogoutTokenError::Claims(ClaimsError::Missing("iss"))
    );
}

#[tokio::test]
async fn audience_must_be_this_client() {
    assert_eq!(
        fails(json!({"aud": "other"})).await,
        LogoutTokenError::WrongAudience
    );
    assert_eq!(
        fails(json!({"aud": [CID, "other"]})).await,
        LogoutTokenError::UntrustedAudience("other".into())
    );
    assert_eq!(
        fails(json!({"aud": null})).await,
        LogoutTokenError::Claims(ClaimsError::Missing("aud"))
    );
}

#[tokio::test]
async fn iat_is_required_and_bounded() {
    let now = unix_now();
    assert_eq!(
        fails(json!({"iat": null})).await,
        LogoutTokenError::Claims(ClaimsError::Missing("iat"))
    );
    assert!(matches!(
        fails(json!({"iat": now + 120})).await,
        LogoutTokenError::Claims(ClaimsError::IssuedInFuture { .. })
    ));
    assert!(matches!(
        fails(json!({"iat": now - 700})).await,
        LogoutTokenError::Claims(ClaimsError::TooOld { .. })
    ));
    // Within the tolerance.
    assert!(
        check(header(), with(claims(), json!({"iat": now + 30})))
            .await
            .is_ok()
    );
}

/// Issue 13 item 7: `exp` is required (errata set 1 of Back-Channel
/// Logout 1.0), as a NumericDate.
#[tokio::test]
async fn exp_is_required() {
    assert_eq!(
        fails(json!({"exp": null})).await,
        LogoutTokenError::Claims(ClaimsError::Missing("exp"))
    );
}

#[tokio::test]
async fn exp_is_checked() {
    let now = unix_now();
    assert!(matches!(
        fails(json!({"exp": now - 61})).await,
        LogoutTokenError::Claims(ClaimsError::Expired { .. })
    ));
    assert!(matches!(
        fails(json!({"exp": "later"})).await,
        LogoutTokenError::Claims(ClaimsError::Invalid(_))
    ));
}

#[tokio::test]
async fn events_must_hold_the_logout_event_object() {
    assert_eq!(
        fails(json!({"events": null})).await,
        LogoutTokenError::MissingEvent
    );
    assert_eq!(
        fails(json!({"events": {}})).await,
        LogoutTokenError::MissingEvent
    );
    assert_eq!(
        fails(json!({"events": { BACKCHANNEL_LOGOUT_EVENT: "yes" }})).await,
        LogoutTokenError::MissingEvent
    );
    assert_eq!(
        fails(json!({"events": {"http://schemas.openid.net/event/other": {}}})).await,
        LogoutTokenError::MissingEvent
    );
    assert!(matches!(
        fails(json!({"events": [BACKCHANNEL_LOGOUT_EVENT]})).await,
        LogoutTokenError::Claims(ClaimsError::Invalid(_))
    ));
}

#[tokio::test]
async fn sub_or_sid_is_required() {
    assert_eq!(
        fails(json!({"sub": null, "sid": null})).await,
        LogoutTokenError::NoSubject
    );
    assert!(matches!(
        fails(json!({"sid": 5})).await,
        LogoutTokenError::Claims(ClaimsError::Invalid(_))
    ));
}

#[tokio::test]
async fn nonce_is_forbidden() {
    assert_eq!(
        fails(json!({"nonce": "n"})).await,
        LogoutTokenError::NonceForbidden
    );
}

#[tokio::test]
async fn jti_is_required_and_single_use() {
    assert_eq!(
        fails(json!({"jti": null})).await,
        LogoutTokenError::Claims(ClaimsError::Missing("jti"))
    );
    let signer = Signer::rsa("k1");
    let jwks = signer.jwks();
    let replay = ExpiringSet::with_capacity(100);
    let token = signer.sign(&header(), &claims());
    assert!(verify(&token, &jwks, &expect(), &replay).await.is_ok());
    assert_eq!(
        verify(&token, &jwks, &expect(), &replay).await,
        Err(LogoutTokenError::Replayed)
    );
    // Another jti passes; a refused token does not consume its jti.
    let other = with(claims(), json!({"jti": "jti-2", "nonce": "n"}));
    assert!(
        verify(&signer.sign(&header(), &other), &jwks, &expect(), &replay)
            .await
            .is_err()
    );
    let other = with(claims(), json!({"jti": "jti-2"}));
    assert!(
        verify(&signer.sign(&header(), &other), &jwks, &expect(), &replay)
            .await
            .is_ok()
    );
}

/// Logout tokens follow the client's negotiated algorithms: each of the nine
/// verifies when the provider advertises it.
#[tokio::test]
async fn every_negotiated_algorithm_is_accepted() {
    let names: Vec<String> = SigningAlgorithm::ALL
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect();
    let negotiated = crate::provider::negotiated::algorithms_from_metadata(&names);
    for alg in SigningAlgorithm::ALL {
        let signer = Signer::new(alg, "k-alg");
        let header = json!({"alg": alg.as_str(), "kid": "k-alg", "typ": "logout+jwt"});
        let expect = LogoutExpectations {
            algorithms: &negotiated,
            ..expect()
        };
        let verified = verify(
            &signer.sign(&header, &claims()),
            &signer.jwks(),
            &expect,
            &ExpiringSet::with_capacity(100),
        )
        .await;
        assert!(verified.is_ok(), "{alg}: {verified:?}");
    }
}

/// Issue 13 item 7: a `jti` is refused for as long as its token could be
/// accepted, up to the last second of its window, even when the bounded set
/// is full: a token with a distant `exp` (acceptable only for the maximum
/// age) must not keep its `jti` past its window and crowd out the `jti` of
/// a token that can still be replayed.
#[tokio::test]
async fn a_replay_is_refused_for_the_whole_window_of_its_token() {
    let signer = Signer::rsa("k1");
    let jwks = signer.jwks();
    let replay = ExpiringSet::with_capacity(2);
    let t0 = unix_now();
    let at = |now: i64| LogoutExpectations { now, ..expect() };
    let token = |jti: &str, iat: i64, exp: i64| {
        signer.sign(
            &header(),
            &with(claims(), json!({"jti": jti, "iat": iat, "exp": exp})),
        )
    };
    let year = 365 * 24 * 60 * 60;
    let distant = token("distant", t0, t0 + year);
    let recent = token("recent", t0 + 300, t0 + 1000);
    assert!(verify(&distant, &jwks, &at(t0), &replay).await.is_ok());
    assert!(verify(&recent, &jwks, &at(t0 + 300), &replay).await.is_ok());
    // Past the distant token's window (600 s of age + 60 s of tolerance):
    // it is refused as too old, and its jti is no longer needed.
    assert!(matches!(
        verify(&distant, &jwks, &at(t0 + 661), &replay).await,
        Err(LogoutTokenError::Claims(ClaimsError::TooOld { .. }))
    ));
    let third = token("third", t0 + 661, t0 + 781);
    assert!(verify(&third, &jwks, &at(t0 + 661), &replay).await.is_ok());
    // The recent token stays acceptable, up to its iat plus 660 s: its jti
    // is still refused, to the last second.
    assert_eq!(
        verify(&recent, &jwks, &at(t0 + 661), &replay).await,
        Err(LogoutTokenError::Replayed)
    );
    assert_eq!(
        verify(&recent, &jwks, &at(t0 + 960), &replay).await,
        Err(LogoutTokenError::Replayed)
    );
}
