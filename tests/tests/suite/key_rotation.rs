//! Signing keys expire for every kind of token (issue 13, item 3): a key
//! the provider withdraws from its JWKS stops verifying access tokens and
//! back-channel logout tokens once the cached JWKS is past its
//! `Cache-Control: max-age`, and a rotation right after the first fetch is
//! followed at once. (ID tokens: `tests/tests/suite/hostile/jwks.rs`.)
//!
//! The provider says `max-age=1` and the SDK is configured to accept
//! lifetimes from 1 s, so each test waits about a second, not an hour.

use oidc_core::logout::LogoutTokenError;
use oidc_core::{AccessTokenError, AccessTokenVerifier, JwsError, ResourceServerConfig};
use oidc_dev_provider::{Fault, JwksFault, SigningAlg};
use std::ops::RangeInclusive;
use std::time::Duration;
use tests::fixture::{self, Fixture};
use tests::logout_capture::capture_server;

/// Nothing listens here: the test takes the response from the browser.
const REDIRECT_URI: &str = "http://127.0.0.1:9/key-rotation/callback";

const SECOND: Duration = Duration::from_secs(1);
/// Lifetimes the SDK accepts here: from 1 s, so the provider's `max-age=1`
/// counts.
const RANGE: RangeInclusive<Duration> = SECOND..=Duration::from_secs(3600);

/// Past the provider's `max-age=1`.
async fn wait_past_max_age() {
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

fn unknown_rs256_key(error: &JwsError) -> bool {
    matches!(error, JwsError::UnknownKey { alg, .. } if alg == "RS256")
}

/// A provider whose JWKS lives one second, delivering logout tokens to
/// `backchannel_uri` if given.
async fn provider(backchannel_uri: Option<String>) -> Fixture {
    Fixture::builder("app", "app-secret", REDIRECT_URI)
        .provider(|b| b.jwks_cache_control("public, max-age=1"))
        .client(|c| match backchannel_uri {
            Some(uri) => c.backchannel_logout_uri(uri),
            None => c,
        })
        .start()
        .await
}

fn withdraw_the_signing_key(provider: &Fixture) {
    provider.inject(Fault::Jwks(JwksFault::Withdraw(SigningAlg::RS256)));
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_access_tokens_after_max_age() {
    let provider = provider(None).await;
    let client = provider.client().await;
    let login = fixture::sign_in(&client).await.expect("signed in");
    let token = login.tokens().access_token.secret().to_owned();
    let verifier = AccessTokenVerifier::discover(
        ResourceServerConfig::new(
            provider.issuer_str(),
            format!("{}/api", provider.issuer_str()),
        )
        .jwks_max_age(SECOND, RANGE),
    )
    .await
    .expect("discovery");
    verifier.verify(&token).await.expect("the key is published");
    assert_eq!(verifier.jwks_fetch_count(), 1);

    withdraw_the_signing_key(&provider);
    wait_past_max_age().await;
    let error = verifier.verify(&token).await.expect_err("withdrawn");
    assert!(
        matches!(&error, AccessTokenError::Jws(e) if unknown_rs256_key(e)),
        "{error:?}"
    );
    assert_eq!(verifier.jwks_fetch_count(), 2, "one refetch on expiry");
}

#[tokio::test]
async fn a_rotation_right_after_start_reaches_access_tokens() {
    // The cooldown is an hour, the keys (without Cache-Control: an hour
    // too) were fetched a moment ago; the rotated key is still fetched,
    // because no unknown kid caused a refetch yet.
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    let client = provider.client().await;
    let verifier = AccessTokenVerifier::discover(
        ResourceServerConfig::new(
            provider.issuer_str(),
            format!("{}/api", provider.issuer_str()),
        )
        .jwks_refresh_cooldown(Duration::from_secs(3600)),
    )
    .await
    .expect("discovery");
    let before = fixture::sign_in(&client).await.expect("signed in");
    verifier
        .verify(before.tokens().access_token.secret())
        .await
        .expect("before the rotation");
    provider.rotate_keys();
    let after = fixture::sign_in(&client).await.expect("signed in again");
    verifier
        .verify(after.tokens().access_token.secret())
        .await
        .expect("the rotated key is fetched");
    assert_eq!(verifier.jwks_fetch_count(), 2);
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_logout_tokens_after_max_age() {
    let (capture_url, captured) = capture_server().await;
    let provider = provider(Some(capture_url)).await;
    let client = provider.discover(|c| c.jwks_max_age(SECOND, RANGE)).await;
    // Two sessions, two logout tokens, both signed with the current key.
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let login = fixture::sign_in(&client).await.expect("signed in");
        provider.backchannel_logout(login.sub()).await;
        tokens.push(captured.lock().unwrap().pop().expect("a logout token"));
    }
    client
        .verify_logout_token(&tokens[0])
        .await
        .expect("the key is published");

    withdraw_the_signing_key(&provider);
    wait_past_max_age().await;
    let error = client
        .verify_logout_token(&tokens[1])
        .await
        .expect_err("withdrawn");
    assert!(
        matches!(&error, LogoutTokenError::Jws(e) if unknown_rs256_key(e)),
        "{error:?}"
    );
}
