//! APIs: verifying the JWT access tokens a provider issues (RFC 9068), at a
//! resource server.
//!
//! An API receives `Authorization: Bearer <token>` from websites and apps
//! that signed their user in. [`AccessTokenVerifier`] checks such a token
//! without calling the provider on each request: it fetches the provider's
//! discovery document and JWKS once, caches the keys, and refetches them
//! when a token names an unknown `kid` (at most once per cooldown), exactly
//! like the ID token verification of [`Client`](crate::Client).
//!
//! ```no_run
//! use oidc_core::{AccessTokenVerifier, ResourceServerConfig};
//!
//! # async fn run(authorization_header: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
//! // Once, at start-up: no client id or secret, only who issues the tokens
//! // and the audience (resource indicator) this API answers to.
//! let verifier = AccessTokenVerifier::discover(
//!     ResourceServerConfig::new("https://login.example.com", "https://api.example.com"),
//! )
//! .await?;
//!
//! // Per request.
//! match verifier.verify_authorization(authorization_header).await {
//!     Ok(claims) => {
//!         claims.require_scopes(&["messages:read"])?;
//!         println!("request by {} via client {:?}", claims.sub, claims.client_id);
//!     }
//!     Err(rejected) => {
//!         // Answer with rejected.status() and this WWW-Authenticate header.
//!         let _ = (rejected.status(), rejected.www_authenticate(verifier.realm()));
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! With the `axum` feature, `oidc_core::web::Bearer` does this as an
//! extractor.
//!
//! # What is checked
//!
//! 1. The `Authorization` header: scheme `Bearer`, one RFC 6750 token.
//! 2. The JOSE header, strictly (shared with ID tokens): a compact JWS, an
//!    algorithm from the allow-list (RS256 by default; never `none` or
//!    HMAC), no `crit`, no embedded or remote keys.
//! 3. `typ` is `at+jwt` or `application/at+jwt` (RFC 9068 section 4), unless
//!    [`AccessTokenType::AllowUntyped`] is configured.
//! 4. The signature, with a key from the provider's JWKS (by `kid`, of the
//!    right type, refetched on an unknown `kid` at a bounded rate).
//! 5. `iss` equals the configured issuer exactly.
//! 6. `aud` contains the API's audience.
//! 7. `exp` has not passed, `nbf` and `iat` are not in the future, each with
//!    the clock tolerance (60 s by default).
//! 8. The token is not an ID token (see below), and has the claims RFC 9068
//!    requires (`sub`, `client_id`, `iat`, `jti`; only `sub` in
//!    [`AccessTokenType::AllowUntyped`] mode).
//! 9. The configured scopes ([`ResourceServerConfig::required_scopes`]) are
//!    granted: the `scope` claim (space-separated) or, as some providers
//!    send, `scp` (an array or a space-separated string).
//!
//! # An ID token is not an access token
//!
//! Both are JWTs signed by the same provider with the same keys, so a
//! signature check alone cannot tell them apart, and an API that accepts an
//! ID token lets any application the user signed in to (any client that got
//! an ID token for them) call the API as the user. They differ in:
//!
//! - **`typ`**: ID tokens are `JWT` (or untyped); RFC 9068 access tokens are
//!   `at+jwt`. This is checked first and is decisive with the default
//!   [`AccessTokenType::Rfc9068`].
//! - **claims only ID tokens carry**: `nonce`, `at_hash`, `c_hash`. Refused
//!   in every mode, so an untyped-mode API still refuses most ID tokens.
//! - **`aud`**: an ID token's audience is the *client id* of the
//!   application; an access token's is the *API*. Give your API an audience
//!   that is no client's id (a URL such as `https://api.example.com`), or an
//!   untyped-mode API cannot tell a refreshed ID token (no `nonce`) from an
//!   access token.
//! - **`client_id`** (RFC 9068 section 2.2): required in access tokens,
//!   absent from ID tokens; required in the default mode.

use crate::claims;
use crate::config::{Limits, SigningAlgorithm, is_loopback, parse_url};
use crate::discovery::discovery_url;
use crate::error::{ConfigError, DiscoveryError, IdTokenError, TransportError};
use crate::http::{Http, display_url};
use crate::id_token::unix_now;
use crate::jwks::JwksCache;
use crate::jws::CompactJws;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Which JOSE `typ` an access token may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessTokenType {
    /// RFC 9068: `typ` must be `at+jwt` (or `application/at+jwt`), and the
    /// token must have `client_id`, `iat` and `jti`. The default; what the
    /// dev provider and RFC 9068 providers issue.
    #[default]
    Rfc9068,
    /// Also accept `typ` `JWT` or no `typ`, and tokens without `client_id`,
    /// `iat` or `jti`, for providers whose JWT access tokens predate RFC
    /// 9068. ID tokens are then told apart by their claims only (`nonce`,
    /// `at_hash`, `c_hash`): make sure the API's audience is no client id.
    AllowUntyped,
}

