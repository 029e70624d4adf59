//! Token introspection (RFC 7662): asking the provider about a token the
//! API cannot verify itself (an opaque access token), and caching the
//! answer for a bounded time.
//!
//! The request is `POST token=...&token_type_hint=access_token` to the
//! provider's `introspection_endpoint`, with the API's client
//! authentication, through the verifier's back-channel HTTP client
//! (timeouts, body caps, no redirects), in the `oidc.introspection` span.
//! The answer is read strictly (a JSON object whose `active` is the boolean
//! `true`) and then checked like a JWT access token by the verifier.
//!
//! # The cache
//!
//! Keyed by the SHA-256 digest of the token (the cache never holds a
//! usable token), at most [`CACHE_CAPACITY`] entries. An active answer is
//! kept for at most min(`exp` - now, the configured bound); a revoked
//! token is therefore accepted for at most the bound after its revocation.
//! Inactive answers are not cached: a token never becomes active again,
//! but caching them would let anyone fill the bounded cache with random
//! strings and evict the entries of real callers. Concurrent
//! verifications of the same uncached token share one request.

use super::{AccessTokenClaims, AccessTokenError};
use crate::config::{AuthMethod, ClientKey, SigningAlgorithm};
use crate::error::{DiscoveryError, TokenError, TransportError};
use crate::jose::jws::StrictObject;
use crate::provider::client_auth::{ClientCredentials, authenticated_request};
use crate::provider::http::{Http, Response, display_url};
use crate::provider::trace::{self, step_span};
use crate::util::digest_parts;
use moka::Expiry;
use moka::future::Cache;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use url::Url;

/// How an [`AccessTokenVerifier`](super::AccessTokenVerifier) checks a
/// token: locally (a JWT, RFC 9068), or by asking the provider (token
/// introspection, RFC 7662).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenValidation {
    /// Every token must be a JWT access token, verified locally with the
    /// provider's keys. The default; no request to the provider per token.
    #[default]
    LocalJwt,
    /// Every token is introspected at the provider's
    /// `introspection_endpoint`, JWT or not (the provider then also tells
    /// revoked JWTs apart, at the cost of a request per uncached token).
    Introspection,
    /// JWT-shaped tokens (three dot-separated parts whose first is a JSON
    /// object) are verified locally; every other token is introspected.
    /// For providers that issue both kinds.
    Auto,
}

impl TokenValidation {
    /// Whether this mode may send tokens to the introspection endpoint.
    pub(crate) fn introspects(self) -> bool {
        !matches!(self, Self::LocalJwt)
    }
}

/// The most entries the introspection cache holds.
pub const CACHE_CAPACITY: u64 = 10_000;

/// The default bound on how long an introspection answer is relied on.
pub(crate) const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(60);

/// The largest bound an application may configure: a revoked token is
/// accepted for up to this long.
pub(crate) const MAX_CACHE_TTL: Duration = Duration::from_secs(3600);

/// The introspection settings of a `ResourceServerConfig`.
#[derive(Debug, Clone)]
pub(crate) struct IntrospectionSettings {
    pub(crate) credentials: Option<ClientCredentials>,
    /// The key of `private_key_jwt`; its algorithm is chosen at discovery.
    pub(crate) key: Option<ClientKey>,
    /// `None`: from the provider's metadata.
    pub(crate) method: Option<AuthMethod>,
    pub(crate) cache_ttl: Duration,
    pub(crate) accept_missing_audience: bool,
}

impl Default for IntrospectionSettings {
    fn default() -> Self {
        Self {
            credentials: None,
            key: None,
            method: None,
            cache_ttl: DEFAULT_CACHE_TTL,
            accept_missing_audience: false,
        }
    }
}

/// A verified, cached answer: its claims and how long it may be reused.
#[derive(Clone)]
struct Cached {
    claims: Arc<AccessTokenClaims>,
    ttl: Duration,
}

struct CachedExpiry;

