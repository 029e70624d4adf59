//! The provider's keys: unknown, unlisted, wrong type or use, ambiguous,
//! rotated, withdrawn; the JWKS cache's refetch on an unknown `kid` (once,
//! at a bounded rate, never in a loop) and when its keys expire
//! (`Cache-Control: max-age`); JWKS documents and endpoints that fail.

use super::harness::{CLIENT_ID, CLIENT_SECRET, Env, REDIRECT_URI, id_token_attack};
use oidc_core::JwsError;
use oidc_core::{IdTokenError, TokenError};
use oidc_dev_provider::{Edit, Endpoint, Fault, HttpFault, JwksFault, Signing, SigningAlg};
use serde_json::json;
use std::time::Duration;
use tests::fixture::Fixture;

fn jwks(fault: JwksFault) -> Fault {
    Fault::Jwks(fault)
}

fn unknown_key(e: &IdTokenError) -> bool {
    matches!(e, IdTokenError::Jws(JwsError::UnknownKey { alg, .. }) if alg == "RS256")
}

fn jwks_error(e: &IdTokenError, needle: &str) -> bool {
    matches!(e, IdTokenError::Jws(JwsError::KeysUnavailable(m)) if m.contains(needle))
}

// ---- keys that must not verify ------------------------------------------------------

#[tokio::test]
async fn signed_with_an_unlisted_key() {
    let env = Env::new().await;
    env.inject(Fault::id_signing(Signing::UnlistedKey));
    let e = env.id_token_error("unlisted key").await;
    assert!(unknown_key(&e), "{e:?}");
    // A cold cache fetches the JWKS once; the unknown kid is not worth a
    // second request within the cooldown.
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
}

#[tokio::test]
async fn signed_with_the_attacker_key() {
    let e = id_token_attack("attacker key", Fault::id_signing(Signing::AttackerKey)).await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn signed_with_an_encryption_only_key() {
    let env = Env::new().await;
    env.inject(jwks(JwksFault::PublishEncryptionKey));
    env.inject(Fault::id_signing(Signing::EncryptionKey));
    let e = env.id_token_error("use: enc").await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn the_signing_key_published_for_encryption() {
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::RS256),
        edit: Edit::set("use", "enc"),
    }));
    let e = env.id_token_error("signing key marked enc").await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn the_signing_key_without_the_verify_operation() {
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::RS256),
        edit: Edit::set("key_ops", json!(["encrypt", "wrapKey"])),
    }));
    let e = env.id_token_error("key_ops without verify").await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn the_signing_key_labelled_for_another_algorithm() {
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::RS256),
        edit: Edit::set("alg", "RSA-OAEP-256"),
    }));
    let e = env.id_token_error("key alg RSA-OAEP-256").await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn a_kid_of_a_key_of_another_type() {
    // RS256 under the kid of the provider's P-256 key.
    let env = Env::new().await;
    env.inject(Fault::id_header(Edit::set(
        "kid",
        env.provider.kid(SigningAlg::ES256),
    )));
    let e = env.id_token_error("kid of the EC key").await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn a_weak_rsa_key() {
    // The published modulus cut to 1024 bits: too short to trust.
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::RS256),
        edit: Edit::set("n", super::harness::b64url(&[0xC5; 128])),
    }));
    let e = env.id_token_error("1024-bit key").await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn a_symmetric_key_in_the_jwks() {
    // An `oct` key under the RSA key's kid, and an HMAC token: refused for
    // its algorithm before any key is considered.
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::RS256),
        edit: Edit::set("kty", "oct"),
    }));
    env.inject(Fault::id_signing(Signing::HmacWithPublicKey {
        alg: "HS256".into(),
    }));
    let e = env.id_token_error("oct key").await;
    assert_eq!(
        e,
        IdTokenError::Jws(JwsError::AlgorithmNotAllowed("HS256".into()))
    );
}

// ---- ambiguity --------------------------------------------------------------------