/// The configuration of an [`AccessTokenVerifier`]: who issues the tokens
/// and which audience this API is. No client id or secret: an API only
/// verifies.
///
/// ```
/// use oidc_core::{AccessTokenType, ResourceServerConfig, SigningAlgorithm};
/// use std::time::Duration;
///
/// let config = ResourceServerConfig::new("https://login.example.com", "https://api.example.com")
///     .algorithms([SigningAlgorithm::RS256, SigningAlgorithm::ES256])
///     .required_scopes(["api"])
///     .clock_tolerance(Duration::from_secs(30))
///     .realm("example-api");
/// assert!(config.validate().is_ok());
/// # let _ = AccessTokenType::Rfc9068;
/// ```
#[derive(Debug, Clone)]
pub struct ResourceServerConfig {
    issuer: String,
    audience: String,
    algorithms: Vec<SigningAlgorithm>,
    token_type: AccessTokenType,
    required_scopes: Vec<String>,
    realm: Option<String>,
    limits: Limits,
}

impl ResourceServerConfig {
    /// Tokens from `issuer` (exactly as in its discovery document), for the
    /// API identified by `audience` (the `aud` the provider puts in access
    /// tokens for this API). Defaults: RS256, RFC 9068 typing, no required
    /// scope, 60 s clock tolerance, realm = the audience.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            algorithms: vec![SigningAlgorithm::RS256],
            token_type: AccessTokenType::default(),
            required_scopes: Vec::new(),
            realm: None,
            limits: Limits::default(),
        }
    }

    /// The signature algorithms accepted (default RS256, which RFC 9068
    /// requires every provider to support).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = SigningAlgorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
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

    fn validated(&self) -> Result<Url, ConfigError> {
        let issuer = parse_url("issuer", &self.issuer)?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(ConfigError::UrlPartNotAllowed {
                field: "issuer",
                part: "a query or fragment",
            });
        }
        if self.audience.trim().is_empty() {
            return Err(ConfigError::EmptyAudience);
        }
        if self.algorithms.is_empty() {
            return Err(ConfigError::NoAlgorithms);
        }
        for scope in &self.required_scopes {
            if scope.is_empty()
                || scope
                    .chars()
                    .any(|c| !('!'..='~').contains(&c) || c == '"' || c == '\\')
            {
                return Err(ConfigError::InvalidScope(scope.clone()));
            }
        }
        if self.limits.clock_tolerance > Duration::from_secs(300) {
            return Err(ConfigError::InvalidDuration {
                field: "clock_tolerance",
                reason: "at most 5 minutes",
            });
        }
        if self.limits.http_timeout.is_zero() {
            return Err(ConfigError::InvalidDuration {
                field: "http_timeout",
                reason: "timeouts must be greater than zero",
            });
        }
        Ok(issuer)
    }
}

/// Verifies bearer access tokens for one API. Create it once with
/// [`AccessTokenVerifier::discover`]; clone it freely (an `Arc` inside) and
/// keep it in your web framework's state. See the [module
/// documentation](self) for what is checked.
#[derive(Clone)]
pub struct AccessTokenVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    audience: String,
    algorithms: Vec<SigningAlgorithm>,
    token_type: AccessTokenType,
    required_scopes: Vec<String>,
    realm: String,
    clock_tolerance: Duration,
    jwks: JwksCache,
}

impl fmt::Debug for AccessTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokenVerifier")
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .field("algorithms", &self.inner.algorithms)
            .field("token_type", &self.inner.token_type)
            .field("required_scopes", &self.inner.required_scopes)
            .finish_non_exhaustive()
    }
}

