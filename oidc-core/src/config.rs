//! The application's side of the configuration: who the client is, where the
//! provider is, and the limits the client enforces.

use crate::error::ConfigError;
pub use crate::issuer::IssuerPolicy;
use crate::secret::ClientSecret;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use url::Url;

/// How the provider sends the authorization response to the redirect URI.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// A `POST` of an HTML form to the redirect URI (`response_mode=form_post`).
    /// Keeps the code out of URLs, logs and `Referer`; the guide recommends it
    /// for applications with a server.
    #[default]
    FormPost,
    /// A `GET` with the response in the query string (`response_mode=query`).
    Query,
}

impl ResponseMode {
    /// The protocol value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FormPost => "form_post",
            Self::Query => "query",
        }
    }
}

impl fmt::Display for ResponseMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResponseMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "form_post" => Ok(Self::FormPost),
            "query" => Ok(Self::Query),
            other => Err(format!(
                "unknown response mode `{other}`: expected `form_post` or `query`"
            )),
        }
    }
}

/// How the client authenticates at the token endpoint. When the
/// configuration names none, the client chooses from the provider's
/// `token_endpoint_auth_methods_supported` (see [`ClientConfig::auth_method`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// `client_id` and `client_secret` as form fields (the guide's way).
    ClientSecretPost,
    /// HTTP Basic authentication with the client id and secret.
    ClientSecretBasic,
    /// A public client (native or CLI app): `client_id` only, PKCE protects the code.
    None,
}

impl AuthMethod {
    /// The protocol value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretPost => "client_secret_post",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::None => "none",
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "client_secret_post" => Ok(Self::ClientSecretPost),
            "client_secret_basic" => Ok(Self::ClientSecretBasic),
            "none" => Ok(Self::None),
            other => Err(format!(
                "unknown auth method `{other}`: expected `client_secret_post`, `client_secret_basic` or `none`"
            )),
        }
    }
}

/// A `prompt` value of the authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    /// Show no UI; fail with `login_required` if the user is not signed in.
    None,
    /// Ask the user to sign in again.
    Login,
    /// Ask the user to consent again.
    Consent,
    /// Let the user choose an account.
    SelectAccount,
    /// Show the "create an account" UI (only if the provider advertises it).
    Create,
}

impl Prompt {
    /// The protocol value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Login => "login",
            Self::Consent => "consent",
            Self::SelectAccount => "select_account",
            Self::Create => "create",
        }
    }
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Prompt {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Self::None),
            "login" => Ok(Self::Login),
            "consent" => Ok(Self::Consent),
            "select_account" => Ok(Self::SelectAccount),
            "create" => Ok(Self::Create),
            other => Err(format!(
                "unknown prompt `{other}`: expected one of none, login, consent, select_account, create"
            )),
        }
    }
}

/// A JWS algorithm the client accepts for ID tokens. Only asymmetric
/// algorithms exist here: `none` and HMAC cannot even be named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (the OpenID Connect default).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
}

impl SigningAlgorithm {
    /// Every algorithm this client can verify.
    pub const ALL: [SigningAlgorithm; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::EdDSA => "EdDSA",
        }
    }

    /// Looks up a JOSE name; `None` for anything not accepted (`none`, `HS256`, typos).
    pub fn from_jose(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_jose(s).ok_or_else(|| ConfigError::AlgorithmNotAllowed(s.to_owned()))
    }
}

/// Limits and defaults. Every value has a safe default; see the crate docs'
/// "Limits and defaults" table.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) clock_tolerance: Duration,
    pub(crate) max_id_token_age: Duration,
    pub(crate) http_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) jwks_refresh_cooldown: Duration,
    pub(crate) pending_login_ttl: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            clock_tolerance: Duration::from_secs(60),
            max_id_token_age: Duration::from_secs(10 * 60),
            http_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response_bytes: 512 * 1024,
            jwks_refresh_cooldown: Duration::from_secs(10),
            pending_login_ttl: Duration::from_secs(10 * 60),
        }
    }
}

/// Whether the client may send `prompt=create` (OpenID Connect Prompt
/// Create 1.0), the "create an account" page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PromptCreate {
    /// From the provider's metadata: refused only when the provider
    /// publishes `prompt_values_supported` without `create`; sent when it
    /// publishes no list (the guide's provider documents `prompt=create`
    /// without necessarily publishing the list).
    #[default]
    FromMetadata,
    /// Always send it: the provider supports it whatever its metadata says.
    Supported,
    /// Never send it: a login asking for it fails with
    /// [`AuthorizeError::PromptNotSupported`](crate::AuthorizeError::PromptNotSupported).
    Unsupported,
}

