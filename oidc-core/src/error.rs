//! Errors, one enum per failure domain.
//!
//! Each variant says what went wrong and, where the developer can act, what
//! to do. None of them carries a secret: codes, tokens and client secrets are
//! never part of an error message.
//!
//! | Domain | Enum | Returned by |
//! | --- | --- | --- |
//! | your configuration | [`ConfigError`] | [`ClientConfig`](crate::ClientConfig) checks, [`Client::discover`](crate::Client::discover) |
//! | the provider's metadata | [`DiscoveryError`] | [`Client::discover`](crate::Client::discover) |
//! | starting a login | [`AuthorizeError`] | [`Login::redirect`](crate::Login::redirect) |
//! | the pending login | [`PendingLoginError`] | [`PendingLogin::unseal`](crate::PendingLogin::unseal), [`Client::resume`](crate::Client::resume) |
//! | the callback | [`CallbackError`] | [`Callback`](crate::Callback) parsing, [`Login::receive`](crate::Login::receive) |
//! | tokens and claims | [`TokenError`], [`IdTokenError`] (with [`JwsError`] and [`ClaimsError`], shared by every token) | [`Login::exchange`](crate::Login::exchange) |
//! | the network | [`TransportError`] | any call to the provider |
//! | an API's bearer tokens | [`AccessTokenError`](crate::AccessTokenError), [`BearerError`](crate::access_token::BearerError) | [`AccessTokenVerifier`](crate::AccessTokenVerifier) |
//! | back-channel logout | [`LogoutTokenError`](crate::LogoutTokenError) | [`Client::verify_logout_token`](crate::Client::verify_logout_token) |
//! | a native app's redirect | [`LoopbackError`](crate::loopback::LoopbackError) | [`LoopbackServer`](crate::loopback::LoopbackServer) |
//! | a store shared by instances | [`StoreError`] | [`ReplayStore`](crate::replay::ReplayStore), the `redis` module |
//!
//! [`Error`] wraps them all for applications that just want `?`.

use std::time::Duration;

mod check;
pub(crate) use check::CheckName;

/// Anything that can go wrong, for applications that handle errors in one
/// place. Match on the inner enums for details.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Discovery failed or the provider's metadata is unusable.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The login could not be started.
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    /// The pending login could not be restored.
    #[error(transparent)]
    PendingLogin(#[from] PendingLoginError),
    /// The authorization response was rejected.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// The token exchange or the verification of its result failed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A request to the provider failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// An API refused an access token.
    #[error(transparent)]
    AccessToken(#[from] crate::AccessTokenError),
    /// An API refused a request's `Authorization` header.
    #[error(transparent)]
    Bearer(#[from] crate::access_token::BearerError),
    /// A back-channel logout token was refused.
    #[error(transparent)]
    LogoutToken(#[from] crate::LogoutTokenError),
    /// A native app's loopback redirect failed.
    #[error(transparent)]
    Loopback(#[from] crate::loopback::LoopbackError),
    /// A store shared by the application's instances failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
    /// The chosen token endpoint authentication method needs a client secret.
    #[error(
        "token endpoint authentication `{method}` needs a client secret: set one, or use AuthMethod::None for a public client"
    )]
    MissingClientSecret {
        /// The configured method.
        method: &'static str,
    },
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

/// Discovery failed, or the provider's metadata cannot be used safely.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The configuration was invalid before anything was fetched.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The discovery document could not be fetched.
    #[error("could not fetch the provider's discovery document: {0}")]
    Transport(#[from] TransportError),
    /// The document is not valid JSON of the expected shape.
    #[error("the discovery document is invalid: {0}")]
    InvalidDocument(String),
    /// The `issuer` in the document differs from the configured issuer.
    #[error(
        "the discovery document names issuer `{found}` but the client is configured for `{expected}`: they must be equal character for character (check a trailing slash)"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
    /// A required endpoint is missing.
    #[error("the discovery document has no `{0}`")]
    MissingEndpoint(&'static str),
    /// An endpoint is not https (and the issuer is not loopback).
    #[error("the provider's `{field}` is not https: {url}")]
    InsecureEndpoint {
        /// Which endpoint.
        field: &'static str,
        /// Its URL.
        url: String,
    },
    /// The provider does not support something this client is configured to use.
    #[error(
        "the provider does not support {what} `{value}` (it advertises: {advertised}); change the client configuration"
    )]
    Unsupported {
        /// The kind of setting.
        what: &'static str,
        /// The configured value.
        value: String,
        /// What the provider advertises.
        advertised: String,
    },
}

/// The login could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// The provider does not advertise this `prompt` value.
    #[error(
        "the provider does not support prompt=`{prompt}` (prompt_values_supported: {advertised})"
    )]
    PromptNotSupported {
        /// The requested prompt.
        prompt: String,
        /// What the provider advertises.
        advertised: String,
    },
    /// `prompt=none` combined with another prompt value.
    #[error("prompt=none cannot be combined with other prompt values")]
    PromptNoneCombined,
    /// An extra parameter would override one the flow controls.
    #[error("parameter `{0}` is set by the login flow itself and cannot be overridden")]
    ReservedParameter(String),
    /// The random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// An extra parameter is given more than once (by the configuration,
    /// the login, or both): RFC 6749 section 3.1 allows each parameter once.
    #[error(
        "parameter `{0}` is given more than once (ClientConfig::authorization_param, the login's param or acr_values): set it in one place"
    )]
    DuplicateParameter(String),
}