impl AccessTokenVerifier {
    /// Checks the configuration, fetches the issuer's discovery document
    /// (`{issuer}/.well-known/openid-configuration`), checks its `issuer`
    /// (equal to the configured one, character for character) and its
    /// `jwks_uri` (https, or http on a loopback issuer). The keys are
    /// fetched on the first verification.
    pub async fn discover(config: ResourceServerConfig) -> Result<Self, DiscoveryError> {
        let issuer_url = config.validated()?;
        let limits = &config.limits;
        let http = Http::new(
            limits.http_timeout,
            limits.connect_timeout,
            limits.max_response_bytes,
        )?;
        let url = discovery_url(&issuer_url);
        let response = http.get(&url, None).await?;
        if response.status != 200 {
            return Err(TransportError::Status {
                url: display_url(&url),
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
        let jwks_uri = jwks_uri_from_document(&response.body, &config.issuer)?;
        let jwks = JwksCache::new(jwks_uri, http, limits.jwks_refresh_cooldown);
        Ok(Self::with_jwks(config, jwks))
    }

    fn with_jwks(config: ResourceServerConfig, jwks: JwksCache) -> Self {
        let realm = config.realm.unwrap_or_else(|| config.audience.clone());
        Self {
            inner: Arc::new(Inner {
                issuer: config.issuer,
                audience: config.audience,
                algorithms: config.algorithms,
                token_type: config.token_type,
                required_scopes: config.required_scopes,
                realm,
                clock_tolerance: config.limits.clock_tolerance,
                jwks,
            }),
        }
    }

    /// The issuer tokens must come from.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The audience tokens must be meant for.
    pub fn audience(&self) -> &str {
        &self.inner.audience
    }

    /// The realm of this API's `WWW-Authenticate` challenges.
    pub fn realm(&self) -> &str {
        &self.inner.realm
    }

    /// How many times the provider's JWKS was fetched (tests and metrics).
    pub fn jwks_fetch_count(&self) -> u64 {
        self.inner.jwks.fetch_count()
    }

    /// Verifies an access token (the part after `Bearer `) and returns its
    /// claims. The configured required scopes are checked too.
    pub async fn verify(&self, token: &str) -> Result<AccessTokenClaims, AccessTokenError> {
        self.verify_at(token, unix_now()).await
    }

    /// Reads the token from an `Authorization` header value (`None` when
    /// the request has none) and verifies it. The error knows its HTTP
    /// status and `WWW-Authenticate` challenge (RFC 6750).
    pub async fn verify_authorization(
        &self,
        authorization: Option<&str>,
    ) -> Result<AccessTokenClaims, BearerError> {
        let token = bearer_token(authorization)?;
        Ok(self.verify(token).await?)
    }

    async fn verify_at(
        &self,
        token: &str,
        now: i64,
    ) -> Result<AccessTokenClaims, AccessTokenError> {
        let inner = &*self.inner;
        let jws =
            CompactJws::parse(token, &inner.algorithms).map_err(AccessTokenError::from_jws)?;
        check_type(jws.header.typ.as_deref(), inner.token_type)?;
        jws.verify_signature(&inner.jwks)
            .await
            .map_err(AccessTokenError::from_jws)?;
        let claims =
            AccessTokenClaims::from_map(jws.claims().map_err(AccessTokenError::from_jws)?)?;
        claims.check(inner, now)?;
        let required: Vec<&str> = inner.required_scopes.iter().map(String::as_str).collect();
        claims.require_scopes(&required)?;
        Ok(claims)
    }
}

/// The `jwks_uri` of a discovery document whose `issuer` is `issuer`.
fn jwks_uri_from_document(body: &[u8], issuer: &str) -> Result<Url, DiscoveryError> {
    #[derive(serde::Deserialize)]
    struct Document {
        issuer: String,
        jwks_uri: Option<String>,
    }
    let document: Document =
        serde_json::from_slice(body).map_err(|e| DiscoveryError::InvalidDocument(e.to_string()))?;
    if document.issuer != issuer {
        return Err(DiscoveryError::IssuerMismatch {
            expected: issuer.to_owned(),
            found: document.issuer,
        });
    }
    let value = document
        .jwks_uri
        .ok_or(DiscoveryError::MissingEndpoint("jwks_uri"))?;
    let url = Url::parse(&value)
        .map_err(|e| DiscoveryError::InvalidDocument(format!("`jwks_uri` is not a URL: {e}")))?;
    let issuer_is_loopback = Url::parse(issuer).is_ok_and(|u| is_loopback(&u));
    let secure = url.scheme() == "https"
        || (url.scheme() == "http" && issuer_is_loopback && is_loopback(&url));
    if !secure {
        return Err(DiscoveryError::InsecureEndpoint {
            field: "jwks_uri",
            url: value,
        });
    }
    Ok(url)
}

fn check_type(typ: Option<&str>, policy: AccessTokenType) -> Result<(), AccessTokenError> {
    // RFC 7515 4.1.9: the `application/` prefix may be omitted; media types
    // compare case-insensitively.
    let normalized = typ.map(|t| {
        let lower = t.to_ascii_lowercase();
        lower
            .strip_prefix("application/")
            .map(str::to_owned)
            .unwrap_or(lower)
    });
    let accepted = matches!(
        (normalized.as_deref(), policy),
        (Some("at+jwt"), _) | (None | Some("jwt"), AccessTokenType::AllowUntyped)
    );
    if accepted {
        Ok(())
    } else {
        Err(AccessTokenError::WrongType(typ.map(str::to_owned)))
    }
}

/// The verified claims of an access token.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccessTokenClaims {
    /// `iss`: the provider.
    pub iss: String,
    /// `sub`: the user (or, for a client-credentials token, the client).
    pub sub: String,
    /// `aud`: the audiences (always includes this API).
    pub aud: Vec<String>,
    /// `exp`: expiry, seconds since the epoch.
    pub exp: i64,
    /// `iat`: issue time, if sent (always, in RFC 9068 mode).
    pub iat: Option<i64>,
    /// `client_id`: the application the token was issued to (always, in
    /// RFC 9068 mode).
    pub client_id: Option<String>,
    /// `jti`: the token's id (always, in RFC 9068 mode).
    pub jti: Option<String>,
    /// `auth_time`: when the user authenticated, if sent.
    pub auth_time: Option<i64>,
    /// The granted scopes, from `scope` (or `scp`).
    pub scopes: Vec<String>,
    /// Every claim, as received.
    pub raw: Map<String, Value>,
}

/// Claims that only ID tokens carry (OpenID Connect Core 1.0 section 2 and
/// 3.3.2.11): a token with one of them is an ID token.
const ID_TOKEN_ONLY_CLAIMS: [&str; 3] = ["nonce", "at_hash", "c_hash"];

impl AccessTokenClaims {
    fn from_map(raw: Map<String, Value>) -> Result<Self, AccessTokenError> {
        let aud = claims::audiences(&raw)?;
        let scopes = match (raw.get("scope"), raw.get("scp")) {
            (Some(Value::String(s)), _) | (None, Some(Value::String(s))) => s
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            (None, Some(Value::Array(items))) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    AccessTokenError::InvalidClaims("`scp` must be an array of strings".into())
                })?,
            (None, None) => Vec::new(),
            (Some(_), _) => {
                return Err(AccessTokenError::InvalidClaims(
                    "`scope` must be a space-separated string".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(AccessTokenError::InvalidClaims(
                    "`scp` must be an array of strings or a string".into(),
                ));
            }
        };
        Ok(Self {
            iss: claims::required_string(&raw, "iss")?,
            sub: claims::required_string(&raw, "sub")?,
            aud,
            exp: claims::required_time(&raw, "exp")?,
            iat: claims::time(&raw, "iat")?,
            client_id: claims::string(&raw, "client_id")?,
            jti: claims::string(&raw, "jti")?,
            auth_time: claims::time(&raw, "auth_time")?,
            scopes,
            raw,
        })
    }

    fn check(&self, expect: &Inner, now: i64) -> Result<(), AccessTokenError> {
        if self.iss != expect.issuer {
            return Err(AccessTokenError::WrongIssuer {
                expected: expect.issuer.clone(),
                found: self.iss.clone(),
            });
        }
        if !self.aud.contains(&expect.audience) {
            return Err(AccessTokenError::WrongAudience {
                expected: expect.audience.clone(),
                found: self.aud.clone(),
            });
        }
        let tolerance_secs = expect.clock_tolerance.as_secs();
        let tolerance = i64::try_from(tolerance_secs).unwrap_or(i64::MAX);
        if now.saturating_sub(tolerance) >= self.exp {
            return Err(AccessTokenError::Expired {
                exp: self.exp,
                now,
                tolerance_secs,
            });
        }
        let nbf = claims::time(&self.raw, "nbf")?;
        if let Some(nbf) = nbf
            && nbf > now.saturating_add(tolerance)
        {
            return Err(AccessTokenError::NotYetValid { nbf, now });
        }
        if let Some(iat) = self.iat
            && iat > now.saturating_add(tolerance)
        {
            return Err(AccessTokenError::IssuedInFuture { iat, now });
        }
        if let Some(claim) = ID_TOKEN_ONLY_CLAIMS
            .iter()
            .find(|c| self.raw.contains_key(**c))
        {
            return Err(AccessTokenError::IdToken(claim));
        }
        if expect.token_type == AccessTokenType::Rfc9068 {
            if self.client_id.is_none() {
                return Err(AccessTokenError::MissingClaim("client_id"));
            }
            if self.iat.is_none() {
                return Err(AccessTokenError::MissingClaim("iat"));
            }
            if self.jti.is_none() {
                return Err(AccessTokenError::MissingClaim("jti"));
            }
        }
        Ok(())
    }

    /// Whether `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Checks that every scope in `required` was granted;
    /// [`AccessTokenError::InsufficientScope`] (HTTP 403) otherwise.
    pub fn require_scopes(&self, required: &[&str]) -> Result<(), AccessTokenError> {
        if required.iter().all(|s| self.has_scope(s)) {
            Ok(())
        } else {
            Err(AccessTokenError::InsufficientScope {
                required: required.iter().map(|s| (*s).to_owned()).collect(),
            })
        }
    }

    /// Any claim, as received.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }
}

/// Why an access token was refused. [`error_code`](Self::error_code) and
/// [`error_description`](Self::error_description) are what an API sends
/// back (RFC 6750 section 3.1); `Display` has the details, for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessTokenError {
    /// Not a well-formed JWS, or its header, algorithm, key or signature
    /// was refused (the same checks as for ID tokens).
    #[error("{0}")]
    Jws(IdTokenError),
    /// The provider's keys could not be fetched: the token cannot be
    /// checked now (a server problem, not the caller's: HTTP 503).
    #[error("cannot verify access tokens now: {0}")]
    KeysUnavailable(String),
    /// The JOSE `typ` is not `at+jwt` (RFC 9068 section 4).
    #[error(
        "the token's typ is {0:?}, not at+jwt: it is not an RFC 9068 access token (configure AccessTokenType::AllowUntyped for providers that do not type their access tokens)"
    )]
    WrongType(Option<String>),
    /// The token carries a claim only ID tokens have: an ID token was sent
    /// instead of an access token.
    #[error("the token carries `{0}`: it is an ID token, not an access token")]
    IdToken(&'static str),
    /// A claim has the wrong type.
    #[error("invalid claims: {0}")]
    InvalidClaims(String),
    /// A required claim is missing.
    #[error("the required claim `{0}` is missing")]
    MissingClaim(&'static str),
    /// `iss` is not the configured issuer.
    #[error("issuer `{found}` is not `{expected}`")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// `aud` does not contain this API's audience.
    #[error("the audience {found:?} does not include this API ({expected})")]
    WrongAudience {
        /// This API's audience.
        expected: String,
        /// The token's `aud`.
        found: Vec<String>,
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
    /// `nbf` is in the future.
    #[error("the token is not valid yet (nbf {nbf}, now {now})")]
    NotYetValid {
        /// `nbf`.
        nbf: i64,
        /// The current time.
        now: i64,
    },
    /// `iat` is in the future.
    #[error("the token was issued in the future (iat {iat}, now {now})")]
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
    },
    /// A required scope was not granted (HTTP 403).
    #[error("the token lacks a required scope (required: {})", required.join(" "))]
    InsufficientScope {
        /// Every scope the resource requires.
        required: Vec<String>,
    },
}

claims::claim_errors_into!(AccessTokenError);

impl AccessTokenError {
    fn from_jws(error: IdTokenError) -> Self {
        match error {
            IdTokenError::Jwks(reason) => Self::KeysUnavailable(reason),
            IdTokenError::InvalidClaims(reason) => Self::InvalidClaims(reason),
            other => Self::Jws(other),
        }
    }

    /// The RFC 6750 error code: `insufficient_scope` or `invalid_token`.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::InsufficientScope { .. } => "insufficient_scope",
            _ => "invalid_token",
        }
    }

    /// A short description for the caller (RFC 6750 `error_description`):
    /// says what is wrong without echoing the token's content.
    pub fn error_description(&self) -> &'static str {
        match self {
            Self::Jws(IdTokenError::Malformed(_) | IdTokenError::InvalidHeader(_)) => {
                "the access token is not a well-formed JWT"
            }
            Self::Jws(IdTokenError::Encrypted) => "encrypted access tokens are not accepted",
            Self::Jws(IdTokenError::AlgorithmNotAllowed(_)) => {
                "the access token is signed with an algorithm this API does not accept"
            }
            Self::Jws(IdTokenError::CriticalHeader(_) | IdTokenError::EmbeddedKey(_)) => {
                "the access token header is not accepted"
            }
            Self::Jws(_) => "the access token signature does not verify",
            Self::KeysUnavailable(_) => "the provider's keys are unavailable",
            Self::WrongType(_) => "the token is not an access token (typ must be at+jwt)",
            Self::IdToken(_) => "an ID token is not an access token",
            Self::InvalidClaims(_) | Self::MissingClaim(_) => {
                "the access token's claims are invalid"
            }
            Self::WrongIssuer { .. } => "the access token is from another issuer",
            Self::WrongAudience { .. } => "the access token is not meant for this API",
            Self::Expired { .. } => "the access token expired",
            Self::NotYetValid { .. } | Self::IssuedInFuture { .. } => {
                "the access token is not valid yet"
            }
            Self::InsufficientScope { .. } => "the access token lacks a required scope",
        }
    }
}