#[tokio::test]
async fn several_rsa_keys_and_no_kid() {
    let env = Env::new().await;
    env.inject(jwks(JwksFault::ExtraKey(SigningAlg::RS256)));
    env.inject(jwks(JwksFault::EditKeys {
        alg: None,
        edit: Edit::remove("kid"),
    }));
    env.inject(Fault::id_header(Edit::remove("kid")));
    assert_eq!(
        env.id_token_error("no kids").await,
        IdTokenError::Jws(JwsError::AmbiguousKey)
    );
}

#[tokio::test]
async fn two_rsa_keys_with_the_same_kid() {
    let env = Env::new().await;
    let kid = env.provider.kid(SigningAlg::RS256);
    env.inject(jwks(JwksFault::ExtraKey(SigningAlg::RS256)));
    env.inject(jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::RS256),
        edit: Edit::set("kid", kid),
    }));
    assert_eq!(
        env.id_token_error("same kid").await,
        IdTokenError::Jws(JwsError::AmbiguousKey)
    );
}

#[tokio::test]
async fn no_kid_and_one_fitting_key_is_accepted() {
    // One RSA key among keys of other types: the choice is unambiguous.
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: None,
        edit: Edit::remove("kid"),
    }));
    env.inject(Fault::id_header(Edit::remove("kid")));
    env.assert_login_succeeds().await;
}

#[tokio::test]
async fn a_token_kid_against_keys_without_kids() {
    let env = Env::new().await;
    env.inject(jwks(JwksFault::EditKeys {
        alg: None,
        edit: Edit::remove("kid"),
    }));
    let e = env.id_token_error("kid vs kid-less JWKS").await;
    assert!(unknown_key(&e), "{e:?}");
}

// ---- rotation and the refetch policy ------------------------------------------------------

#[tokio::test]
async fn rotated_keys_are_fetched_once() {
    let env = Env::with(|c| c.jwks_refresh_cooldown(Duration::from_millis(200))).await;
    env.assert_login_succeeds().await;
    assert_eq!(env.client.jwks_fetch_count(), 1);
    env.provider.rotate_keys();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let login = env.code_received().await;
    env.clear();
    let _authenticated = login.exchange().await.expect("the new key is fetched");
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
    assert_eq!(env.client.jwks_fetch_count(), 2);
}

#[tokio::test]
async fn an_unknown_kid_is_refetched_exactly_once() {
    let env = Env::with(|c| c.jwks_refresh_cooldown(Duration::ZERO)).await;
    env.assert_login_succeeds().await;
    env.inject(Fault::id_signing(Signing::RandomKid));
    let e = env.id_token_error("random kid").await;
    assert!(unknown_key(&e), "{e:?}");
    assert_eq!(
        env.count("/jwks"),
        1,
        "one refetch, no loop: {:?}",
        env.requests()
    );
}

#[tokio::test]
async fn a_flood_of_unknown_kids_is_refetched_at_a_bounded_rate() {
    let env = Env::with(|c| c.jwks_refresh_cooldown(Duration::from_secs(3600))).await;
    env.assert_login_succeeds().await;
    env.inject(Fault::id_signing(Signing::RandomKid));
    let mut logins = Vec::new();
    for _ in 0..12 {
        logins.push(env.code_received().await);
    }
    env.clear();
    let tasks: Vec<_> = logins
        .into_iter()
        .map(|login| tokio::spawn(login.exchange()))
        .collect();
    for task in tasks {
        let error = task.await.expect("task").expect_err("unknown kid");
        assert!(
            matches!(&error, TokenError::IdToken(e) if unknown_key(e)),
            "{error:?}"
        );
    }
    // The first unknown kid causes one refetch (the fetch at the first
    // login does not start the cooldown); within the cooldown that follows,
    // no unknown kid, however many, causes another.
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
    assert_eq!(env.count("/userinfo"), 0);
    assert_eq!(env.client.jwks_fetch_count(), 2);
}

