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

use crate::config::{Limits, SigningAlgorithm, check_scope, parse_issuer};
use crate::error::{ConfigError, DiscoveryError};
use crate::jose::issuer::{ExpectedIssuer, IssuerPolicy};
use crate::jose::jwks::{JwksCache, JwksPolicy};
use crate::jose::jws::CompactJws;
use crate::provider::discovery::{fetch_document, required_endpoint};
use crate::provider::http::Http;
use crate::provider::negotiated::algorithms_from_metadata;
use crate::util::unix_now;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Which JOSE `typ` an access token may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
    issuer: String,
    audience: String,
    /// `None`: from the provider's metadata.
    algorithms: Option<Vec<SigningAlgorithm>>,
    issuer_policy: IssuerPolicy,
    token_type: AccessTokenType,
    required_scopes: Vec<String>,
    realm: Option<String>,
    limits: Limits,
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
    expected_issuer: ExpectedIssuer,
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
    /// (equal to the configured one, character for character, or as the
    /// [`IssuerPolicy`] says) and its `jwks_uri` (https, or http on a
    /// loopback issuer), and reads the algorithms it advertises. The keys
    /// are fetched on the first verification.
    pub async fn discover(config: ResourceServerConfig) -> Result<Self, DiscoveryError> {
        let issuer_url = config.validated()?;
        let limits = &config.limits;
        let http = Http::from_limits(limits)?;
        let body = fetch_document(&http, &issuer_url).await?;
        let document = KeysDocument::parse(&body, &config)?;
        let jwks = JwksCache::new(document.jwks_uri, http, JwksPolicy::from_limits(limits));
        let algorithms = match &config.algorithms {
            Some(explicit) => explicit.clone(),
            None => algorithms_from_metadata(&document.algorithms),
        };
        Ok(Self::with_jwks(config, document.issuer, algorithms, jwks))
    }

    fn with_jwks(
        config: ResourceServerConfig,
        expected_issuer: ExpectedIssuer,
        algorithms: Vec<SigningAlgorithm>,
        jwks: JwksCache,
    ) -> Self {
        let realm = config.realm.unwrap_or_else(|| config.audience.clone());
        Self {
            inner: Arc::new(Inner {
                issuer: config.issuer,
                expected_issuer,
                audience: config.audience,
                algorithms,
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
        let jws = CompactJws::parse(token, &inner.algorithms)?;
        check_type(jws.header.typ.as_deref(), inner.token_type)?;
        jws.verify_signature(&inner.jwks).await?;
        let claims = AccessTokenClaims::from_map(jws.claims()?)?;
        claims.check(inner, now)?;
        let required: Vec<&str> = inner.required_scopes.iter().map(String::as_str).collect();
        claims.require_scopes(&required)?;
        Ok(claims)
    }
}

/// What an API needs of the provider's discovery document.
struct KeysDocument {
    issuer: ExpectedIssuer,
    jwks_uri: Url,
    algorithms: Vec<String>,
}

impl KeysDocument {
    fn parse(body: &[u8], config: &ResourceServerConfig) -> Result<Self, DiscoveryError> {
        #[derive(serde::Deserialize)]
        struct Document {
            issuer: String,
            jwks_uri: Option<String>,
            #[serde(default)]
            id_token_signing_alg_values_supported: Vec<String>,
        }
        let document: Document = serde_json::from_slice(body)
            .map_err(|e| DiscoveryError::InvalidDocument(e.to_string()))?;
        let issuer =
            ExpectedIssuer::from_discovery(config.issuer_policy, &config.issuer, &document.issuer)?;
        let issuer_url = parse_issuer(&config.issuer)?;
        let url = required_endpoint("jwks_uri", document.jwks_uri, &issuer_url)?;
        Ok(Self {
            issuer,
            jwks_uri: url,
            algorithms: document.id_token_signing_alg_values_supported,
        })
    }
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

mod errors;
mod token_claims;

pub use errors::{AccessTokenError, BearerError, bearer_token};
pub use token_claims::AccessTokenClaims;

#[cfg(test)]
mod tests;
