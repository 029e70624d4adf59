//! The [`Client`]: configuration, discovered metadata, one HTTP client and
//! the JWKS cache, shared by every login.

use crate::config::{AssertionAudience, AuthMethod, ClientConfig, SigningAlgorithm};
use crate::error::{CallbackError, DiscoveryError, PendingLoginError, TokenError};
use crate::flow::pending::{PendingLogin, SealingKey};
use crate::flow::{Login, Redirected, Unstarted};
use crate::jose::issuer::ExpectedIssuer;
use crate::jose::jwks::{JwksCache, JwksPolicy};
use crate::provider::client_auth::ClientCredentials;
use crate::provider::discovery::{ProviderMetadata, fetch_document};
use crate::provider::http::Http;
use crate::provider::negotiated::Negotiated;
use crate::provider::revocation::{self, TokenTypeHint};
use crate::provider::token_endpoint::TokenSet;
use crate::provider::trace::{self, step_span};
use crate::replay::{FirstUse, ReplayKey, ReplayKind, ReplayStore};
use crate::secret::{AccessToken, RefreshToken};
use crate::util::{ExpiringSet, Insert, unix_now};
use std::fmt;
use std::sync::Arc;

/// The most logout-token `jti`s remembered at once.
const LOGOUT_JTI_CAPACITY: usize = 10_000;

/// The most used `state`s remembered at once (about 5 MiB of digests).
/// Anyone can fill the set, by starting logins and sending their callbacks,
/// so it is bounded; when full it forgets the soonest-expiring in batches
/// and refuses the callbacks it can no longer vouch for
/// ([`CallbackError::ReplayUnverifiable`](crate::CallbackError::ReplayUnverifiable)),
/// rather than accepting a replay or refusing every new login.
const USED_STATE_CAPACITY: usize = 100_000;

/// An OpenID Connect client for one provider. Create it once at start-up
/// with [`Client::discover`]; clone it freely (an `Arc` inside), share it
/// across requests and tasks, keep it in your web framework's state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The store shared with the application's other instances, if any
    /// (see [`crate::replay`]).
    shared_replay: Option<Arc<dyn ReplayStore>>,
}

struct Inner {
    config: ClientConfig,
    metadata: ProviderMetadata,
    /// The configuration's choices, completed from the metadata.
    negotiated: Negotiated,
    /// The client id and what proves it, for every authenticated request.
    credentials: ClientCredentials,
    http: Http,
    jwks: JwksCache,
    /// `state` digests of logins that received their callback, until they
    /// expire: makes every pending login single use on this instance.
    used_states: ExpiringSet,
    /// `jti`s of accepted back-channel logout tokens (replay defence).
    logout_jtis: ExpiringSet,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("issuer", &self.inner.config.issuer)
            .field("client_id", &self.inner.config.client_id)
            .field("shared_replay_store", &self.shared_replay.is_some())
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
    /// [`Client::revoke`] revokes tokens at sign-out,
    /// [`Client::verify_logout_token`] checks a back-channel logout.
    pub async fn discover(config: ClientConfig) -> Result<Self, DiscoveryError> {
        let urls = config.validated()?;
        let span = step_span!("oidc.discovery", trace::host(&urls.issuer));
        trace::timed(span, async move {
            let http = Http::from_limits(&config.limits)?;
            let document = fetch_document(&http, &urls.issuer).await?;
            let metadata = ProviderMetadata::from_document(&document, &config)?;
            let negotiated = Negotiated::resolve(&config, &metadata)?;
            Ok(Self::with_metadata(config, metadata, negotiated, http))
        })
        .await
    }

    pub(crate) fn with_metadata(
        config: ClientConfig,
        metadata: ProviderMetadata,
        negotiated: Negotiated,
        http: Http,
    ) -> Self {
        let jwks = JwksCache::new(
            metadata.jwks_uri.clone(),
            http.clone(),
            JwksPolicy::from_limits(&config.limits),
        );
        let assertion_audience = match config.assertion_audience {
            AssertionAudience::TokenEndpoint => metadata.token_endpoint.to_string(),
            AssertionAudience::Issuer => metadata.issuer.clone(),
        };
        let credentials = ClientCredentials {
            secret_fn: config.client_secret_fn.clone(),
            key: config.private_key.clone().zip(negotiated.key_algorithm),
            assertion_audience: Some(assertion_audience),
            ..ClientCredentials::new(&config.client_id, config.client_secret.clone())
        };
        Self {
            inner: Arc::new(Inner {
                config,
                metadata,
                negotiated,
                credentials,
                http,
                jwks,
                used_states: ExpiringSet::with_capacity(USED_STATE_CAPACITY),
                logout_jtis: ExpiringSet::with_capacity(LOGOUT_JTI_CAPACITY),
            }),
            shared_replay: None,
        }
    }

