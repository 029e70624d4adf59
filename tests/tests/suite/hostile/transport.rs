//! Transport faults on every back-channel call (discovery, token, JWKS,
//! UserInfo): an overall deadline that a slow body cannot stretch, body
//! caps that hold for chunked and gzip-compressed bodies (counted after
//! decompression), and redirects that are never followed.

use super::harness::{Env, config, provider};
use oidc_core::JwsError;
use oidc_core::{Client, DiscoveryError, IdTokenError, TokenError, TransportError};
use oidc_dev_provider::{DevProvider, Endpoint, Fault, HttpFault};
use std::time::{Duration, Instant};
use tests::fixture::Fixture;

/// The deadline of these tests' client.
const TIMEOUT: Duration = Duration::from_secs(1);
/// The body cap of these tests' client.
const CAP: usize = 64 * 1024;
/// A body far over the cap.
const HUGE: usize = 8 * 1024 * 1024;

fn limits(c: oidc_core::ClientConfig) -> oidc_core::ClientConfig {
    c.http_timeout(TIMEOUT).max_response_bytes(CAP)
}

fn trickle() -> HttpFault {
    HttpFault::Trickle {
        interval: Duration::from_millis(50),
    }
}

fn huge(chunked: bool) -> HttpFault {
    HttpFault::Huge {
        bytes: HUGE,
        chunked,
    }
}

fn gzip_bomb() -> HttpFault {
    HttpFault::HugeGzip { bytes: HUGE }
}

fn redirect(provider: &DevProvider, status: u16) -> HttpFault {
    HttpFault::Redirect {
        status,
        location: format!("{}/elsewhere", provider.issuer_str()),
    }
}

fn is_timeout(e: &TransportError) -> bool {
    matches!(e, TransportError::Timeout { timeout, .. } if *timeout == TIMEOUT)
}

fn is_too_large(e: &TransportError) -> bool {
    matches!(e, TransportError::BodyTooLarge { limit, .. } if *limit == CAP)
}

/// The request was abandoned at the deadline, not when the body ended.
fn assert_deadline(started: Instant) {
    let elapsed = started.elapsed();
    assert!(
        elapsed >= TIMEOUT && elapsed < TIMEOUT * 4,
        "gave up after {elapsed:?}, deadline {TIMEOUT:?}"
    );
}

// ---- discovery ------------------------------------------------------------------------------

async fn discovery_error(fault: HttpFault) -> (DiscoveryError, Fixture, Instant) {
    let provider = provider().await;
    provider.inject(Fault::http(Endpoint::Discovery, fault));
    let started = Instant::now();
    let error = Client::discover(limits(config(&provider)))
        .await
        .expect_err("discovery must fail");
    (error, provider, started)
}

#[tokio::test]
async fn discovery_slow_body_hits_the_overall_deadline() {
    let (e, _, started) = discovery_error(trickle()).await;
    assert!(
        matches!(&e, DiscoveryError::Transport(t) if is_timeout(t)),
        "{e:?}"
    );
    assert_deadline(started);
}

#[tokio::test]
async fn discovery_slow_answer_hits_the_deadline() {
    let (e, _, started) = discovery_error(HttpFault::Delay(Duration::from_secs(30))).await;
    assert!(
        matches!(&e, DiscoveryError::Transport(t) if is_timeout(t)),
        "{e:?}"
    );
    assert_deadline(started);
}

