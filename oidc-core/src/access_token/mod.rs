//! APIs: verifying the JWT access tokens a provider issues (RFC 9068), at a
//! resource server, and asking the provider about the opaque ones (token
//! introspection, RFC 7662).
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
//! # Opaque access tokens: introspection
//!
//! A provider may issue access tokens that are random strings, which only
//! it can read. With [`TokenValidation::Introspection`] (every token) or
//! [`TokenValidation::Auto`] (tokens that are not JWTs), and the API's own
//! client credentials ([`ResourceServerConfig::introspection_client`]),
//! the verifier asks the provider's `introspection_endpoint`:
//!
//! ```no_run
//! use oidc_core::{AccessTokenVerifier, ResourceServerConfig, TokenValidation};
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = AccessTokenVerifier::discover(
//!     ResourceServerConfig::new("https://login.example.com", "https://api.example.com")
//!         .token_validation(TokenValidation::Auto)
//!         .introspection_client("my-api", "my-api-secret")
//!         // How long a revoked token may still be accepted (default 60 s).
//!         .introspection_cache_ttl(Duration::from_secs(30)),
//! )
//! .await?;
//! # let _ = verifier; Ok(()) }
//! ```
//!
//! The answer must be a JSON object whose `active` is `true` (`false` is
//! [`AccessTokenError::Inactive`]); then `iss` (if present) follows the
//! issuer rule, `aud` must name this API (absent: refused unless
//! [`ResourceServerConfig::introspection_accepts_missing_audience`]),
//! `exp`, `nbf` and `iat` are checked with the tolerance, a `token_type`
//! of `refresh_token` is refused, and the required scopes are checked
//! against `scope`. The result is the same [`AccessTokenClaims`] (`sub`
//! defaults to `client_id` for client-credentials tokens). Answers are
//! cached (see [`ResourceServerConfig::introspection_cache_ttl`]).
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

use crate::config::{AuthMethod, ClientKey, SigningAlgorithm, parse_issuer};
use crate::error::{ConfigError, DiscoveryError};
use crate::jose::issuer::ExpectedIssuer;
use crate::jose::jwks::{JwksCache, JwksPolicy};
use crate::jose::jws::CompactJws;
use crate::provider::discovery::{fetch_document, required_endpoint};
use crate::provider::http::Http;
use crate::provider::negotiated::algorithms_from_metadata;
use crate::util::unix_now;
use introspection::Introspector;
use std::fmt;
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
    validation: TokenValidation,
    /// `Some` when `validation` introspects.
    introspection: Option<Introspector>,
}

impl fmt::Debug for AccessTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokenVerifier")
            .field("issuer", &self.inner.issuer)
            .field("audience", &self.inner.audience)
            .field("algorithms", &self.inner.algorithms)
            .field("token_type", &self.inner.token_type)
            .field("required_scopes", &self.inner.required_scopes)
            .field("validation", &self.inner.validation)
            .finish_non_exhaustive()
    }
}

impl AccessTokenVerifier {
    /// Checks the configuration, fetches the issuer's discovery document
    /// (`{issuer}/.well-known/openid-configuration`), checks its `issuer`
    /// (equal to the configured one, character for character, or as the
    /// [`IssuerPolicy`](crate::IssuerPolicy) says) and its `jwks_uri` (https, or http on a
    /// loopback issuer), and reads the algorithms it advertises. The keys
    /// are fetched on the first verification.
    ///
    /// When [`ResourceServerConfig::token_validation`] introspects, the
    /// document must also have an `introspection_endpoint` (https, or http
    /// on a loopback issuer), and list a secret-based method the API can
    /// authenticate with there.
    pub async fn discover(config: ResourceServerConfig) -> Result<Self, DiscoveryError> {
        let issuer_url = config.validated()?;
        let limits = &config.limits;
        let http = Http::from_limits(limits)?;
        let body = fetch_document(&http, &issuer_url).await?;
        let document = KeysDocument::parse(&body, &config)?;
        let introspector = match (config.validation.introspects(), document.introspection) {
            (false, _) => None,
            (true, None) => {
                return Err(DiscoveryError::MissingEndpoint("introspection_endpoint"));
            }
            (
                true,
                Some(IntrospectionEndpoint {
                    endpoint,
                    method,
                    key,
                }),
            ) => {
                let mut credentials = config
                    .introspection
                    .credentials
                    .clone()
                    .ok_or(ConfigError::MissingIntrospectionClient)?;
                if key.is_some() {
                    // RFC 7523 section 3: the issuer identifies the
                    // authorization server for any of its endpoints.
                    credentials.key = key;
                    credentials.assertion_audience = Some(config.issuer.clone());
                } else if method == AuthMethod::PrivateKeyJwt {
                    return Err(ConfigError::MissingClientKey.into());
                }
                Some(Introspector::new(
                    endpoint,
                    credentials,
                    method,
                    http.clone(),
                    &config.introspection,
                ))
            }
        };
        let jwks = JwksCache::new(document.jwks_uri, http, JwksPolicy::from_limits(limits));
        let algorithms = match &config.algorithms {
            Some(explicit) => explicit.clone(),
            None => algorithms_from_metadata(&document.algorithms),
        };
        Ok(Self::with_parts(
            config,
            document.issuer,
            algorithms,
            jwks,
            introspector,
        ))
    }

    #[cfg(test)]
    fn with_jwks(
        config: ResourceServerConfig,
        expected_issuer: ExpectedIssuer,
        algorithms: Vec<SigningAlgorithm>,
        jwks: JwksCache,
    ) -> Self {
        Self::with_parts(config, expected_issuer, algorithms, jwks, None)
    }