impl Expiry<[u8; 32], Cached> for CachedExpiry {
    fn expire_after_create(&self, _: &[u8; 32], value: &Cached, _: Instant) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The introspection side of a verifier: the endpoint, how to
/// authenticate there, and the cache.
pub(crate) struct Introspector {
    endpoint: Url,
    credentials: ClientCredentials,
    method: AuthMethod,
    http: Http,
    cache: Cache<[u8; 32], Cached>,
    cache_ttl: Duration,
    accept_missing_audience: bool,
    requests: AtomicU64,
}

impl Introspector {
    pub(crate) fn new(
        endpoint: Url,
        credentials: ClientCredentials,
        method: AuthMethod,
        http: Http,
        settings: &IntrospectionSettings,
    ) -> Self {
        Self {
            endpoint,
            credentials,
            method,
            http,
            cache: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .expire_after(CachedExpiry)
                .build(),
            cache_ttl: settings.cache_ttl,
            accept_missing_audience: settings.accept_missing_audience,
            requests: AtomicU64::new(0),
        }
    }

    /// How many introspection requests were sent (tests and metrics).
    pub(crate) fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The claims the provider vouches for `token`, from the cache or
    /// from one request; `issuer` stands in for an absent `iss` (the
    /// answer comes from the issuer's own endpoint). The caller checks
    /// them (audience, times, scopes) on every use.
    pub(crate) async fn claims(
        &self,
        token: &str,
        issuer: &str,
        now: i64,
    ) -> Result<Arc<AccessTokenClaims>, AccessTokenError> {
        let key = digest_parts(&[b"introspection", token.as_bytes()]);
        let fetch = async {
            let object = self.request(token).await?;
            let bound = i64::try_from(self.cache_ttl.as_secs()).unwrap_or(i64::MAX);
            let claims = AccessTokenClaims::from_introspection(
                object,
                issuer,
                self.accept_missing_audience,
                now.saturating_add(bound),
            )?;
            let remaining = u64::try_from(claims.exp.saturating_sub(now)).unwrap_or(0);
            let ttl = self.cache_ttl.min(Duration::from_secs(remaining));
            Ok::<_, AccessTokenError>(Cached {
                claims: Arc::new(claims),
                ttl,
            })
        };
        self.cache
            .try_get_with(key, fetch)
            .await
            .map(|cached| cached.claims)
            .map_err(|shared| (*shared).clone())
    }

