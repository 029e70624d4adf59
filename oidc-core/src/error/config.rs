//! Errors in the application's configuration.

/// The application's configuration is invalid. Fix the configuration: these
/// never depend on the provider or the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL setting does not parse.
    #[error(
        "`{field}` is not a valid URL ({reason}): give an absolute URL such as https://login.example.com"
    )]
    InvalidUrl {
        /// Which setting.
        field: &'static str,
        /// Why it does not parse.
        reason: String,
    },
    /// A URL uses plain http for a host that is not loopback.
    #[error(
        "`{field}` uses http:// for `{host}`: only https is allowed, except for loopback hosts (localhost, 127.0.0.1, [::1]) in development"
    )]
    InsecureUrl {
        /// Which setting.
        field: &'static str,
        /// The offending host.
        host: String,
    },
    /// A URL has a fragment, query or other part the protocol forbids there.
    #[error("`{field}` must not contain {part}")]
    UrlPartNotAllowed {
        /// Which setting.
        field: &'static str,
        /// The part, e.g. "a fragment".
        part: &'static str,
    },
    /// The scopes do not include `openid`.
    #[error(
        "the scopes must include `openid` (OpenID Connect requires it); add it, e.g. scopes(\"openid\", \"email\")"
    )]
    MissingOpenidScope,
    /// A scope contains a character scopes may not contain.
    #[error(
        "scope `{0}` is invalid: scopes are non-empty and contain no spaces, quotes or backslashes"
    )]
    InvalidScope(String),
    /// The client id is empty.
    #[error("the client id is empty: set it to the id the provider issued to your application")]
    EmptyClientId,
    /// The audience of a resource server (API) is empty.
    #[error(
        "the API's audience is empty: set it to the `aud` the provider puts in access tokens for this API, e.g. https://api.example.com"
    )]
    EmptyAudience,
    /// An API is configured to introspect tokens without the client
    /// credentials to do it with.
    #[error(
        "token introspection needs the API's client credentials: call ResourceServerConfig::introspection_client(client_id, secret), or use TokenValidation::LocalJwt"
    )]
    MissingIntrospectionClient,
    /// The introspection client authenticates with a method this crate
    /// does not use there (only the secret-based ones).
    #[error(
        "introspection endpoint authentication `{0}` is not supported: use client_secret_basic or client_secret_post"
    )]
    UnsupportedIntrospectionMethod(&'static str),
    /// The chosen token endpoint authentication method needs a client secret.
    #[error(
        "token endpoint authentication `{method}` needs a client secret: set one, or use AuthMethod::None for a public client"
    )]
    MissingClientSecret {
        /// The configured method.
        method: &'static str,
    },
    /// `private_key_jwt` was chosen without a [`ClientKey`](crate::ClientKey).
    #[error(
        "token endpoint authentication `private_key_jwt` needs the client's private key: set one with ClientConfig::private_key"
    )]
    MissingClientKey,
    /// The client's private key could not be read (the message never
    /// contains key material).
    #[error("the client's private key is invalid: {0}")]
    InvalidClientKey(String),
    /// An algorithm in the allow-list is not acceptable for ID tokens.
    #[error(
        "`{0}` cannot be allowed for ID tokens: only asymmetric signatures (RS*, PS*, ES256, ES384, EdDSA) are accepted"
    )]
    AlgorithmNotAllowed(String),
    /// The algorithm allow-list is empty.
    #[error("the ID token algorithm allow-list is empty: allow at least one algorithm, e.g. RS256")]
    NoAlgorithms,
    /// A sealing key has the wrong length or encoding.
    #[error("the sealing key is invalid: {0}")]
    InvalidSealingKey(String),
    /// A duration setting is out of range.
    #[error("`{field}` is out of range: {reason}")]
    InvalidDuration {
        /// Which setting.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// Environment variables are missing or malformed (all of them listed).
    #[error("configuration from the environment is incomplete:{}", format_env_problems(.0))]
    Environment(Vec<EnvProblem>),
    /// A limit of the web integration (`web::Oidc`) is out of range.
    #[error("`{field}` is out of range: {reason}")]
    WebLimit {
        /// Which setting.
        field: &'static str,
        /// The allowed range.
        reason: &'static str,
    },
}

/// One missing or malformed environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvProblem {
    /// The variable's name.
    pub variable: String,
    /// What is wrong with it (its value is never included: it may be secret).
    pub problem: String,
}

fn format_env_problems(problems: &[EnvProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("\n  - {}: {}", p.variable, p.problem))
        .collect()
}
