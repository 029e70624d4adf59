//! The application's side of the configuration: who the client is, where the
//! provider is, the protocol vocabulary, the limits the client enforces and
//! the URL policy.
//!
//! This layer uses only `crate::error`, `crate::secret` and, for the
//! issuer policy's type, `crate::jose::issuer`. Everything that talks to the
//! provider builds on it.

mod client_key;
mod limits;
mod url_policy;
mod vocabulary;

pub use crate::jose::issuer::IssuerPolicy;
pub use client_key::ClientKey;
pub(crate) use limits::Limits;
pub use url_policy::is_loopback;
pub(crate) use url_policy::{endpoint_is_secure, parse_issuer, parse_url};
pub use vocabulary::{
    AssertionAudience, AuthMethod, Prompt, PromptCreate, ResponseMode, SigningAlgorithm,
    UserInfoPolicy,
};
pub(crate) use vocabulary::{check_scope, protocol_names};

use crate::error::ConfigError;
use crate::secret::ClientSecret;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The configuration of a [`Client`](crate::Client).
///
/// Setters never fail; [`Client::discover`](crate::Client::discover) checks
/// everything at once and reports the first problem as a [`ConfigError`].
///
/// ```
/// use oidc_core::{AuthMethod, ClientConfig, ResponseMode};
/// let config = ClientConfig::for_issuer("https://login.example.com")
///     .client_id("my-client-id")
///     .redirect_uri("https://app.example.com/callback")
///     .client_secret("from-your-secret-store")
///     .scopes(["openid", "email"])
///     .response_mode(ResponseMode::FormPost);
/// assert!(config.validate().is_ok());
/// // The token endpoint method and the ID token algorithms come from the
/// // provider's metadata; name them only to insist on one.
/// let strict = config.auth_method(AuthMethod::ClientSecretPost);
/// assert!(strict.validate().is_ok());
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<ClientSecret>,
    /// Called for the secret at each request that needs it, instead of
    /// `client_secret` (the two are exclusive).
    pub(crate) client_secret_fn: Option<SecretFn>,
    pub(crate) private_key: Option<ClientKey>,
    pub(crate) assertion_audience: AssertionAudience,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) response_mode: ResponseMode,
    /// `None`: chosen from the provider's metadata at discovery.
    pub(crate) auth_method: Option<AuthMethod>,
    /// `None`: the provider's advertised algorithms that this crate verifies.
    pub(crate) algorithms: Option<Vec<SigningAlgorithm>>,
    pub(crate) issuer_policy: IssuerPolicy,
    pub(crate) prompt_create: PromptCreate,
    pub(crate) authorization_params: Vec<(String, String)>,
    pub(crate) trusted_audiences: Vec<String>,
    pub(crate) userinfo: UserInfoPolicy,
    pub(crate) limits: Limits,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field(
                "client_secret_fn",
                &self.client_secret_fn.as_ref().map(|_| "<callback>"),
            )
            .field("private_key", &self.private_key)
            .field("assertion_audience", &self.assertion_audience)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("response_mode", &self.response_mode)
            .field("auth_method", &self.auth_method)
            .field("algorithms", &self.algorithms)
            .field("issuer_policy", &self.issuer_policy)
            .field("prompt_create", &self.prompt_create)
            .field("authorization_params", &self.authorization_params)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Starts a configuration for the provider whose issuer is `issuer`
    /// (exactly as its discovery document states it). The two next steps
    /// name the client id and the redirect URI, so the three strings cannot
    /// be passed in the wrong order:
    ///
    /// ```
    /// use oidc_core::ClientConfig;
    /// let config = ClientConfig::for_issuer("https://login.example.com")
    ///     .client_id("my-client-id")
    ///     .redirect_uri("https://app.example.com/callback");
    /// assert_eq!(config.client_id(), "my-client-id");
    /// ```
    pub fn for_issuer(issuer: impl Into<String>) -> WantsClientId {
        WantsClientId {
            issuer: issuer.into(),
        }
    }

    /// A configuration with the defaults: scopes `openid email`, `form_post`,
    /// and the token endpoint method and ID token algorithms the provider's
    /// discovery document advertises.
    fn with_defaults(issuer: String, client_id: String, redirect_uri: String) -> Self {
        Self {
            issuer,
            client_id,
            client_secret: None,
            client_secret_fn: None,
            private_key: None,
            assertion_audience: AssertionAudience::default(),
            redirect_uri,
            scopes: vec!["openid".into(), "email".into()],
            response_mode: ResponseMode::default(),
            auth_method: None,
            algorithms: None,
            issuer_policy: IssuerPolicy::Exact,
            prompt_create: PromptCreate::FromMetadata,
            authorization_params: Vec::new(),
            trusted_audiences: Vec::new(),
            userinfo: UserInfoPolicy::default(),
            limits: Limits::default(),
        }
    }

    /// The client secret. Without one the client is public
    /// ([`AuthMethod::None`]: PKCE protects the code).
    /// Replaces a [`ClientConfig::client_secret_fn`].
    pub fn client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(secret.into());
        self.client_secret_fn = None;
        self
    }

    /// The client secret, asked of `f` at each request that needs it
    /// (`client_secret_post`, `client_secret_basic`, `client_secret_jwt`):
    /// for secrets that change. Sign in with Apple's client secret, for
    /// one, is a JWT the application signs with its Apple key and must
    /// re-mint before it expires (at most 6 months): `f` returns the
    /// current one, re-minting when needed (cache it: `f` runs on every
    /// token, refresh and revocation request). An error from `f` fails
    /// that request with [`TokenError::ClientSecretUnavailable`](crate::TokenError::ClientSecretUnavailable).
    /// Replaces a [`ClientConfig::client_secret`].
    ///
    /// ```
    /// use oidc_core::{ClientConfig, ClientSecret};
    /// let config = ClientConfig::for_issuer("https://appleid.apple.com")
    ///     .client_id("com.example.web")
    ///     .redirect_uri("https://app.example.com/callback")
    ///     .client_secret_fn(|| {
    ///         // e.g. a JWT signed with the Apple key, cached until near its `exp`
    ///         Ok(ClientSecret::new("eyJ..."))
    ///     });
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn client_secret_fn<F>(mut self, f: F) -> Self
    where
        F: Fn() -> Result<ClientSecret, Box<dyn std::error::Error + Send + Sync>>
            + Send
            + Sync
            + 'static,
    {
        self.client_secret_fn = Some(Arc::new(f));
        self.client_secret = None;
        self
    }

    /// The client's private key, for `private_key_jwt` (RFC 7523): the
    /// client proves itself with a short-lived JWT signed with it, and no
    /// secret is shared with the provider. With a key and no explicit
    /// [`ClientConfig::auth_method`], discovery chooses `private_key_jwt`
    /// when the provider lists it (and fails naming the list otherwise,
    /// unless a secret is configured too). The assertion's algorithm is the
    /// first of [`ClientKey::algorithms`] the provider lists in
    /// `token_endpoint_auth_signing_alg_values_supported`.
    pub fn private_key(mut self, key: ClientKey) -> Self {
        self.private_key = Some(key);
        self
    }

    /// The `aud` of client assertions (`private_key_jwt`,
    /// `client_secret_jwt`): the token endpoint URL by default (OpenID
    /// Connect Core 1.0 section 9), at every endpoint that authenticates
    /// the client; [`AssertionAudience::Issuer`] for providers that require
    /// the issuer.
    pub fn client_assertion_audience(mut self, audience: AssertionAudience) -> Self {
        self.assertion_audience = audience;
        self
    }

    /// Whether a secret is configured, statically or as a callback.
    pub(crate) fn has_secret(&self) -> bool {
        self.client_secret.is_some() || self.client_secret_fn.is_some()
    }

    /// The scopes to request; must include `openid`.
    pub fn scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The response mode (default `form_post`).
    pub fn response_mode(mut self, mode: ResponseMode) -> Self {
        self.response_mode = mode;
        self
    }

    /// Insists on a token endpoint authentication method; discovery fails,
    /// naming what the provider lists, if the provider does not support it.
    ///
    /// Unset (the default), the client chooses from the provider's
    /// `token_endpoint_auth_methods_supported`: the guide's
    /// `client_secret_post` when listed, else `client_secret_basic` (also
    /// when the provider publishes no list, which means Basic), else
    /// `client_secret_jwt` when it is the only secret method listed, and
    /// `none` for a client without a secret. With a
    /// [`ClientConfig::private_key`], `private_key_jwt` comes first. The
    /// choice is logged at start.
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.auth_method = Some(method);
        self
    }

    /// Restricts the algorithms accepted for ID tokens and back-channel
    /// logout tokens to this list, whatever the provider advertises.
    ///
    /// Unset (the default), the client accepts the provider's
    /// `id_token_signing_alg_values_supported` that this crate verifies
    /// (any of [`SigningAlgorithm::ALL`]), or RS256 when the provider lists
    /// none. Either way each key verifies only the algorithms its type
    /// (`kty`, `crv`) and its `alg` member allow, and `none` and HMAC are
    /// never accepted.
    pub fn allowed_algorithms(
        mut self,
        algorithms: impl IntoIterator<Item = SigningAlgorithm>,
    ) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// How the `iss` of tokens is matched (default [`IssuerPolicy::Exact`]);
    /// see the policies for Google and Microsoft Entra ID multi-tenant.
    pub fn issuer_policy(mut self, policy: IssuerPolicy) -> Self {
        self.issuer_policy = policy;
        self
    }

    /// Whether `prompt=create` may be sent (default: from the provider's
    /// metadata, see [`PromptCreate`]).
    pub fn prompt_create(mut self, support: PromptCreate) -> Self {
        self.prompt_create = support;
        self
    }

    /// A parameter added to every authorization request, e.g. Auth0's
    /// `audience` (which API the access token is for). Parameters the flow
    /// sets itself (`state`, `nonce`, PKCE...) cannot be overridden: the
    /// login fails with [`AuthorizeError::ReservedParameter`](crate::AuthorizeError::ReservedParameter).
    pub fn authorization_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.authorization_params.push((name.into(), value.into()));
        self
    }

    /// Audiences besides the client id that may appear in ID tokens. By
    /// default any other audience is rejected (OIDC Core 3.1.3.7 step 3).
    pub fn trusted_audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.trusted_audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// When to call the UserInfo endpoint.
    pub fn userinfo(mut self, policy: UserInfoPolicy) -> Self {
        self.userinfo = policy;
        self
    }

    /// Allowed clock difference with the provider for `exp`, `iat`, `nbf`,
    /// `auth_time` (default 60 s, at most 5 minutes).
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.limits.clock_tolerance = tolerance;
        self
    }

    /// How old an ID token's `iat` may be when it is verified (default 10 minutes).
    pub fn max_id_token_age(mut self, age: Duration) -> Self {
        self.limits.max_id_token_age = age;
        self
    }

    /// The overall deadline of each request to the provider, body included
    /// (default 10 s).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.limits.http_timeout = timeout;
        self
    }

    /// The TCP/TLS connect deadline (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.limits.connect_timeout = timeout;
        self
    }

    /// The largest response body accepted from the provider, after
    /// decompression (default 512 KiB).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_response_bytes = bytes;
        self
    }

    /// The minimum time between two JWKS refetches triggered by an unknown
    /// `kid` (default 10 s). Bounds the load a flood of forged tokens can
    /// put on the provider.
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

    /// How long a started login stays valid (default 10 minutes).
    pub fn pending_login_ttl(mut self, ttl: Duration) -> Self {
        self.limits.pending_login_ttl = ttl;
        self
    }

    /// The configured issuer, exactly as given.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The configured response mode.
    pub fn configured_response_mode(&self) -> ResponseMode {
        self.response_mode
    }

    /// Checks every setting; [`Client::discover`](crate::Client::discover) calls this first.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validated().map(|_| ())
    }

    pub(crate) fn validated(&self) -> Result<ValidatedUrls, ConfigError> {
        let issuer = parse_issuer(&self.issuer)?;
        let redirect_uri = parse_url("redirect_uri", &self.redirect_uri)?;
        if redirect_uri.fragment().is_some() {
            return Err(ConfigError::UrlPartNotAllowed {
                field: "redirect_uri",
                part: "a fragment",
            });
        }
        if self.client_id.is_empty() {
            return Err(ConfigError::EmptyClientId);
        }
        for scope in &self.scopes {
            check_scope(scope)?;
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::MissingOpenidScope);
        }
        if let Some(method) = self.auth_method {
            if method.uses_secret() && !self.has_secret() {
                return Err(ConfigError::MissingClientSecret {
                    method: method.as_str(),
                });
            }
            if method == AuthMethod::PrivateKeyJwt && self.private_key.is_none() {
                return Err(ConfigError::MissingClientKey);
            }
        }
        if self.algorithms.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::NoAlgorithms);
        }
        self.limits.validate()?;
        Ok(ValidatedUrls { issuer })
    }
}