/// A request's bearer credentials were missing or refused: an HTTP status
/// and an RFC 6750 `WWW-Authenticate` challenge.
///
/// | Variant | Status | `WWW-Authenticate` |
/// | --- | --- | --- |
/// | [`MissingToken`](Self::MissingToken) (no header, or another scheme) | 401 | `Bearer realm="R"` |
/// | [`InvalidRequest`](Self::InvalidRequest) (malformed header) | 400 | `Bearer realm="R", error="invalid_request", error_description="..."` |
/// | [`Token`](Self::Token) (refused token) | 401 | `Bearer realm="R", error="invalid_token", error_description="..."` |
/// | [`Token`](Self::Token) with [`AccessTokenError::InsufficientScope`] | 403 | `Bearer realm="R", error="insufficient_scope", error_description="...", scope="a b"` |
/// | [`Token`](Self::Token) with [`AccessTokenError::KeysUnavailable`] | 503 | none |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BearerError {
    /// The request has no bearer credentials: no `Authorization` header, or
    /// one with another scheme. The challenge has no error code (RFC 6750
    /// section 3.1).
    #[error("no bearer token: send `Authorization: Bearer <access token>`")]
    MissingToken,
    /// The `Authorization` header is malformed.
    #[error("malformed Authorization header: {0}")]
    InvalidRequest(&'static str),
    /// The token was refused.
    #[error("the access token was refused: {0}")]
    Token(#[from] AccessTokenError),
}

impl BearerError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::MissingToken => 401,
            Self::InvalidRequest(_) => 400,
            Self::Token(AccessTokenError::InsufficientScope { .. }) => 403,
            Self::Token(AccessTokenError::KeysUnavailable(_)) => 503,
            Self::Token(_) => 401,
        }
    }

    /// The `WWW-Authenticate` header value, or `None` when the failure is
    /// the server's (503). Attribute values are quoted and limited to the
    /// characters RFC 6750 allows.
    pub fn www_authenticate(&self, realm: &str) -> Option<String> {
        let mut challenge = format!("Bearer realm=\"{}\"", quoted(realm));
        match self {
            Self::MissingToken => {}
            Self::InvalidRequest(description) => {
                challenge.push_str(&format!(
                    ", error=\"invalid_request\", error_description=\"{}\"",
                    quoted(description)
                ));
            }
            Self::Token(AccessTokenError::KeysUnavailable(_)) => return None,
            Self::Token(error) => {
                challenge.push_str(&format!(
                    ", error=\"{}\", error_description=\"{}\"",
                    error.error_code(),
                    quoted(error.error_description())
                ));
                if let AccessTokenError::InsufficientScope { required } = error {
                    challenge.push_str(&format!(", scope=\"{}\"", quoted(&required.join(" "))));
                }
            }
        }
        Some(challenge)
    }
}