#[tokio::test]
async fn discovery_huge_body() {
    let (e, _, _) = discovery_error(huge(false)).await;
    assert!(
        matches!(&e, DiscoveryError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn discovery_huge_chunked_body() {
    let (e, _, _) = discovery_error(huge(true)).await;
    assert!(
        matches!(&e, DiscoveryError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn discovery_gzip_bomb_is_capped_after_decompression() {
    let (e, _, _) = discovery_error(gzip_bomb()).await;
    assert!(
        matches!(&e, DiscoveryError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn discovery_small_gzip_body_is_accepted() {
    // The control: compression itself is fine, only the decompressed size counts.
    let provider = provider().await;
    provider.inject(Fault::http(
        Endpoint::Discovery,
        HttpFault::HugeGzip { bytes: CAP / 2 },
    ));
    Client::discover(limits(config(&provider)))
        .await
        .expect("a compressed document under the cap");
}

async fn discovery_redirect(status: u16) {
    let provider = provider().await;
    provider.inject(Fault::http(
        Endpoint::Discovery,
        redirect(&provider, status),
    ));
    let error = Client::discover(limits(config(&provider)))
        .await
        .expect_err("redirect");
    assert!(
        matches!(&error, DiscoveryError::Transport(TransportError::Redirect { status: s, .. }) if *s == status),
        "{status}: {error:?}"
    );
    assert!(
        provider.requests().iter().all(|r| r.path != "/elsewhere"),
        "{status}: the redirect was followed"
    );
}

#[tokio::test]
async fn discovery_redirect_301_is_not_followed() {
    discovery_redirect(301).await;
}

#[tokio::test]
async fn discovery_redirect_302_is_not_followed() {
    discovery_redirect(302).await;
}

#[tokio::test]
async fn discovery_redirect_307_is_not_followed() {
    discovery_redirect(307).await;
}

#[tokio::test]
async fn discovery_redirect_308_is_not_followed() {
    discovery_redirect(308).await;
}

#[tokio::test]
async fn discovery_with_nothing_listening() {
    let provider = provider().await;
    let config = limits(config(&provider));
    provider.provider.shutdown().await;
    let error = Client::discover(config).await.expect_err("nothing listens");
    assert!(
        matches!(
            error,
            DiscoveryError::Transport(TransportError::Connect { .. })
        ),
        "{error:?}"
    );
}

// ---- token endpoint ------------------------------------------------------------------------

async fn token_error(fault: HttpFault) -> (TokenError, Env, Instant) {
    let env = Env::with(limits).await;
    env.inject(Fault::http(Endpoint::Token, fault));
    let login = env.code_received().await;
    env.clear();
    let started = Instant::now();
    let error = login.exchange().await.expect_err("the exchange must fail");
    assert_eq!(
        env.requests(),
        ["POST /token"],
        "nothing after the token request"
    );
    (error, env, started)
}

#[tokio::test]
async fn token_slow_body_hits_the_overall_deadline() {
    let (e, _, started) = token_error(trickle()).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_timeout(t)),
        "{e:?}"
    );
    assert_deadline(started);
}

#[tokio::test]
async fn token_slow_answer_hits_the_deadline() {
    let (e, _, started) = token_error(HttpFault::Delay(Duration::from_secs(30))).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_timeout(t)),
        "{e:?}"
    );
    assert_deadline(started);
}

#[tokio::test]
async fn token_huge_body() {
    let (e, _, _) = token_error(huge(false)).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_huge_chunked_body() {
    let (e, _, _) = token_error(huge(true)).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_gzip_bomb_is_capped_after_decompression() {
    let (e, _, _) = token_error(gzip_bomb()).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_small_gzip_body_is_accepted() {
    let env = Env::with(limits).await;
    env.inject(Fault::http(
        Endpoint::Token,
        HttpFault::HugeGzip { bytes: CAP / 2 },
    ));
    env.assert_login_succeeds().await;
}

async fn token_redirect(status: u16) {
    let env = Env::with(limits).await;
    env.inject(Fault::http(
        Endpoint::Token,
        redirect(&env.provider, status),
    ));
    let login = env.code_received().await;
    env.clear();
    let error = login.exchange().await.expect_err("redirect");
    assert!(
        matches!(&error, TokenError::Transport(TransportError::Redirect { status: s, .. }) if *s == status),
        "{status}: {error:?}"
    );
    // A followed 307/308 would have re-posted the code and client secret.
    assert_eq!(env.requests(), ["POST /token"], "{status}");
}

#[tokio::test]
async fn token_redirect_302_is_not_followed() {
    token_redirect(302).await;
}

#[tokio::test]
async fn token_redirect_307_is_not_followed() {
    token_redirect(307).await;
}

#[tokio::test]
async fn token_redirect_308_is_not_followed() {
    token_redirect(308).await;
}

// ---- JWKS --------------------------------------------------------------------------------------

async fn jwks_error(fault: HttpFault) -> IdTokenError {
    let env = Env::with(limits).await;
    env.inject(Fault::http(Endpoint::Jwks, fault));
    env.id_token_error("JWKS transport").await
}

#[tokio::test]
async fn jwks_slow_body_hits_the_deadline() {
    let e = jwks_error(trickle()).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::KeysUnavailable(m)) if m.contains("no complete response")),
        "{e:?}"
    );
}

#[tokio::test]
async fn jwks_huge_body() {
    let e = jwks_error(huge(false)).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::KeysUnavailable(m)) if m.contains("exceeds")),
        "{e:?}"
    );
}

#[tokio::test]
async fn jwks_gzip_bomb_is_capped_after_decompression() {
    let e = jwks_error(gzip_bomb()).await;
    assert!(
        matches!(&e, IdTokenError::Jws(JwsError::KeysUnavailable(m)) if m.contains("exceeds")),
        "{e:?}"
    );
}

// ---- UserInfo -----------------------------------------------------------------------------------

async fn userinfo_error(fault: HttpFault) -> (TokenError, Instant) {
    let env = Env::with(limits).await;
    env.inject(Fault::http(Endpoint::UserInfo, fault));
    let login = env.code_received().await;
    env.clear();
    let started = Instant::now();
    let error = login.exchange().await.expect_err("userinfo must fail");
    assert_eq!(
        env.requests(),
        ["POST /token", "GET /jwks", "GET /userinfo"],
        "nothing after UserInfo"
    );
    (error, started)
}

#[tokio::test]
async fn userinfo_slow_body_hits_the_overall_deadline() {
    let (e, started) = userinfo_error(trickle()).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_timeout(t)),
        "{e:?}"
    );
    assert_deadline(started);
}

#[tokio::test]
async fn userinfo_gzip_bomb_is_capped_after_decompression() {
    let (e, _) = userinfo_error(gzip_bomb()).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn userinfo_huge_chunked_body() {
    let (e, _) = userinfo_error(huge(true)).await;
    assert!(
        matches!(&e, TokenError::Transport(t) if is_too_large(t)),
        "{e:?}"
    );
}

#[tokio::test]
async fn userinfo_redirect_is_not_followed() {
    let env = Env::with(limits).await;
    env.inject(Fault::http(
        Endpoint::UserInfo,
        redirect(&env.provider, 302),
    ));
    let login = env.code_received().await;
    env.clear();
    let error = login.exchange().await.expect_err("redirect");
    assert!(
        matches!(
            &error,
            TokenError::Transport(TransportError::Redirect { status: 302, .. })
        ),
        "{error:?}"
    );
    // A followed redirect would have carried the access token elsewhere.
    assert_eq!(env.count("/elsewhere"), 0);
}