/// When the client calls the UserInfo endpoint after the token exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserInfoPolicy {
    /// Call it when the token response has no inline `userinfo` and the
    /// provider has a UserInfo endpoint (the default: standard providers
    /// serve `email` there).
    #[default]
    WhenNeeded,
    /// Never call it: claims come from the inline `userinfo` or the ID token.
    /// Needed where the access token is for another API than the provider's
    /// UserInfo endpoint, e.g. Microsoft Entra ID with a resource scope
    /// (`api://.../.default`): Entra's UserInfo (Microsoft Graph) refuses
    /// such a token, and the ID token carries the claims.
    Never,
}

impl UserInfoPolicy {
    /// The name used in configuration (`when_needed`, `never`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhenNeeded => "when_needed",
            Self::Never => "never",
        }
    }
}

impl fmt::Display for UserInfoPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses the configuration name (see [`UserInfoPolicy::as_str`]).
impl FromStr for UserInfoPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "when_needed" => Ok(Self::WhenNeeded),
            "never" => Ok(Self::Never),
            other => Err(format!(
                "unknown UserInfo policy `{other}`: expected `when_needed` or `never`"
            )),
        }
    }
}

/// The configuration of a [`Client`](crate::Client).
///
/// Setters never fail; [`Client::discover`](crate::Client::discover) checks
/// everything at once and reports the first problem as a [`ConfigError`].
///
/// ```
/// use oidc_core::{AuthMethod, ClientConfig, ResponseMode};
/// let config = ClientConfig::new(
///     "https://login.example.com",
///     "my-client-id",
///     "https://app.example.com/callback",
/// )
/// .client_secret("from-your-secret-store")
/// .scopes(["openid", "email"])
/// .response_mode(ResponseMode::FormPost);
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
    /// A configuration with the defaults: scopes `openid email`, `form_post`,
    /// and the token endpoint method and ID token algorithms the provider's
    /// discovery document advertises.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
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
    pub fn client_secret(mut self, secret: impl Into<ClientSecret>) -> Self {
        self.client_secret = Some(secret.into());
        self
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
    /// when the provider publishes no list, which means Basic), and `none`
    /// for a client without a secret. The choice is logged at start.
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
    pub fn id_token_algorithms(
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
        let issuer = parse_url("issuer", &self.issuer)?;
        if issuer.query().is_some() {
            return Err(ConfigError::UrlPartNotAllowed {
                field: "issuer",
                part: "a query",
            });
        }
        if issuer.fragment().is_some() {
            return Err(ConfigError::UrlPartNotAllowed {
                field: "issuer",
                part: "a fragment",
            });
        }
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
            if scope.is_empty()
                || scope
                    .chars()
                    .any(|c| c == ' ' || c == '"' || c == '\\' || !(' '..='~').contains(&c))
            {
                return Err(ConfigError::InvalidScope(scope.clone()));
            }
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(ConfigError::MissingOpenidScope);
        }
        if let Some(method) = self.auth_method
            && method != AuthMethod::None
            && self.client_secret.is_none()
        {
            return Err(ConfigError::MissingClientSecret {
                method: method.as_str(),
            });
        }
        if self.algorithms.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::NoAlgorithms);
        }
        if self.limits.clock_tolerance > Duration::from_secs(300) {
            return Err(ConfigError::InvalidDuration {
                field: "clock_tolerance",
                reason: "at most 5 minutes",
            });
        }
        if self.limits.http_timeout.is_zero() || self.limits.connect_timeout.is_zero() {
            return Err(ConfigError::InvalidDuration {
                field: "http_timeout",
                reason: "timeouts must be greater than zero",
            });
        }
        if self.limits.pending_login_ttl.is_zero() {
            return Err(ConfigError::InvalidDuration {
                field: "pending_login_ttl",
                reason: "must be greater than zero",
            });
        }
        Ok(ValidatedUrls { issuer })
    }
}

pub(crate) struct ValidatedUrls {
    pub(crate) issuer: Url,
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

/// Parses a URL and requires https unless the host is loopback.
pub(crate) fn parse_url(field: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError::InvalidUrl {
        field,
        reason: e.to_string(),
    })?;
    require_secure(field, &url)?;
    Ok(url)
}

/// https everywhere; http only for loopback hosts (development and native apps).
pub(crate) fn require_secure(field: &'static str, url: &Url) -> Result<(), ConfigError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ConfigError::InsecureUrl {
            field,
            host: url.host_str().unwrap_or_default().to_owned(),
        }),
        other => Err(ConfigError::InvalidUrl {
            field,
            reason: format!("scheme `{other}` is not http(s)"),
        }),
    }
}

/// Whether the URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