/// Keeps the characters RFC 6750 allows in attribute values (%x20-21 /
/// %x23-5B / %x5D-7E: printable ASCII without `"` and `\`).
fn quoted(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// The token of an `Authorization: Bearer <token>` header value (RFC 6750
/// section 2.1). `None`, or another scheme, is [`BearerError::MissingToken`];
/// a `Bearer` header without exactly one well-formed token is
/// [`BearerError::InvalidRequest`].
///
/// ```
/// use oidc_core::access_token::{BearerError, bearer_token};
/// assert_eq!(bearer_token(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
/// assert_eq!(bearer_token(Some("bearer  abc")), Ok("abc"));
/// assert_eq!(bearer_token(None), Err(BearerError::MissingToken));
/// assert_eq!(bearer_token(Some("Basic dXNlcjpwYXNz")), Err(BearerError::MissingToken));
/// assert!(matches!(bearer_token(Some("Bearer")), Err(BearerError::InvalidRequest(_))));
/// assert!(matches!(bearer_token(Some("Bearer a b")), Err(BearerError::InvalidRequest(_))));
/// ```
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, BearerError> {
    let value = authorization.ok_or(BearerError::MissingToken)?.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(BearerError::MissingToken);
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Err(BearerError::InvalidRequest(
            "the Authorization header has no token after `Bearer`",
        ));
    }
    // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_end_matches('=');
    let well_formed = !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    if !well_formed {
        return Err(BearerError::InvalidRequest(
            "the bearer token must be a single token of base64url characters",
        ));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{Signer, with};
    use serde_json::json;

    const ISS: &str = "https://op.example";
    const AUD: &str = "https://api.example";

    fn header() -> Value {
        json!({"alg": "RS256", "kid": "k1", "typ": "at+jwt"})
    }

    fn claims() -> Value {
        let now = unix_now();
        json!({"iss": ISS, "sub": "user-1", "aud": AUD, "client_id": "app", "scope": "openid email api",
               "iat": now, "exp": now + 300, "jti": "j1", "auth_time": now - 5})
    }

    async fn check_with(
        config: ResourceServerConfig,
        header: Value,
        claims: Value,
    ) -> Result<AccessTokenClaims, AccessTokenError> {
        let signer = Signer::rsa("k1");
        let verifier = AccessTokenVerifier::with_jwks(config, signer.jwks());
        verifier.verify(&signer.sign(&header, &claims)).await
    }

    async fn check(header: Value, claims: Value) -> Result<AccessTokenClaims, AccessTokenError> {
        check_with(ResourceServerConfig::new(ISS, AUD), header, claims).await
    }

    async fn fails(changes: Value) -> AccessTokenError {
        check(header(), with(claims(), changes)).await.unwrap_err()
    }

    #[tokio::test]
    async fn a_valid_token_verifies() {
        let verified = check(header(), claims()).await.unwrap();
        assert_eq!(verified.sub, "user-1");
        assert_eq!(verified.client_id.as_deref(), Some("app"));
        assert_eq!(verified.scopes, ["openid", "email", "api"]);
        assert!(verified.has_scope("api"));
        assert!(verified.require_scopes(&["api", "email"]).is_ok());
        // application/at+jwt, any case.
        let h = with(header(), json!({"typ": "application/AT+JWT"}));
        assert!(check(h, claims()).await.is_ok());
        // Several audiences, one of them ours.
        assert!(
            check(header(), with(claims(), json!({"aud": ["other", AUD]})))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn typ_must_be_at_jwt() {
        for typ in [json!("JWT"), json!("logout+jwt"), json!(null)] {
            let h = with(header(), json!({ "typ": typ }));
            assert!(
                matches!(
                    check(h, claims()).await,
                    Err(AccessTokenError::WrongType(_))
                ),
                "{typ}"
            );
        }
        // Untyped mode accepts JWT and no typ, never another token type.
        let lenient =
            || ResourceServerConfig::new(ISS, AUD).token_type(AccessTokenType::AllowUntyped);
        for typ in [json!("JWT"), json!(null)] {
            let h = with(header(), json!({ "typ": typ }));
            assert!(check_with(lenient(), h, claims()).await.is_ok(), "{typ}");
        }
        let h = with(header(), json!({"typ": "logout+jwt"}));
        assert!(matches!(
            check_with(lenient(), h, claims()).await,
            Err(AccessTokenError::WrongType(_))
        ));
    }

    #[tokio::test]
    async fn an_id_token_is_refused_in_every_mode() {
        let id_token = json!({"iss": ISS, "sub": "user-1", "aud": AUD, "iat": unix_now(),
                              "exp": unix_now() + 300, "nonce": "n", "at_hash": "x"});
        let typed = with(header(), json!({"typ": "JWT"}));
        assert!(matches!(
            check(typed.clone(), id_token.clone()).await,
            Err(AccessTokenError::WrongType(_))
        ));
        let lenient = ResourceServerConfig::new(ISS, AUD).token_type(AccessTokenType::AllowUntyped);
        assert_eq!(
            check_with(lenient, typed, id_token).await,
            Err(AccessTokenError::IdToken("nonce"))
        );
        // Even typed at+jwt, an ID token claim gives it away.
        assert_eq!(
            fails(json!({"c_hash": "x"})).await,
            AccessTokenError::IdToken("c_hash")
        );
    }

    #[tokio::test]
    async fn issuer_and_audience_must_match() {
        assert!(matches!(
            fails(json!({"iss": "https://evil.example"})).await,
            AccessTokenError::WrongIssuer { .. }
        ));
        assert!(matches!(
            fails(json!({"iss": "https://op.example/"})).await,
            AccessTokenError::WrongIssuer { .. }
        ));
        assert!(matches!(
            fails(json!({"aud": "other"})).await,
            AccessTokenError::WrongAudience { .. }
        ));
        assert!(matches!(
            fails(json!({"aud": []})).await,
            AccessTokenError::InvalidClaims(_)
        ));
        assert_eq!(
            fails(json!({"aud": null})).await,
            AccessTokenError::MissingClaim("aud")
        );
    }

    #[tokio::test]
    async fn times_are_checked_with_tolerance() {
        let now = unix_now();
        assert!(matches!(
            fails(json!({"exp": now - 61})).await,
            AccessTokenError::Expired { .. }
        ));
        assert!(
            check(header(), with(claims(), json!({"exp": now - 30})))
                .await
                .is_ok()
        );
        assert!(matches!(
            fails(json!({"nbf": now + 120})).await,
            AccessTokenError::NotYetValid { .. }
        ));
        assert!(matches!(
            fails(json!({"iat": now + 120})).await,
            AccessTokenError::IssuedInFuture { .. }
        ));
        assert_eq!(
            fails(json!({"exp": null})).await,
            AccessTokenError::MissingClaim("exp")
        );
        assert!(matches!(
            fails(json!({"exp": "soon"})).await,
            AccessTokenError::InvalidClaims(_)
        ));
    }

    #[tokio::test]
    async fn rfc9068_claims_are_required() {
        for claim in ["client_id", "iat", "jti", "sub"] {
            assert_eq!(
                fails(json!({ claim: null })).await,
                AccessTokenError::MissingClaim(claim)
            );
        }
        let lenient = ResourceServerConfig::new(ISS, AUD).token_type(AccessTokenType::AllowUntyped);
        let bare = with(
            claims(),
            json!({"client_id": null, "iat": null, "jti": null}),
        );
        assert!(check_with(lenient, header(), bare).await.is_ok());
    }

    #[tokio::test]
    async fn scopes_from_scope_or_scp() {
        let scp = with(claims(), json!({"scope": null, "scp": ["a", "b"]}));
        assert_eq!(check(header(), scp).await.unwrap().scopes, ["a", "b"]);
        let scp = with(claims(), json!({"scope": null, "scp": "a b"}));
        assert_eq!(check(header(), scp).await.unwrap().scopes, ["a", "b"]);
        assert!(matches!(
            fails(json!({"scope": ["a"]})).await,
            AccessTokenError::InvalidClaims(_)
        ));
        let config = ResourceServerConfig::new(ISS, AUD).required_scopes(["api", "admin"]);
        let err = check_with(config, header(), claims()).await.unwrap_err();
        assert_eq!(
            err,
            AccessTokenError::InsufficientScope {
                required: vec!["api".into(), "admin".into()]
            }
        );
    }

    #[tokio::test]
    async fn signature_and_algorithm_are_checked() {
        let signer = Signer::rsa("k1");
        let other = Signer::rsa("k1");
        let verifier =
            AccessTokenVerifier::with_jwks(ResourceServerConfig::new(ISS, AUD), signer.jwks());
        let forged = other.sign(&header(), &claims());
        assert_eq!(
            verifier.verify(&forged).await,
            Err(AccessTokenError::Jws(IdTokenError::BadSignature))
        );
        let h = with(header(), json!({"alg": "HS256"}));
        assert!(matches!(
            verifier.verify(&signer.sign(&h, &claims())).await,
            Err(AccessTokenError::Jws(IdTokenError::AlgorithmNotAllowed(_)))
        ));
        assert!(matches!(
            verifier.verify("not-a-jwt").await,
            Err(AccessTokenError::Jws(IdTokenError::Malformed(_)))
        ));
    }

    #[test]
    fn challenges_follow_rfc_6750() {
        let realm = "api";
        assert_eq!(
            BearerError::MissingToken.www_authenticate(realm).unwrap(),
            "Bearer realm=\"api\""
        );
        assert_eq!(BearerError::MissingToken.status(), 401);
        let expired = BearerError::Token(AccessTokenError::Expired {
            exp: 1,
            now: 2,
            tolerance_secs: 0,
        });
        assert_eq!(expired.status(), 401);
        assert_eq!(
            expired.www_authenticate(realm).unwrap(),
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the access token expired\""
        );
        let scope = BearerError::Token(AccessTokenError::InsufficientScope {
            required: vec!["a".into(), "b".into()],
        });
        assert_eq!(scope.status(), 403);
        assert_eq!(
            scope.www_authenticate(realm).unwrap(),
            "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"the access token lacks a required scope\", scope=\"a b\""
        );
        let unavailable = BearerError::Token(AccessTokenError::KeysUnavailable("down".into()));
        assert_eq!(unavailable.status(), 503);
        assert_eq!(unavailable.www_authenticate(realm), None);
        assert_eq!(quoted("a\"b\\c\u{e9}"), "a'b'c?");
    }

    #[test]
    fn the_authorization_header_is_parsed_strictly() {
        assert_eq!(bearer_token(Some("Bearer a.b.c")), Ok("a.b.c"));
        assert_eq!(bearer_token(Some("BEARER abc==")), Ok("abc=="));
        assert_eq!(
            bearer_token(Some("Basic abc")),
            Err(BearerError::MissingToken)
        );
        assert_eq!(bearer_token(Some("")), Err(BearerError::MissingToken));
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "Bearer a,b",
            "Bearer =",
            "Bearer a\"b",
        ] {
            assert!(
                matches!(bearer_token(Some(bad)), Err(BearerError::InvalidRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn configuration_is_validated() {
        assert!(ResourceServerConfig::new(ISS, AUD).validate().is_ok());
        assert_eq!(
            ResourceServerConfig::new(ISS, " ").validate(),
            Err(ConfigError::EmptyAudience)
        );
        assert!(matches!(
            ResourceServerConfig::new("http://op.example", AUD).validate(),
            Err(ConfigError::InsecureUrl { .. })
        ));
        assert_eq!(
            ResourceServerConfig::new(ISS, AUD)
                .algorithms([])
                .validate(),
            Err(ConfigError::NoAlgorithms)
        );
        assert!(matches!(
            ResourceServerConfig::new(ISS, AUD)
                .required_scopes(["a b"])
                .validate(),
            Err(ConfigError::InvalidScope(_))
        ));
    }

    #[test]
    fn discovery_document_checks() {
        let doc = |v: Value| serde_json::to_vec(&v).unwrap();
        let ok = doc(json!({"issuer": ISS, "jwks_uri": "https://op.example/jwks"}));
        assert_eq!(
            jwks_uri_from_document(&ok, ISS).unwrap().as_str(),
            "https://op.example/jwks"
        );
        assert!(matches!(
            jwks_uri_from_document(&ok, "https://other.example"),
            Err(DiscoveryError::IssuerMismatch { .. })
        ));
        let insecure = doc(json!({"issuer": ISS, "jwks_uri": "http://op.example/jwks"}));
        assert!(matches!(
            jwks_uri_from_document(&insecure, ISS),
            Err(DiscoveryError::InsecureEndpoint { .. })
        ));
        let missing = doc(json!({"issuer": ISS}));
        assert!(matches!(
            jwks_uri_from_document(&missing, ISS),
            Err(DiscoveryError::MissingEndpoint("jwks_uri"))
        ));
    }
}