#[tokio::test]
async fn a_rotation_right_after_start_is_followed() {
    // Found by issue 13: the cooldown counted from the first fetch, so keys
    // rotated seconds after the application started failed every login
    // until the cooldown ran out.
    let env = Env::with(|c| c.jwks_refresh_cooldown(Duration::from_secs(3600))).await;
    env.assert_login_succeeds().await;
    env.provider.rotate_keys();
    env.clear();
    env.assert_login_succeeds().await;
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
    assert_eq!(env.client.jwks_fetch_count(), 2);
    // That refetch starts the cooldown: a flood of unknown kids now causes
    // no request.
    env.inject(Fault::id_signing(Signing::RandomKid));
    env.clear();
    for _ in 0..3 {
        let e = env.id_token_error("random kid").await;
        assert!(unknown_key(&e), "{e:?}");
    }
    assert_eq!(env.client.jwks_fetch_count(), 2);
}

// ---- keys expire ------------------------------------------------------------------

/// A provider whose JWKS says `Cache-Control: {cache_control}`, and a client
/// that allows lifetimes from 1 s to an hour.
async fn expiring(cache_control: &str) -> Env {
    let provider = Fixture::builder(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        .provider(|b| b.jwks_cache_control(cache_control))
        .start()
        .await;
    Env::on(provider, |c| {
        c.jwks_max_age(SECOND, SECOND..=Duration::from_secs(3600))
    })
    .await
}

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_withdrawn_key_is_trusted_until_max_age() {
    let env = expiring("public, max-age=600").await;
    env.assert_login_succeeds().await;
    env.inject(jwks(JwksFault::Withdraw(SigningAlg::RS256)));
    env.clear();
    env.assert_login_succeeds().await;
    assert_eq!(env.count("/jwks"), 0, "{:?}", env.requests());
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_after_max_age() {
    // Found by issue 13: keys were refetched only for an unknown kid, so a
    // key the provider withdrew stayed trusted for the life of the process.
    let env = expiring("public, max-age=1").await;
    env.assert_login_succeeds().await;
    env.inject(jwks(JwksFault::Withdraw(SigningAlg::RS256)));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let e = env.id_token_error("withdrawn key").await;
    assert!(unknown_key(&e), "{e:?}");
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
    assert_eq!(env.client.jwks_fetch_count(), 2);
}

#[tokio::test]
async fn expired_keys_are_refetched_once_by_concurrent_logins() {
    let env = expiring("max-age=1").await;
    env.assert_login_succeeds().await;
    let mut logins = Vec::new();
    for _ in 0..6 {
        logins.push(env.code_received().await);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    env.clear();
    let tasks: Vec<_> = logins
        .into_iter()
        .map(|login| tokio::spawn(login.exchange()))
        .collect();
    for task in tasks {
        let _authenticated = task.await.expect("task").expect("the keys are refetched");
    }
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
}

#[tokio::test]
async fn a_flood_after_the_cooldown_causes_one_refetch() {
    let env = Env::with(|c| c.jwks_refresh_cooldown(Duration::from_millis(1500))).await;
    env.assert_login_succeeds().await;
    env.inject(Fault::id_signing(Signing::RandomKid));
    let mut logins = Vec::new();
    for _ in 0..8 {
        logins.push(env.code_received().await);
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    env.clear();
    let tasks: Vec<_> = logins
        .into_iter()
        .map(|login| tokio::spawn(login.exchange()))
        .collect();
    for task in tasks {
        assert!(task.await.expect("task").is_err());
    }
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
}

#[tokio::test]
async fn a_failing_jwks_endpoint_is_not_hammered() {
    // Found by this suite: a cold cache retried on every token while the
    // JWKS endpoint failed. Failed fetches now count against the cooldown.
    let env = Env::new().await;
    env.inject(Fault::http(
        Endpoint::Jwks,
        HttpFault::Replace {
            status: 503,
            content_type: None,
            body: Vec::new(),
        },
    ));
    let mut logins = Vec::new();
    for _ in 0..6 {
        logins.push(env.code_received().await);
    }
    env.clear();
    for login in logins {
        let error = login.exchange().await.expect_err("no keys");
        assert!(
            matches!(&error, TokenError::IdToken(e) if jwks_error(e, "503")),
            "{error:?}"
        );
    }
    assert_eq!(env.count("/jwks"), 1, "{:?}", env.requests());
    assert_eq!(env.count("/userinfo"), 0);
}

// ---- JWKS documents and endpoints that fail -----------------------------------------

async fn jwks_attack(what: &str, fault: Fault) -> IdTokenError {
    id_token_attack(what, fault).await
}

#[tokio::test]
async fn jwks_server_error() {
    let e = jwks_attack(
        "500",
        Fault::http(
            Endpoint::Jwks,
            HttpFault::OAuthError {
                status: 500,
                error: "server_error".into(),
                description: None,
            },
        ),
    )
    .await;
    assert!(jwks_error(&e, "HTTP status 500"), "{e:?}");
}

#[tokio::test]
async fn jwks_not_json() {
    let e = jwks_attack(
        "html",
        Fault::http(
            Endpoint::Jwks,
            HttpFault::Replace {
                status: 200,
                content_type: Some("text/html".into()),
                body: b"<html>keys</html>".to_vec(),
            },
        ),
    )
    .await;
    assert!(jwks_error(&e, "not JSON"), "{e:?}");
}

#[tokio::test]
async fn jwks_invalid_json() {
    let e = jwks_attack(
        "truncated JSON",
        Fault::http(
            Endpoint::Jwks,
            HttpFault::Replace {
                status: 200,
                content_type: Some("application/json".into()),
                body: br#"{"keys": [{"kty""#.to_vec(),
            },
        ),
    )
    .await;
    assert!(jwks_error(&e, "invalid JSON"), "{e:?}");
}

#[tokio::test]
async fn jwks_without_keys() {
    let e = jwks_attack(
        "no keys",
        Fault::Body {
            endpoint: Endpoint::Jwks,
            edit: Edit::remove("keys"),
        },
    )
    .await;
    assert!(jwks_error(&e, "keys"), "{e:?}");
}

#[tokio::test]
async fn jwks_keys_not_an_array() {
    let e = jwks_attack(
        "keys: {}",
        Fault::Body {
            endpoint: Endpoint::Jwks,
            edit: Edit::set("keys", json!({})),
        },
    )
    .await;
    assert!(jwks_error(&e, "keys"), "{e:?}");
}

#[tokio::test]
async fn jwks_empty() {
    let e = jwks_attack(
        "keys: []",
        Fault::Body {
            endpoint: Endpoint::Jwks,
            edit: Edit::set("keys", json!([])),
        },
    )
    .await;
    assert!(unknown_key(&e), "{e:?}");
}

#[tokio::test]
async fn jwks_with_duplicate_members() {
    let e = jwks_attack(
        "duplicate keys member",
        Fault::http(
            Endpoint::Jwks,
            HttpFault::Replace {
                status: 200,
                content_type: Some("application/json".into()),
                body: br#"{"keys":[],"keys":[]}"#.to_vec(),
            },
        ),
    )
    .await;
    assert!(jwks_error(&e, "duplicate"), "{e:?}");
}

#[tokio::test]
async fn jwks_redirect_is_not_followed() {
    let env = Env::new().await;
    let elsewhere = format!("{}/elsewhere/jwks", env.provider.issuer_str());
    env.inject(Fault::http(
        Endpoint::Jwks,
        HttpFault::Redirect {
            status: 302,
            location: elsewhere,
        },
    ));
    let e = env.id_token_error("JWKS redirect").await;
    assert!(jwks_error(&e, "redirect"), "{e:?}");
    assert_eq!(env.count("/elsewhere/jwks"), 0);
}
