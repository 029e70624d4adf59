//! Hooks for the `oidc-benches` crate: the crate's own hot paths (ID token
//! verification, JWKS key lookup), reachable only with the non-default
//! `bench` feature. Not part of the API: no stability, no semver.
//!
//! Everything here calls the same functions the login flow calls
//! ([`Login::exchange`](crate::Login::exchange) verifies through
//! `id_token::verify` with the client's `JwksCache`); only the key cache is
//! filled from a JWKS document instead of an HTTP fetch.

use crate::config::{ClientConfig, SigningAlgorithm};
use crate::error::{IdTokenError, JwsError};
use crate::jose::id_token::{self, Expectations, IdTokenClaims, NonceCheck};
use crate::jose::issuer::ExpectedIssuer;
use crate::jose::jwks::{JwksCache, KeySelection, KeySet};
use crate::util::unix_now;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// An ID token verifier with a warm key cache: the client's configuration
/// (issuer, client id, algorithms, clock tolerance, maximum age) and the
/// provider's JWKS, parsed once.
#[derive(Debug)]
pub struct IdTokenVerifier {
    config: ClientConfig,
    issuer: ExpectedIssuer,
    /// The configured algorithms, or RS256 (no metadata here).
    algorithms: Vec<SigningAlgorithm>,
    jwks: JwksCache,
}

impl IdTokenVerifier {
    /// Parses `jwks_json` (a JWKS document) into a warm key cache.
    pub fn new(config: ClientConfig, jwks_json: &[u8]) -> Result<Self, IdTokenError> {
        let keys = KeySet::parse(jwks_json)?;
        Ok(Self {
            issuer: ExpectedIssuer::exact(&config.issuer),
            algorithms: (config.algorithms.clone())
                .unwrap_or_else(|| vec![SigningAlgorithm::RS256]),
            config,
            jwks: JwksCache::preloaded(keys),
        })
    }

    /// Verifies `token` exactly as `Login::exchange` does: header, key from
    /// the cache, signature, then `iss`, `aud`, `azp`, `exp`, `iat`, `nbf`,
    /// `nonce` and (when `access_token` is given) `at_hash`.
    pub fn verify(
        &self,
        token: &str,
        nonce: &str,
        access_token: Option<&str>,
    ) -> Result<IdTokenClaims, IdTokenError> {
        let config = &self.config;
        let expect = Expectations {
            issuer: &self.issuer,
            client_id: &config.client_id,
            trusted_audiences: &config.trusted_audiences,
            algorithms: &self.algorithms,
            nonce: NonceCheck::Equal(nonce),
            max_age: None,
            access_token,
            clock_tolerance: config.limits.clock_tolerance,
            max_token_age: config.limits.max_id_token_age,
            now: unix_now(),
        };
        ready(id_token::verify(token, &self.jwks, &expect)).unwrap_or_else(|| {
            Err(IdTokenError::Jws(JwsError::KeysUnavailable(
                "the key cache wanted to fetch: it is not warm".into(),
            )))
        })
    }

    /// Looks a key up in the cache as verification does (`kid` and `alg`);
    /// `true` if exactly one key fits.
    pub fn select(&self, kid: Option<&str>, alg: SigningAlgorithm) -> bool {
        matches!(
            ready(self.jwks.select(kid, alg)),
            Some(Ok(KeySelection::Found(_)))
        )
    }
}

/// Runs a future that completes without waiting (a warm cache never awaits),
/// without a runtime; `None` if it would have waited.
fn ready<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
