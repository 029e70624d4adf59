//! The [`Client`]: configuration, discovered metadata, one HTTP client and
//! the JWKS cache, shared by every login.

use crate::config::{AuthMethod, ClientConfig, SigningAlgorithm};
use crate::discovery::{ProviderMetadata, discovery_url};
use crate::error::{DiscoveryError, PendingLoginError};
use crate::flow::{Login, Redirected, Unstarted};
use crate::http::Http;
use crate::id_token::unix_now;
use crate::issuer::ExpectedIssuer;
use crate::jwks::JwksCache;
use crate::negotiated::Negotiated;
use crate::pending::{PendingLogin, SealingKey};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// An OpenID Connect client for one provider. Create it once at start-up
/// with [`Client::discover`]; clone it freely (an `Arc` inside), share it
/// across requests and tasks, keep it in your web framework's state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    metadata: ProviderMetadata,
    /// The configuration's choices, completed from the metadata.
    negotiated: Negotiated,
    http: Http,
    jwks: JwksCache,
    /// `state` digests of logins that received their callback, until they
    /// expire: makes every pending login single use on this instance.
    used_states: Mutex<UsedStates>,
    /// `jti`s of accepted back-channel logout tokens (replay defence).
    logout_jtis: crate::backchannel::ReplayCache,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("issuer", &self.inner.config.issuer)
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Checks the configuration, fetches the provider's discovery document
    /// (`{issuer}/.well-known/openid-configuration`) and checks it: the
    /// `issuer` must equal the configured issuer exactly (or follow the
    /// configured [`IssuerPolicy`](crate::IssuerPolicy)), endpoints must be
    /// https (http only for a loopback issuer), and the provider must support
    /// the configured response mode and any explicitly configured
    /// authentication method. What the configuration leaves open (the
    /// authentication method, the ID token algorithms) is chosen from the
    /// metadata here, once, and logged.
    ///
    /// Everything else a client does is a method of its login or of the
    /// client: [`Client::login`] starts the flow, [`Client::refresh`]
    /// renews tokens, [`Client::end_session_url`] builds an RP-initiated logout,
    /// [`Client::verify_logout_token`] checks a back-channel logout.
    pub async fn discover(config: ClientConfig) -> Result<Self, DiscoveryError> {
        let urls = config.validated()?;
        let limits = &config.limits;
        let http = Http::new(
            limits.http_timeout,
            limits.connect_timeout,
            limits.max_response_bytes,
        )?;
        let url = discovery_url(&urls.issuer);
        let response = http.get(&url, None).await?;
        if response.status != 200 {
            return Err(crate::error::TransportError::Status {
                url: crate::http::display_url(&url),
                status: response.status,
            }
            .into());
        }
        if !response.is_json() {
            return Err(DiscoveryError::InvalidDocument(format!(
                "expected JSON, got content type `{}`",
                response.content_type().unwrap_or("none")
            )));
        }
        let metadata = ProviderMetadata::from_document(&response.body, &config)?;
        let negotiated = Negotiated::resolve(&config, &metadata)?;
        Ok(Self::with_metadata(config, metadata, negotiated, http))
    }

    fn with_metadata(
        config: ClientConfig,
        metadata: ProviderMetadata,
        negotiated: Negotiated,
        http: Http,
    ) -> Self {
        let jwks = JwksCache::new(
            metadata.jwks_uri.clone(),
            http.clone(),
            config.limits.jwks_refresh_cooldown,
        );
        Self {
            inner: Arc::new(Inner {
                config,
                metadata,
                negotiated,
                http,
                jwks,
                used_states: Mutex::new(UsedStates::default()),
                logout_jtis: crate::backchannel::ReplayCache::default(),
            }),
        }
    }

    /// Starts a login. Set options on it, then call
    /// [`redirect`](Login::redirect).
    pub fn login(&self) -> Login<Unstarted> {
        Login::new(self.clone())
    }

    /// Restores a login from its [`PendingLogin`] at the callback. Fails if
    /// it expired or was started for another client or provider.
    pub fn resume(&self, pending: PendingLogin) -> Result<Login<Redirected>, PendingLoginError> {
        if pending.issuer != self.inner.config.issuer
            || pending.client_id != self.inner.config.client_id
        {
            return Err(PendingLoginError::WrongClient);
        }
        pending.check_fresh()?;
        Ok(Login::resumed(self.clone(), pending))
    }

    /// [`PendingLogin::unseal`] then [`Client::resume`].
    pub fn resume_sealed(
        &self,
        sealed: &str,
        key: &SealingKey,
    ) -> Result<Login<Redirected>, PendingLoginError> {
        self.resume(PendingLogin::unseal(sealed, key)?)
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The provider's checked metadata.
    pub fn metadata(&self) -> &ProviderMetadata {
        &self.inner.metadata
    }

    /// The token endpoint authentication method in use: the configured one,
    /// or the one chosen from the provider's metadata.
    pub fn auth_method(&self) -> AuthMethod {
        self.inner.negotiated.auth_method
    }

    /// The algorithms accepted for ID tokens and logout tokens: the
    /// configured list, or the provider's advertised algorithms that this
    /// crate verifies.
    pub fn id_token_algorithms(&self) -> &[SigningAlgorithm] {
        &self.inner.negotiated.algorithms
    }

    pub(crate) fn expected_issuer(&self) -> &ExpectedIssuer {
        &self.inner.negotiated.issuer
    }

    /// How many times this client fetched the provider's JWKS.
    pub fn jwks_fetch_count(&self) -> u64 {
        self.inner.jwks.fetch_count()
    }

    pub(crate) fn http(&self) -> &Http {
        &self.inner.http
    }

    pub(crate) fn jwks(&self) -> &JwksCache {
        &self.inner.jwks
    }

    pub(crate) fn logout_replay_cache(&self) -> &crate::backchannel::ReplayCache {
        &self.inner.logout_jtis
    }

    /// Marks a login's `state` as used. `false` if it already was.
    pub(crate) fn consume_state(&self, state: &str, expires_at: i64) -> bool {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, state.as_bytes());
        let mut key = [0u8; 32];
        key.copy_from_slice(digest.as_ref());
        let mut used = self
            .inner
            .used_states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        used.insert(key, expires_at)
    }
}