    /// Makes logins and logout tokens single use across every instance
    /// that shares `store` (e.g. `redis::RedisReplayStore`), not only on
    /// this one: see [`crate::replay`] for where it is asked. Applies to
    /// this value and its clones made afterwards.
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.shared_replay = Some(store);
        self
    }

    /// Whether a shared [`ReplayStore`] is set.
    pub fn has_replay_store(&self) -> bool {
        self.shared_replay.is_some()
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
            trace::login_refused(&PendingLoginError::WrongClient);
            return Err(PendingLoginError::WrongClient);
        }
        pending.check_fresh().inspect_err(trace::login_refused)?;
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

    /// Whether the provider publishes a `revocation_endpoint` (RFC 7009),
    /// i.e. whether [`Client::revoke`] can do anything.
    pub fn supports_revocation(&self) -> bool {
        self.inner.metadata.revocation_endpoint.is_some()
    }

    /// Revokes a login's tokens at the provider (RFC 7009), e.g. at
    /// sign-out: the refresh token first (which, at most providers, also
    /// ends the access tokens issued with it), then the access token.
    /// The client authenticates as at the token endpoint (or with a method
    /// from `revocation_endpoint_auth_methods_supported`, when the provider
    /// lists others). Each request is traced as an `oidc.revocation` span.
    ///
    /// A provider that does not revoke access tokens (it answers
    /// `unsupported_token_type`) is not an error here: they expire. If the
    /// provider cannot be reached, the access token is not tried (one
    /// deadline, not two); otherwise both are tried and the first error is
    /// returned. Nothing is retried, not even a `503`: the tokens still
    /// expire. Fails with [`TokenError::RevocationUnsupported`] when the
    /// provider publishes no endpoint (see [`Client::supports_revocation`]).
    /// Errors never contain a token.
    pub async fn revoke(&self, tokens: &TokenSet) -> Result<(), TokenError> {
        if !self.supports_revocation() {
            return Err(TokenError::RevocationUnsupported);
        }
        let mut first_error = None;
        if let Some(refresh_token) = &tokens.refresh_token {
            match self.revoke_refresh_token(refresh_token).await {
                Ok(()) => {}
                Err(error @ TokenError::Transport(_)) => return Err(error),
                Err(error) => first_error = Some(error),
            }
        }
        match self.revoke_access_token(&tokens.access_token).await {
            Ok(()) => {}
            Err(TokenError::RevocationRefused { error, .. })
                if error == "unsupported_token_type" => {}
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Revokes a refresh token (RFC 7009, `token_type_hint=refresh_token`);
    /// see [`Client::revoke`].
    pub async fn revoke_refresh_token(&self, token: &RefreshToken) -> Result<(), TokenError> {
        revocation::revoke(self, token.secret(), TokenTypeHint::RefreshToken).await
    }

    /// Revokes an access token (RFC 7009, `token_type_hint=access_token`).
    /// Unlike [`Client::revoke`], a provider's `unsupported_token_type` is
    /// returned, as [`TokenError::RevocationRefused`].
    pub async fn revoke_access_token(&self, token: &AccessToken) -> Result<(), TokenError> {
        revocation::revoke(self, token.secret(), TokenTypeHint::AccessToken).await
    }

    /// The token endpoint authentication method in use: the configured one,
    /// or the one chosen from the provider's metadata.
    pub fn auth_method(&self) -> AuthMethod {
        self.inner.negotiated.auth_method
    }

    /// The algorithms accepted for ID tokens and logout tokens: the
    /// configured list, or the provider's advertised algorithms that this
    /// crate verifies.
    pub fn allowed_algorithms(&self) -> &[SigningAlgorithm] {
        &self.inner.negotiated.algorithms
    }

    pub(crate) fn expected_issuer(&self) -> &ExpectedIssuer {
        &self.inner.negotiated.issuer
    }

    /// How many times this client fetched the provider's JWKS.
    pub fn jwks_fetch_count(&self) -> u64 {
        self.inner.jwks.fetch_count()
    }

    pub(crate) fn credentials(&self) -> &ClientCredentials {
        &self.inner.credentials
    }

    pub(crate) fn http(&self) -> &Http {
        &self.inner.http
    }

    pub(crate) fn jwks(&self) -> &JwksCache {
        &self.inner.jwks
    }

    pub(crate) fn logout_replay_cache(&self) -> &ExpiringSet {
        &self.inner.logout_jtis
    }

    /// Marks a login's `state` as used on this instance, unless it already
    /// was or may have been (see [`Insert`]). With a shared store,
    /// [`Insert::Unverifiable`] becomes [`Insert::Fresh`]: the shared store,
    /// asked at the exchange, has the last word.
    pub(crate) fn consume_state(&self, state: &str, expires_at: i64) -> Insert {
        let found =
            self.inner
                .used_states
                .check_and_insert(&[state.as_bytes()], expires_at, unix_now());
        match found {
            Insert::Unverifiable if self.shared_replay.is_some() => Insert::Fresh,
            found => found,
        }
    }

    /// Marks a login's `state` as used in the shared store, if there is
    /// one: refused if another instance (or this one) used it already, or
    /// if the store cannot answer.
    pub(crate) async fn consume_state_shared(
        &self,
        state: &str,
        expires_at: i64,
    ) -> Result<(), CallbackError> {
        let Some(store) = &self.shared_replay else {
            return Ok(());
        };
        let key = self.replay_key(ReplayKind::State, &[state.as_bytes()]);
        match store.first_use(&key, expires_at).await {
            Ok(FirstUse::Yes) => Ok(()),
            Ok(FirstUse::No) => Err(CallbackError::AlreadyUsed),
            Ok(_) => Err(CallbackError::ReplayUnverifiable),
            Err(error) => Err(CallbackError::StoreUnavailable(error)),
        }
    }

    /// The shared store, if any.
    pub(crate) fn shared_replay(&self) -> Option<&dyn ReplayStore> {
        self.shared_replay.as_deref()
    }

    /// A key for the shared store: the value, bound to this client (two
    /// clients sharing a store never see each other's values).
    pub(crate) fn replay_key(&self, kind: ReplayKind, value: &[&[u8]]) -> ReplayKey {
        let config = &self.inner.config;
        let mut parts: Vec<&[u8]> = vec![config.issuer.as_bytes(), config.client_id.as_bytes()];
        parts.extend_from_slice(value);
        ReplayKey::new(kind, &parts)
    }
}
