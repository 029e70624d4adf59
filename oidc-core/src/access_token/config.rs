//! The configuration of an API's [`AccessTokenVerifier`](super::AccessTokenVerifier).

use super::AccessTokenType;
use super::introspection::{IntrospectionSettings, MAX_CACHE_TTL, TokenValidation};
#[cfg(doc)]
use super::{AccessTokenClaims, AccessTokenVerifier};
use crate::config::{AuthMethod, ClientKey, Limits, SigningAlgorithm, check_scope, parse_issuer};
use crate::error::ConfigError;
use crate::jose::issuer::IssuerPolicy;
use crate::provider::client_auth::ClientCredentials;
use crate::secret::ClientSecret;
use std::ops::RangeInclusive;
use std::time::Duration;
use url::Url;

/// The configuration of an [`AccessTokenVerifier`]: who issues the tokens
/// and which audience this API is. No client id or secret: an API only
/// verifies.
///
/// ```
/// use oidc_core::{AccessTokenType, ResourceServerConfig, SigningAlgorithm};
/// use std::time::Duration;
///
/// let config = ResourceServerConfig::new("https://login.example.com", "https://api.example.com")
///     .required_scopes(["api"])
///     .clock_tolerance(Duration::from_secs(30))
///     .realm("example-api");
/// assert!(config.validate().is_ok());
/// // The algorithms come from the provider's metadata; pin them only to
/// // narrow them.
/// let pinned = config.allowed_algorithms([SigningAlgorithm::ES256]);
/// assert!(pinned.validate().is_ok());
/// # let _ = AccessTokenType::Rfc9068;
/// ```
#[derive(Debug, Clone)]
pub struct ResourceServerConfig {
    pub(super) issuer: String,
    pub(super) audience: String,
    /// `None`: from the provider's metadata.
    pub(super) algorithms: Option<Vec<SigningAlgorithm>>,
    pub(super) issuer_policy: IssuerPolicy,
    pub(super) token_type: AccessTokenType,
    pub(super) required_scopes: Vec<String>,
    pub(super) realm: Option<String>,
    pub(super) limits: Limits,
    pub(super) validation: TokenValidation,
    pub(super) introspection: IntrospectionSettings,
}