/// The secret callback of [`ClientConfig::client_secret_fn`].
pub(crate) type SecretFn =
    Arc<dyn Fn() -> Result<ClientSecret, Box<dyn std::error::Error + Send + Sync>> + Send + Sync>;

pub(crate) struct ValidatedUrls {
    pub(crate) issuer: Url,
}

/// A [`ClientConfig`] being started: the issuer is known; next, the client id.
#[derive(Debug, Clone)]
#[must_use = "name the client id with `.client_id(...)`, then the redirect URI"]
pub struct WantsClientId {
    issuer: String,
}

impl WantsClientId {
    /// The client id the provider issued to this application.
    pub fn client_id(self, client_id: impl Into<String>) -> WantsRedirectUri {
        WantsRedirectUri {
            issuer: self.issuer,
            client_id: client_id.into(),
        }
    }
}

/// A [`ClientConfig`] being started: issuer and client id are known; next,
/// the redirect URI.
#[derive(Debug, Clone)]
#[must_use = "name the redirect URI with `.redirect_uri(...)`"]
pub struct WantsRedirectUri {
    issuer: String,
    client_id: String,
}

impl WantsRedirectUri {
    /// The redirect URI registered with the provider (its path is the
    /// callback route). Completes the configuration with the defaults;
    /// the other settings are methods of [`ClientConfig`].
    pub fn redirect_uri(self, redirect_uri: impl Into<String>) -> ClientConfig {
        ClientConfig::with_defaults(self.issuer, self.client_id, redirect_uri.into())
    }
}

/// A type that yields a [`ClientConfig`]: what `#[oidc_client]` implements
/// for an application's configuration struct, and what the web glue is
/// generic over (so one application can sign in with several providers,
/// each its own type).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an OpenID Connect client configuration",
    label = "put `#[oidc_client(...)]` on this struct, or implement `OidcConfig` for it",
    note = "see the oidc_core::oidc_client documentation for the attribute's options"
)]
pub trait OidcConfig: Send + Sync + 'static {
    /// The client configuration this value describes.
    fn client_config(&self) -> Result<ClientConfig, ConfigError>;

    /// The `prompt` the web glue sends when a login does not ask for one.
    fn default_prompt(&self) -> Option<Prompt> {
        None
    }
}

impl OidcConfig for ClientConfig {
    fn client_config(&self) -> Result<ClientConfig, ConfigError> {
        self.validate()?;
        Ok(self.clone())
    }
}

#[cfg(test)]
mod tests;