/// The used `state` digests with their expiry. Expired entries are dropped
/// when the map has doubled since the last sweep, so a callback costs O(1)
/// amortized however many logins are live (sweeping at a fixed size would
/// scan every live entry on every callback once that many are live).
#[derive(Debug)]
struct UsedStates {
    expiry_by_digest: HashMap<[u8; 32], i64>,
    sweep_at: usize,
}

impl UsedStates {
    const MIN_SWEEP: usize = 1024;

    /// Records `digest`; `false` if it was already there.
    fn insert(&mut self, digest: [u8; 32], expires_at: i64) -> bool {
        if self.expiry_by_digest.len() >= self.sweep_at {
            let now = unix_now();
            self.expiry_by_digest.retain(|_, expiry| *expiry > now);
            self.sweep_at = (self.expiry_by_digest.len() * 2).max(Self::MIN_SWEEP);
        }
        self.expiry_by_digest.insert(digest, expires_at).is_none()
    }
}

impl Default for UsedStates {
    fn default() -> Self {
        Self {
            expiry_by_digest: HashMap::new(),
            sweep_at: Self::MIN_SWEEP,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn used_states_are_single_use_and_swept_in_amortized_time() {
        let mut used = UsedStates::default();
        let live = unix_now() + 600;
        let digest = |i: u32| {
            let mut d = [0u8; 32];
            d[..4].copy_from_slice(&i.to_le_bytes());
            d
        };
        assert!(used.insert(digest(0), live));
        assert!(!used.insert(digest(0), live), "a state is used once");
        // Many live logins: the sweep threshold grows with them instead of
        // scanning every entry on every insert.
        for i in 1..5000 {
            assert!(used.insert(digest(i), live));
        }
        assert!(used.sweep_at >= used.expiry_by_digest.len());
        assert!(used.sweep_at <= 2 * 5000);
        // Expired entries go at the next sweep.
        let mut used = UsedStates::default();
        for i in 0..UsedStates::MIN_SWEEP as u32 {
            used.insert(digest(i), unix_now() - 1);
        }
        assert!(used.insert(digest(u32::MAX), live));
        assert_eq!(used.expiry_by_digest.len(), 1);
    }
}