/// A pending login could not be sealed or restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PendingLoginError {
    /// The sealed value is not in the expected format (not ours, or truncated).
    #[error("the pending login cookie is malformed")]
    Malformed,
    /// Decryption failed: tampered, or sealed with another key.
    #[error(
        "the pending login cookie does not open with this key: it was tampered with, or sealed by an instance with a different sealing key"
    )]
    BadSeal,
    /// The login was started too long ago.
    #[error("the login expired: it was started more than {0:?} ago; start again")]
    Expired(Duration),
    /// The pending login belongs to another client or provider.
    #[error("the pending login was started for another client or provider")]
    WrongClient,
    /// Sealing failed (random number generator).
    #[error("sealing the pending login failed")]
    Seal,
}

/// The authorization response (the callback) was rejected. No token request
/// is made after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The provider answered with an error, e.g. `access_denied` when the user cancels.
    #[error("the provider returned `{error}`{}", describe(.description))]
    Provider {
        /// The OAuth error code.
        error: String,
        /// The provider's human-readable description, if any.
        description: Option<String>,
        /// A page about the error, if any.
        uri: Option<String>,
    },
    /// The response is not valid form-urlencoded data.
    #[error("the callback is malformed: {0}")]
    Malformed(&'static str),
    /// A parameter appears more than once (RFC 6749 section 3.1).
    #[error("the callback repeats the parameter `{0}`")]
    DuplicateParameter(String),
    /// A parameter that has no place in a code-flow response is present.
    #[error(
        "the callback carries `{0}`, which a code-flow response never contains (token injection?)"
    )]
    UnexpectedParameter(String),
    /// `state` is missing.
    #[error("the callback has no `state`")]
    MissingState,
    /// `state` differs from the one sent: a forged or crossed-over response.
    #[error(
        "the callback's `state` does not match this login (forged request, or another tab's login)"
    )]
    StateMismatch,
    /// `code` is missing from a success response.
    #[error("the callback has neither `code` nor `error`")]
    MissingCode,
    /// `iss` differs from the issuer (RFC 9207 mix-up defence).
    #[error("the callback's `iss` is `{found}`, not this provider (`{expected}`)")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The received `iss`.
        found: String,
    },
    /// `iss` is missing although the provider promised it (RFC 9207).
    #[error(
        "the callback has no `iss` although the provider advertises authorization_response_iss_parameter_supported"
    )]
    MissingIssuer,
    /// The response came by another response mode than the one requested.
    #[error("the callback arrived by {received} but the login asked for {expected}")]
    ResponseModeMismatch {
        /// The requested mode.
        expected: &'static str,
        /// How it arrived.
        received: &'static str,
    },
    /// The login was started too long ago.
    #[error("the login expired before the callback arrived; start again")]
    LoginExpired,
    /// This login already received its callback (replay).
    #[error("this login was already completed or its callback already used; start a new login")]
    AlreadyUsed,
    /// The client remembers too many used `state`s (a flood of logins) and
    /// forgot some that expire no earlier than this login's: it cannot
    /// tell whether this callback is a replay, so it refuses it.
    #[error(
        "too many logins are in flight to prove this callback is not a replay; start a new login"
    )]
    ReplayUnverifiable,
    /// The shared [`ReplayStore`](crate::replay::ReplayStore) could not
    /// say whether this callback was used on another instance: refused
    /// rather than risk a replay (answer 503; the user starts again).
    #[error("cannot check this callback against the other instances: {0}")]
    StoreUnavailable(StoreError),
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