impl ResourceServerConfig {
    /// Tokens from `issuer` (exactly as in its discovery document), for the
    /// API identified by `audience` (the `aud` the provider puts in access
    /// tokens for this API). Defaults: the algorithms the provider
    /// advertises, RFC 9068 typing, no required scope, 60 s clock
    /// tolerance, realm = the audience.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            algorithms: None,
            issuer_policy: IssuerPolicy::Exact,
            token_type: AccessTokenType::default(),
            required_scopes: Vec::new(),
            realm: None,
            limits: Limits::default(),
            validation: TokenValidation::default(),
            introspection: IntrospectionSettings::default(),
        }
    }

    /// Restricts the signature algorithms accepted to this list.
    ///
    /// Unset (the default), the verifier accepts the provider's
    /// `id_token_signing_alg_values_supported` that this crate verifies
    /// (the provider signs its JWTs with the keys of its JWKS), or RS256,
    /// which RFC 9068 requires every provider to support, when it lists
    /// none. Each key verifies only the algorithms its type and `alg` allow;
    /// `none` and HMAC are never accepted.
    pub fn allowed_algorithms(
        mut self,
        algorithms: impl IntoIterator<Item = SigningAlgorithm>,
    ) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// How the tokens' `iss` is matched (default [`IssuerPolicy::Exact`]),
    /// e.g. [`IssuerPolicy::EntraMultiTenant`] for an API that accepts
    /// tokens of every Entra ID tenant.
    pub fn issuer_policy(mut self, policy: IssuerPolicy) -> Self {
        self.issuer_policy = policy;
        self
    }

    /// Which `typ` values are accepted (default [`AccessTokenType::Rfc9068`]).
    pub fn token_type(mut self, token_type: AccessTokenType) -> Self {
        self.token_type = token_type;
        self
    }

    /// Scopes every token must have been granted, whatever the route. For
    /// per-route scopes use [`AccessTokenClaims::require_scopes`] (or the
    /// axum extractor's scope parameter).
    pub fn required_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The `realm` of the `WWW-Authenticate` challenges (default: the
    /// audience).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// Allowed clock difference with the provider for `exp`, `nbf` and
    /// `iat` (default 60 s, at most 5 minutes).
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.limits.clock_tolerance = tolerance;
        self
    }

    /// The deadline of each request to the provider (discovery, JWKS),
    /// body included (default 10 s).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.limits.http_timeout = timeout;
        self
    }

    /// The minimum time between two JWKS refetches triggered by an unknown
    /// `kid` (default 10 s).
    pub fn jwks_refresh_cooldown(mut self, cooldown: Duration) -> Self {
        self.limits.jwks_refresh_cooldown = cooldown;
        self
    }

    /// How long fetched signing keys are trusted before the JWKS is fetched
    /// again: the response's `Cache-Control: max-age` clamped to `range`
    /// (`no-store` and `no-cache` mean its start), or `default` without
    /// one. Defaults: 1 hour within 1 minute to 24 hours. The range must
    /// lie within 1 second and 7 days and contain `default`. The bound
    /// matters: a key the provider withdraws stays trusted until then.
    pub fn jwks_max_age(mut self, default: Duration, range: RangeInclusive<Duration>) -> Self {
        self.limits.jwks_max_age = default;
        self.limits.jwks_min_max_age = *range.start();
        self.limits.jwks_max_max_age = *range.end();
        self
    }

    /// Which tokens are verified locally and which are introspected at the
    /// provider (RFC 7662). Default [`TokenValidation::LocalJwt`]: JWT
    /// access tokens only, no request per token. The other modes need
    /// [`introspection_client`](Self::introspection_client) and a provider
    /// that publishes `introspection_endpoint`.
    pub fn token_validation(mut self, validation: TokenValidation) -> Self {
        self.validation = validation;
        self
    }

    /// The client this API authenticates as at the introspection endpoint
    /// (registered at the provider for the API; RFC 7662 section 2.1
    /// requires introspection requests to be authorized). The method is
    /// the provider's choice: from
    /// `introspection_endpoint_auth_methods_supported` (else
    /// `token_endpoint_auth_methods_supported`, else `client_secret_basic`),
    /// `client_secret_post` first, then `client_secret_basic`. Used only
    /// when [`token_validation`](Self::token_validation) introspects.
    pub fn introspection_client(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.introspection.credentials = Some(ClientCredentials::new(
            client_id,
            Some(ClientSecret::new(secret)),
        ));
        self.introspection.key = None;
        self
    }

    /// The client this API authenticates as at the introspection endpoint,
    /// with a private key instead of a secret (`private_key_jwt`, RFC 7523):
    /// each request carries a fresh assertion signed with `key`, whose `aud`
    /// is the issuer (RFC 7523 section 3). The algorithm is the key's first
    /// one the provider lists in
    /// `introspection_endpoint_auth_signing_alg_values_supported` (else
    /// `token_endpoint_auth_signing_alg_values_supported`); the provider
    /// must list `private_key_jwt` (or publish no list). Replaces
    /// [`introspection_client`](Self::introspection_client).
    pub fn introspection_client_key(
        mut self,
        client_id: impl Into<String>,
        key: ClientKey,
    ) -> Self {
        self.introspection.credentials = Some(ClientCredentials::new(client_id, None));
        self.introspection.key = Some(key);
        self
    }

    /// How the API authenticates at the introspection endpoint:
    /// [`AuthMethod::ClientSecretBasic`], [`AuthMethod::ClientSecretPost`]
    /// or, with [`introspection_client_key`](Self::introspection_client_key),
    /// [`AuthMethod::PrivateKeyJwt`],
    /// for a provider that registers each client for one method (unset: the
    /// provider's metadata decides, see
    /// [`introspection_client`](Self::introspection_client)). Discovery
    /// refuses a method the provider does not list.
    pub fn introspection_auth_method(mut self, method: AuthMethod) -> Self {
        self.introspection.method = Some(method);
        self
    }

    /// The longest an introspection answer is relied on (default 60 s, at
    /// most 1 hour; zero: never cached). An active answer is kept until the
    /// token's `exp` or this bound, whichever comes first, so a token
    /// revoked at the provider is still accepted for up to this long; an
    /// answer without `exp` is kept exactly this long, and the claims'
    /// `exp` says until when. Inactive answers are never cached.
    pub fn introspection_cache_ttl(mut self, ttl: Duration) -> Self {
        self.introspection.cache_ttl = ttl;
        self
    }

    /// Accept introspection answers without `aud` (default: refused with
    /// [`AccessTokenError::MissingAudience`](crate::AccessTokenError::MissingAudience)).
    /// Some providers omit the audience of opaque tokens; without it
    /// nothing says the token was meant for this API rather than another
    /// one of the same provider, so opt in only if every token that
    /// provider issues may call this API. An `aud` that is present must
    /// still name this API.
    pub fn introspection_accepts_missing_audience(mut self, accept: bool) -> Self {
        self.introspection.accept_missing_audience = accept;
        self
    }

    /// The configured issuer.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The configured audience.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Checks every setting; [`AccessTokenVerifier::discover`] calls this first.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validated().map(|_| ())
    }

    pub(super) fn validated(&self) -> Result<Url, ConfigError> {
        let issuer = parse_issuer(&self.issuer)?;
        if self.audience.trim().is_empty() {
            return Err(ConfigError::EmptyAudience);
        }
        if self.algorithms.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::NoAlgorithms);
        }
        for scope in &self.required_scopes {
            check_scope(scope)?;
        }
        self.limits.validate()?;
        if self.validation.introspects() {
            match &self.introspection.credentials {
                None => return Err(ConfigError::MissingIntrospectionClient),
                Some(credentials) if credentials.client_id.trim().is_empty() => {
                    return Err(ConfigError::EmptyClientId);
                }
                Some(_) => {}
            }
        }
        if let Some(method) = self.introspection.method
            && !matches!(
                method,
                AuthMethod::ClientSecretBasic
                    | AuthMethod::ClientSecretPost
                    | AuthMethod::PrivateKeyJwt
            )
        {
            return Err(ConfigError::UnsupportedIntrospectionMethod(method.as_str()));
        }
        if self.introspection.cache_ttl > MAX_CACHE_TTL {
            return Err(ConfigError::InvalidDuration {
                field: "introspection_cache_ttl",
                reason: "at most 1 hour (a revoked token is accepted for up to this long)",
            });
        }
        Ok(issuer)
    }
}