    fn with_parts(
        config: ResourceServerConfig,
        expected_issuer: ExpectedIssuer,
        algorithms: Vec<SigningAlgorithm>,
        jwks: JwksCache,
        introspection: Option<Introspector>,
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
                validation: config.validation,
                introspection,
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

    /// How tokens are checked: locally, by introspection, or either.
    pub fn token_validation(&self) -> TokenValidation {
        self.inner.validation
    }

    /// How many introspection requests were sent to the provider (tests
    /// and metrics; cached answers are not counted).
    pub fn introspection_count(&self) -> u64 {
        self.inner
            .introspection
            .as_ref()
            .map_or(0, Introspector::request_count)
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
        let introspector = match (inner.validation, &inner.introspection) {
            (TokenValidation::LocalJwt, _) => None,
            (TokenValidation::Auto, _) if introspection::is_jwt_shaped(token) => None,
            (_, introspector) => introspector.as_ref(),
        };
        if let Some(introspector) = introspector {
            let claims = introspector.claims(token, &inner.issuer, now).await?;
            claims.check_introspected(inner, now)?;
            let required: Vec<&str> = inner.required_scopes.iter().map(String::as_str).collect();
            claims.require_scopes(&required)?;
            return Ok(AccessTokenClaims::clone(&claims));
        }
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
    /// Read only when the configuration introspects.
    introspection: Option<IntrospectionEndpoint>,
}

/// The introspection endpoint, the method to authenticate there, and for
/// `private_key_jwt` the key with its negotiated algorithm.
struct IntrospectionEndpoint {
    endpoint: Url,
    method: AuthMethod,
    key: Option<(ClientKey, SigningAlgorithm)>,
}

impl KeysDocument {
    fn parse(body: &[u8], config: &ResourceServerConfig) -> Result<Self, DiscoveryError> {
        #[derive(serde::Deserialize)]
        struct Document {
            issuer: String,
            jwks_uri: Option<String>,
            #[serde(default)]
            id_token_signing_alg_values_supported: Vec<String>,
            // Read only when introspecting: a malformed member there must
            // not stop an API that verifies JWTs only.
            introspection_endpoint: Option<serde_json::Value>,
            introspection_endpoint_auth_methods_supported: Option<serde_json::Value>,
            token_endpoint_auth_methods_supported: Option<serde_json::Value>,
            introspection_endpoint_auth_signing_alg_values_supported: Option<serde_json::Value>,
            token_endpoint_auth_signing_alg_values_supported: Option<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(body)
            .map_err(|e| DiscoveryError::InvalidDocument(e.to_string()))?;
        let issuer =
            ExpectedIssuer::from_discovery(config.issuer_policy, &config.issuer, &document.issuer)?;
        let issuer_url = parse_issuer(&config.issuer)?;
        let url = required_endpoint("jwks_uri", document.jwks_uri, &issuer_url)?;
        let introspection = match document.introspection_endpoint {
            Some(endpoint) if config.validation.introspects() => {
                let endpoint = serde_json::from_value::<String>(endpoint).map_err(|_| {
                    DiscoveryError::InvalidDocument(
                        "`introspection_endpoint` must be a string".into(),
                    )
                })?;
                let endpoint =
                    required_endpoint("introspection_endpoint", Some(endpoint), &issuer_url)?;
                let methods = |name: &str, value: Option<serde_json::Value>| {
                    value
                        .map(serde_json::from_value::<Vec<String>>)
                        .transpose()
                        .map_err(|_| {
                            DiscoveryError::InvalidDocument(format!(
                                "`{name}` must be an array of strings"
                            ))
                        })
                };
                let method = introspection::auth_method(
                    config.introspection.method,
                    config.introspection.key.is_some(),
                    methods(
                        "introspection_endpoint_auth_methods_supported",
                        document.introspection_endpoint_auth_methods_supported,
                    )?
                    .as_deref(),
                    methods(
                        "token_endpoint_auth_methods_supported",
                        document.token_endpoint_auth_methods_supported,
                    )?
                    .as_deref(),
                )?;
                let key = match (&config.introspection.key, method) {
                    (Some(key), AuthMethod::PrivateKeyJwt) => {
                        let listed = methods(
                            "introspection_endpoint_auth_signing_alg_values_supported",
                            document.introspection_endpoint_auth_signing_alg_values_supported,
                        )?
                        .or(methods(
                            "token_endpoint_auth_signing_alg_values_supported",
                            document.token_endpoint_auth_signing_alg_values_supported,
                        )?);
                        let alg = introspection::assertion_algorithm(key, listed.as_deref())?;
                        Some((key.clone(), alg))
                    }
                    _ => None,
                };
                Some(IntrospectionEndpoint {
                    endpoint,
                    method,
                    key,
                })
            }
            _ => None,
        };
        Ok(Self {
            issuer,
            jwks_uri: url,
            algorithms: document.id_token_signing_alg_values_supported,
            introspection,
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

mod config;
mod errors;
pub(crate) mod introspection;
mod token_claims;

pub use config::ResourceServerConfig;
pub use errors::{AccessTokenError, BearerError, bearer_token};
pub use introspection::{CACHE_CAPACITY as INTROSPECTION_CACHE_CAPACITY, TokenValidation};
pub use token_claims::AccessTokenClaims;

#[cfg(test)]
mod tests;