/// The token exchange failed, or its result did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The request to the token endpoint failed.
    #[error("token request failed: {0}")]
    Transport(#[from] TransportError),
    /// The token endpoint answered with an OAuth error.
    #[error("the token endpoint returned `{error}`{}", describe(.description))]
    Provider {
        /// The OAuth error code (e.g. `invalid_grant`).
        error: String,
        /// The provider's description.
        description: Option<String>,
        /// A page about the error.
        uri: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// The token response is not what RFC 6749 section 5.1 describes.
    #[error("the token response is invalid: {0}")]
    InvalidResponse(String),
    /// The response has no `id_token` (an OpenID Connect login needs one).
    #[error(
        "the token response has no id_token: is `openid` among the scopes the provider granted?"
    )]
    MissingIdToken,
    /// The token type is not Bearer.
    #[error("unsupported token_type `{0}`: only Bearer is supported")]
    UnsupportedTokenType(String),
    /// The ID token failed verification.
    #[error("the ID token was rejected: {0}")]
    IdToken(#[from] IdTokenError),
    /// The UserInfo response failed.
    #[error("the UserInfo response was rejected: {0}")]
    UserInfo(String),
    /// Claims about the user disagree on the subject.
    #[error("{source_name} names subject `{found}` but the ID token names `{expected}`")]
    SubjectMismatch {
        /// Where the differing `sub` came from.
        source_name: &'static str,
        /// The ID token's `sub`.
        expected: String,
        /// The other `sub`.
        found: String,
    },
    /// The callback was refused by the shared
    /// [`ReplayStore`](crate::replay::ReplayStore), asked before the code
    /// is spent: [`CallbackError::AlreadyUsed`] (completed on another
    /// instance) or [`CallbackError::StoreUnavailable`].
    #[error(transparent)]
    Callback(CallbackError),
    /// There is no refresh token to refresh with.
    #[error(
        "there is no refresh token: request the `offline_access` scope or check the provider's policy"
    )]
    NoRefreshToken,
}

/// Why a JWT's form, header, key or signature was refused: the checks
/// every token from the provider shares (ID, access and logout tokens).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Not a compact JWS (three base64url parts).
    #[error("not a compact JWS: {0}")]
    Malformed(&'static str),
    /// An encrypted token (JWE), which this client does not decrypt.
    #[error(
        "the token is encrypted (JWE); configure the provider to send signed, unencrypted tokens"
    )]
    Encrypted,
    /// The header is not valid.
    #[error("invalid JOSE header: {0}")]
    InvalidHeader(String),
    /// The `alg` is not in the allow-list (this includes `none` and HMAC).
    #[error("algorithm `{0}` is not allowed")]
    AlgorithmNotAllowed(String),
    /// The header has `crit` extensions this client does not understand.
    #[error("the header lists critical extensions ({0}) this client does not understand")]
    CriticalHeader(String),
    /// The header carries or points at its own key; keys come only from the provider's JWKS.
    #[error(
        "the header carries its own key material (`{0}`); keys are only taken from the provider's JWKS"
    )]
    EmbeddedKey(&'static str),
    /// No key in the JWKS matches (after one refetch).
    #[error("no key in the provider's JWKS matches kid {kid:?} and alg {alg}")]
    UnknownKey {
        /// The header's `kid`.
        kid: Option<String>,
        /// The header's `alg`.
        alg: String,
    },
    /// Several keys match and the header has no `kid` to choose.
    #[error("several keys in the JWKS fit and the token has no kid to choose between them")]
    AmbiguousKey,
    /// The provider's JWKS could not be fetched or parsed: the token cannot
    /// be checked now (a server problem, not the token's).
    #[error("the provider's JWKS is unavailable: {0}")]
    KeysUnavailable(String),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
}

/// Why a JWT's claims were refused, for the checks ID, access and logout
/// tokens share: claim types, `iss`, and the times.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The payload is not a JSON object, or a claim has the wrong type.
    #[error("invalid claims: {0}")]
    Invalid(String),
    /// A required claim is missing.
    #[error("the required claim `{0}` is missing")]
    Missing(&'static str),
    /// `iss` is not the provider's issuer.
    #[error("issuer `{found}` is not `{expected}`")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// The token has expired.
    #[error("the token expired at {exp} (now {now}, tolerance {tolerance_secs}s)")]
    Expired {
        /// `exp`.
        exp: i64,
        /// The current time.
        now: i64,
        /// The clock tolerance applied.
        tolerance_secs: u64,
    },
    /// `iat` is in the future.
    #[error("the token was issued in the future (iat {iat}, now {now})")]
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
    },
    /// `iat` is older than the maximum token age.
    #[error("the token was issued too long ago (iat {iat}, now {now}, max age {max_age_secs}s)")]
    TooOld {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
        /// The maximum age.
        max_age_secs: u64,
    },
    /// `nbf` is in the future.
    #[error("the token is not valid yet (nbf {nbf}, now {now})")]
    NotYetValid {
        /// `nbf`.
        nbf: i64,
        /// The current time.
        now: i64,
    },
}