    /// Sends the request and reads the answer, in the `oidc.introspection`
    /// span.
    async fn request(&self, token: &str) -> Result<Map<String, Value>, AccessTokenError> {
        let (body, authorization) = authenticated_request(
            &self.credentials,
            self.method,
            &self.endpoint,
            &[("token", token), ("token_type_hint", "access_token")],
        )
        .map_err(client_auth_error)?;
        let span = step_span!("oidc.introspection", trace::host(&self.endpoint));
        trace::timed(span, async {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let response = self
                .http
                .post_form(&self.endpoint, body, authorization)
                .await
                .map_err(AccessTokenError::IntrospectionUnavailable)?;
            parse(&response, &self.endpoint)
        })
        .await
    }
}

fn client_auth_error(error: TokenError) -> AccessTokenError {
    match error {
        TokenError::Transport(e) => AccessTokenError::IntrospectionUnavailable(e),
        other => AccessTokenError::IntrospectionClientAuth(other.to_string()),
    }
}

/// Reads the introspection endpoint's answer (RFC 7662 section 2.2):
/// `200` with a JSON object whose `active` is `true`. `"active": false` is
/// [`AccessTokenError::Inactive`]; an OAuth error body (a refused client
/// authentication, section 2.3) is [`AccessTokenError::IntrospectionRefused`];
/// another status is the provider's outage.
pub(crate) fn parse(
    response: &Response,
    endpoint: &Url,
) -> Result<Map<String, Value>, AccessTokenError> {
    let object = response
        .is_json()
        .then(|| serde_json::from_slice::<StrictObject>(&response.body).ok())
        .flatten()
        .map(|o| o.0);
    if response.status != 200 {
        if let Some(refusal) = response.oauth_error() {
            return Err(AccessTokenError::IntrospectionRefused {
                error: refusal.error,
                description: refusal.description,
                status: response.status,
            });
        }
        return Err(AccessTokenError::IntrospectionUnavailable(
            TransportError::Status {
                url: display_url(endpoint),
                status: response.status,
            },
        ));
    }
    let Some(object) = object else {
        return Err(AccessTokenError::IntrospectionInvalidResponse(format!(
            "not a JSON object (content type `{}`)",
            response.content_type().unwrap_or("none")
        )));
    };
    match object.get("active") {
        Some(Value::Bool(true)) => Ok(object),
        Some(Value::Bool(false)) => Err(AccessTokenError::Inactive),
        Some(_) => Err(AccessTokenError::IntrospectionInvalidResponse(
            "`active` must be a boolean".into(),
        )),
        None => Err(AccessTokenError::IntrospectionInvalidResponse(
            "`active` is missing (RFC 7662 section 2.2 requires it)".into(),
        )),
    }
}

/// How the API authenticates at the introspection endpoint: the
/// configured method, which the provider must list (without a list, the
/// provider's documentation is the authority, as at the token endpoint);
/// else from `introspection_endpoint_auth_methods_supported`, else
/// `token_endpoint_auth_methods_supported`, else `client_secret_basic`
/// (the default of both lists). With a key (`with_key`): `private_key_jwt`,
/// listed or without a list. With a secret: `client_secret_post` first
/// when listed, then `client_secret_basic`, as at the token endpoint.
pub(crate) fn auth_method(
    configured: Option<AuthMethod>,
    with_key: bool,
    introspection_methods: Option<&[String]>,
    token_methods: Option<&[String]>,
) -> Result<AuthMethod, DiscoveryError> {
    let listed = introspection_methods.or(token_methods);
    let lists = |method: AuthMethod| listed.is_some_and(|l| l.iter().any(|m| m == method.as_str()));
    let unsupported = |value: &str| DiscoveryError::Unsupported {
        what: "introspection endpoint auth method",
        value: value.to_owned(),
        advertised: listed.map_or_else(
            || "client_secret_basic (by default)".into(),
            |l| l.join(", "),
        ),
    };
    match (configured, listed) {
        (Some(method), None) => Ok(method),
        (Some(method), Some(_)) if lists(method) => Ok(method),
        (Some(method), Some(_)) => Err(unsupported(method.as_str())),
        (None, None) if with_key => Ok(AuthMethod::PrivateKeyJwt),
        (None, None) => Ok(AuthMethod::ClientSecretBasic),
        (None, Some(_)) if with_key => [AuthMethod::PrivateKeyJwt]
            .into_iter()
            .find(|m| lists(*m))
            .ok_or_else(|| unsupported("private_key_jwt")),
        (None, Some(_)) => [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic]
            .into_iter()
            .find(|m| lists(*m))
            .ok_or_else(|| unsupported("client_secret_post or client_secret_basic")),
    }
}

/// The algorithm of the API's `private_key_jwt` assertions: the key's
/// first algorithm in `listed` (the introspection endpoint's
/// `..._auth_signing_alg_values_supported`, else the token endpoint's),
/// the key's first without a list.
pub(crate) fn assertion_algorithm(
    key: &ClientKey,
    listed: Option<&[String]>,
) -> Result<SigningAlgorithm, DiscoveryError> {
    key.algorithms()
        .iter()
        .copied()
        .find(|alg| listed.is_none_or(|l| l.iter().any(|a| a == alg.as_str())))
        .ok_or_else(|| DiscoveryError::Unsupported {
            what: "introspection endpoint auth signing alg",
            value: key
                .algorithms()
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            advertised: listed.map(|l| l.join(", ")).unwrap_or_default(),
        })
}

/// Whether `token` looks like a JWS in compact form: three parts, the
/// first a base64url JSON object (a JOSE header). Only decides where an
/// [`TokenValidation::Auto`] token goes; the JWT path checks it strictly.
pub(crate) fn is_jwt_shaped(token: &str) -> bool {
    use base64::Engine;
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .is_some_and(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).is_ok())
}

#[cfg(test)]
mod tests;