/// Why an ID token was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The token's form, header, key or signature was refused.
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// A claim check shared with the other tokens failed.
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    /// The `typ` header names another kind of token.
    #[error("the header's typ is `{0}`, which is not an ID token")]
    WrongType(String),
    /// `aud` does not contain this client.
    #[error("the audience does not include this client")]
    WrongAudience,
    /// `aud` contains audiences this client does not trust.
    #[error("the audience includes `{0}`, which this client does not trust")]
    UntrustedAudience(String),
    /// `azp` is present and not this client, or missing with several audiences.
    #[error("the authorized party (azp) is not this client")]
    WrongAuthorizedParty,
    /// `nonce` is missing or differs from the login's nonce (replay defence).
    #[error("the nonce does not match this login")]
    NonceMismatch,
    /// `nonce` is present where none was sent (refresh).
    #[error("the token carries a nonce although none was expected")]
    UnexpectedNonce,
    /// `auth_time` is older than the requested `max_age`.
    #[error("the user authenticated too long ago (auth_time {auth_time}, max_age {max_age_secs}s)")]
    AuthTooOld {
        /// `auth_time`.
        auth_time: i64,
        /// The requested max age.
        max_age_secs: u64,
    },
    /// `auth_time` is in the future (it would satisfy any `max_age`).
    #[error("the user authenticated in the future (auth_time {auth_time}, now {now})")]
    AuthTimeInFuture {
        /// `auth_time`.
        auth_time: i64,
        /// The current time.
        now: i64,
    },
    /// `at_hash` does not match the access token.
    #[error("at_hash does not match the access token")]
    AccessTokenHashMismatch,
    /// A refreshed ID token changed a claim that must stay the same (OIDC Core 12.2).
    #[error("the refreshed ID token changed `{0}`")]
    RefreshChanged(&'static str),
    /// The login asked for `acr_values` and the ID token's `acr` is none of
    /// them, or absent (OpenID Connect Core 3.1.3.7 step 12, 5.5.1.1): the
    /// provider authenticated the user at another level than requested.
    #[error(
        "the ID token's acr is {}, not one of the requested acr_values ({})",
        .received.as_deref().map_or_else(|| "absent".to_owned(), |acr| format!("`{acr}`")),
        .requested.join(" ")
    )]
    AcrNotSatisfied {
        /// The `acr_values` the login sent.
        requested: Vec<String>,
        /// The token's `acr`; `None` when it has none.
        received: Option<String>,
    },
}

/// A request to the provider failed at the HTTP level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The request did not complete within the deadline.
    #[error("{url}: no complete response within {timeout:?}")]
    Timeout {
        /// The URL (without query).
        url: String,
        /// The deadline.
        timeout: Duration,
    },
    /// Could not connect or the connection broke.
    #[error("{url}: {reason}")]
    Connect {
        /// The URL (without query).
        url: String,
        /// The underlying error.
        reason: String,
    },
    /// The response body is larger than the cap.
    #[error("{url}: the response body exceeds {limit} bytes")]
    BodyTooLarge {
        /// The URL (without query).
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The provider answered with a redirect, which back-channel calls never follow.
    #[error(
        "{url}: the provider answered with a redirect ({status}), which is not followed on back-channel calls"
    )]
    Redirect {
        /// The URL (without query).
        url: String,
        /// The status code.
        status: u16,
    },
    /// An unexpected HTTP status.
    #[error("{url}: unexpected HTTP status {status}")]
    Status {
        /// The URL (without query).
        url: String,
        /// The status code.
        status: u16,
    },
    /// The response is not JSON, or has the wrong content type.
    #[error("{url}: {reason}")]
    NotJson {
        /// The URL (without query).
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// A store shared by the application's instances (Redis, a database) did
/// not answer or answered something unusable. Never carries the store's
/// URL or password, nor the data it was asked about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No answer within the deadline.
    #[error("the shared store did not answer within {0:?}")]
    Timeout(Duration),
    /// The store is unreachable, refused the command, or failed.
    #[error("the shared store failed: {0}")]
    Unavailable(String),
    /// The store's address does not parse (the address itself is not
    /// repeated: it may hold a password).
    #[error("the shared store's URL is invalid: {0}")]
    InvalidUrl(String),
    /// A stored value is not what this crate writes (another program's
    /// key under the same prefix?).
    #[error("the shared store holds a value this client cannot read under `{0}`")]
    Corrupt(&'static str),
}
