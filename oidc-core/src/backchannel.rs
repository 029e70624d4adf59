//! Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the
//! provider tells the application, server to server, that a user's session
//! at the provider ended, by POSTing a signed *logout token* to the
//! application's `backchannel_logout_uri`.
//!
//! Two parts, usable without any web framework:
//!
//! - [`Client::verify_logout_token`] checks a logout token (section 2.6).
//! - [`LogoutRegistry`] remembers which sessions ended, so that the
//!   application can end its own sessions the next time they are used
//!   (session stores generally cannot be searched by user). With the `axum`
//!   feature, `Oidc::backchannel_logout_path` serves the endpoint and the
//!   `SignedIn` extractor consults the registry.
//!
//! ```no_run
//! use oidc_core::backchannel::{LoggedOut, LogoutRegistry, MemoryLogoutRegistry};
//! use oidc_core::Client;
//!
//! # async fn handle(client: &Client, registry: &MemoryLogoutRegistry, logout_token: &str) -> u16 {
//! // POST {backchannel_logout_uri} with the form field `logout_token`:
//! match client.verify_logout_token(logout_token).await {
//!     Ok(token) => {
//!         // End the sessions it names: sessions check the registry on use.
//!         let _ = registry.record(LoggedOut::now(&token)).await;
//!         200
//!     }
//!     // Answer 400 with {"error":"invalid_request"} and Cache-Control: no-store.
//!     Err(_) => 400,
//! }
//! # }
//! ```
//!
//! # What is checked (section 2.6)
//!
//! - The JOSE header as for ID tokens (allow-listed algorithm, no `crit`,
//!   no embedded keys) and `typ`, when present, is `logout+jwt` (or
//!   `application/logout+jwt`): an ID token or access token is never taken
//!   for a logout token.
//! - The signature, with a key from the provider's JWKS.
//! - `iss` is the provider; `aud` contains the client id and no untrusted
//!   audience.
//! - `iat` is present, not in the future and not older than the maximum ID
//!   token age (10 minutes by default), with the clock tolerance; `exp`, if
//!   present, has not passed.
//! - `events` is an object whose member
//!   `http://schemas.openid.net/event/backchannel-logout` is an object.
//! - `sub` or `sid` (or both) is present; `nonce` is not (that would make it
//!   an ID token).
//! - `jti` is present and was not seen before by this [`Client`] (an
//!   in-memory replay cache, bounded, entries kept while the token could
//!   still be accepted).

use crate::claims;
use crate::client::Client;
use crate::config::SigningAlgorithm;
use crate::error::IdTokenError;
use crate::id_token::unix_now;
use crate::issuer::ExpectedIssuer;
use crate::jwks::JwksCache;
use crate::jws::CompactJws;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The member of `events` that makes a JWT a back-channel logout token.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A verified logout token.
#[derive(Debug, Clone, PartialEq)]
pub struct LogoutToken {
    /// `iss`: the provider.
    pub iss: String,
    /// `aud`: the audiences (always includes this client).
    pub aud: Vec<String>,
    /// `iat`: issue time, seconds since the epoch.
    pub iat: i64,
    /// `exp`: expiry, if sent.
    pub exp: Option<i64>,
    /// `jti`: the token's unique id.
    pub jti: String,
    /// `sub`: the user whose sessions ended, if sent. Without `sid`, every
    /// session of this user at this provider ends.
    pub sub: Option<String>,
    /// `sid`: the provider session that ended, if sent. Only sessions that
    /// began in it end.
    pub sid: Option<String>,
    /// Every claim, as received.
    pub raw: Map<String, Value>,
}

/// Why a logout token was refused. The endpoint answers `400` with
/// `{"error":"invalid_request"}` for all of them except
/// [`KeysUnavailable`](Self::KeysUnavailable) (a server problem: 503).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogoutTokenError {
    /// Not a well-formed JWS, or its header, algorithm, key or signature
    /// was refused (the same checks as for ID tokens).
    #[error("{0}")]
    Jws(IdTokenError),
    /// The provider's keys could not be fetched.
    #[error("cannot verify logout tokens now: {0}")]
    KeysUnavailable(String),
    /// `typ` is present and is not `logout+jwt`.
    #[error("the token's typ is `{0}`, not logout+jwt")]
    WrongType(String),
    /// A claim has the wrong type.
    #[error("invalid claims: {0}")]
    InvalidClaims(String),
    /// A required claim is missing.
    #[error("the required claim `{0}` is missing")]
    MissingClaim(&'static str),
    /// `iss` is not the provider.
    #[error("issuer `{found}` is not `{expected}`")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// `aud` does not contain this client.
    #[error("the audience does not include this client")]
    WrongAudience,
    /// `aud` contains an audience this client does not trust.
    #[error("the audience includes `{0}`, which this client does not trust")]
    UntrustedAudience(String),
    /// `exp` has passed.
    #[error("the logout token expired at {exp} (now {now})")]
    Expired {
        /// `exp`.
        exp: i64,
        /// The current time.
        now: i64,
    },
    /// `iat` is in the future.
    #[error("the logout token was issued in the future (iat {iat}, now {now})")]
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
    },
    /// `iat` is older than the maximum token age.
    #[error(
        "the logout token was issued too long ago (iat {iat}, now {now}, max age {max_age_secs}s)"
    )]
    TooOld {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
        /// The maximum age.
        max_age_secs: u64,
    },
    /// `events` lacks the back-channel logout event (or it is not an object).
    #[error("`events` has no `{BACKCHANNEL_LOGOUT_EVENT}` object: this is not a logout token")]
    MissingEvent,
    /// Neither `sub` nor `sid` is present.
    #[error("the logout token has neither `sub` nor `sid`")]
    NoSubject,
    /// `nonce` is present, which logout tokens must not carry.
    #[error("the logout token carries a `nonce` (forbidden: it would be an ID token)")]
    NonceForbidden,
    /// This `jti` was already accepted: a replay.
    #[error("this logout token (jti) was already used")]
    Replayed,
}

claims::claim_errors_into!(LogoutTokenError);

impl LogoutTokenError {
    fn from_jws(error: IdTokenError) -> Self {
        match error {
            IdTokenError::Jwks(reason) => Self::KeysUnavailable(reason),
            IdTokenError::InvalidClaims(reason) => Self::InvalidClaims(reason),
            other => Self::Jws(other),
        }
    }
}

/// The checks of one verification, from the client's configuration.
#[derive(Debug, Clone)]
pub(crate) struct LogoutExpectations<'a> {
    pub(crate) issuer: &'a ExpectedIssuer,
    pub(crate) client_id: &'a str,
    pub(crate) trusted_audiences: &'a [String],
    pub(crate) algorithms: &'a [SigningAlgorithm],
    pub(crate) clock_tolerance: Duration,
    pub(crate) max_token_age: Duration,
    pub(crate) now: i64,
}

impl Client {
    /// Verifies a back-channel logout token (the `logout_token` form field
    /// of the provider's POST): see the [module documentation](crate::backchannel)
    /// for every check. A token is accepted once: its `jti` is remembered.
    pub async fn verify_logout_token(&self, token: &str) -> Result<LogoutToken, LogoutTokenError> {
        let config = self.config();
        let expect = LogoutExpectations {
            issuer: self.expected_issuer(),
            client_id: &config.client_id,
            trusted_audiences: &config.trusted_audiences,
            algorithms: self.id_token_algorithms(),
            clock_tolerance: config.limits.clock_tolerance,
            max_token_age: config.limits.max_id_token_age,
            now: unix_now(),
        };
        verify(token, self.jwks(), &expect, self.logout_replay_cache()).await
    }
}

/// Verifies a logout token; on success its `jti` is recorded in `replay`.
pub(crate) async fn verify(
    token: &str,
    jwks: &JwksCache,
    expect: &LogoutExpectations<'_>,
    replay: &ReplayCache,
) -> Result<LogoutToken, LogoutTokenError> {
    let jws = CompactJws::parse(token, expect.algorithms).map_err(LogoutTokenError::from_jws)?;
    if let Some(typ) = &jws.header.typ {
        let lower = typ.to_ascii_lowercase();
        if lower != "logout+jwt" && lower != "application/logout+jwt" {
            return Err(LogoutTokenError::WrongType(typ.clone()));
        }
    }
    jws.verify_signature(jwks)
        .await
        .map_err(LogoutTokenError::from_jws)?;
    let claims = jws.claims().map_err(LogoutTokenError::from_jws)?;
    let token = LogoutToken::from_map(claims)?;
    token.check(expect)?;
    let tolerance = secs(expect.clock_tolerance);
    let acceptable_until = token
        .iat
        .saturating_add(secs(expect.max_token_age))
        .max(token.exp.unwrap_or(i64::MIN))
        .saturating_add(tolerance);
    if !replay.insert(&token.iss, &token.jti, acceptable_until, expect.now) {
        return Err(LogoutTokenError::Replayed);
    }
    Ok(token)
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

impl LogoutToken {
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, LogoutTokenError> {
        Ok(Self {
            iss: claims::required_string(&raw, "iss")?,
            aud: claims::audiences(&raw)?,
            iat: claims::required_time(&raw, "iat")?,
            exp: claims::time(&raw, "exp")?,
            jti: claims::required_string(&raw, "jti")?,
            sub: claims::string(&raw, "sub")?,
            sid: claims::string(&raw, "sid")?,
            raw,
        })
    }

    fn check(&self, expect: &LogoutExpectations<'_>) -> Result<(), LogoutTokenError> {
        let tid = claims::string(&self.raw, "tid")?;
        if !expect.issuer.accepts(&self.iss, tid.as_deref()) {
            return Err(LogoutTokenError::WrongIssuer {
                expected: expect.issuer.describe().to_owned(),
                found: self.iss.clone(),
            });
        }
        if !self.aud.iter().any(|a| a == expect.client_id) {
            return Err(LogoutTokenError::WrongAudience);
        }
        if let Some(untrusted) = self
            .aud
            .iter()
            .find(|a| *a != expect.client_id && !expect.trusted_audiences.contains(a))
        {
            return Err(LogoutTokenError::UntrustedAudience(untrusted.clone()));
        }
        let now = expect.now;
        let tolerance = secs(expect.clock_tolerance);
        if self.iat > now.saturating_add(tolerance) {
            return Err(LogoutTokenError::IssuedInFuture { iat: self.iat, now });
        }
        let max_age = secs(expect.max_token_age);
        if now.saturating_sub(self.iat) > max_age.saturating_add(tolerance) {
            return Err(LogoutTokenError::TooOld {
                iat: self.iat,
                now,
                max_age_secs: expect.max_token_age.as_secs(),
            });
        }
        if let Some(exp) = self.exp
            && now.saturating_sub(tolerance) >= exp
        {
            return Err(LogoutTokenError::Expired { exp, now });
        }
        match self.raw.get("events") {
            Some(Value::Object(events)) => match events.get(BACKCHANNEL_LOGOUT_EVENT) {
                Some(Value::Object(_)) => {}
                _ => return Err(LogoutTokenError::MissingEvent),
            },
            None => return Err(LogoutTokenError::MissingEvent),
            Some(_) => {
                return Err(LogoutTokenError::InvalidClaims(
                    "`events` must be an object".into(),
                ));
            }
        }
        if self.sub.is_none() && self.sid.is_none() {
            return Err(LogoutTokenError::NoSubject);
        }
        if self.raw.contains_key("nonce") {
            return Err(LogoutTokenError::NonceForbidden);
        }
        Ok(())
    }
}

/// The `jti`s of accepted logout tokens, each until the token could no
/// longer be accepted anyway. Bounded: when full, expired entries go first,
/// then those expiring soonest.
#[derive(Debug)]
pub(crate) struct ReplayCache {
    seen: Mutex<HashMap<[u8; 32], i64>>,
    capacity: usize,
}

impl Default for ReplayCache {
    fn default() -> Self {
        Self::new(10_000)
    }
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// Records `jti` of `issuer` until `expires_at`. `false` if it is
    /// already there (a replay).
    pub(crate) fn insert(&self, issuer: &str, jti: &str, expires_at: i64, now: i64) -> bool {
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        context.update(issuer.as_bytes());
        context.update(&[0]);
        context.update(jti.as_bytes());
        let mut key = [0u8; 32];
        key.copy_from_slice(context.finish().as_ref());
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.get(&key).is_some_and(|expiry| *expiry >= now) {
            return false;
        }
        if seen.len() >= self.capacity {
            seen.retain(|_, expiry| *expiry >= now);
        }
        while seen.len() >= self.capacity {
            let Some(soonest) = seen
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(k, _)| *k)
            else {
                break;
            };
            seen.remove(&soonest);
        }
        seen.insert(key, expires_at);
        true
    }
}

/// Milliseconds since the epoch.
pub(crate) fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A boxed future, as returned by [`LogoutRegistry`] methods (so that the
/// trait can be used as `dyn LogoutRegistry`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An error of a [`LogoutRegistry`] backend (e.g. a shared store that is
/// unreachable).
pub type RegistryError = Box<dyn std::error::Error + Send + Sync>;

/// A logout to remember: from a verified [`LogoutToken`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOut {
    /// The provider.
    pub issuer: String,
    /// The user, when the logout is for all of their sessions (no `sid`).
    pub sub: Option<String>,
    /// The provider session that ended, if the token named one; then only
    /// sessions begun in it end.
    pub sid: Option<String>,
    /// When the logout was received, milliseconds since the epoch: a
    /// `sub`-wide logout ends the sessions signed in before it.
    pub at_ms: i64,
}

impl LoggedOut {
    /// The logout a token describes, received now.
    pub fn now(token: &LogoutToken) -> Self {
        Self {
            issuer: token.iss.clone(),
            sub: token.sub.clone(),
            sid: token.sid.clone(),
            at_ms: unix_now_ms(),
        }
    }
}

/// A signed-in session of the application, as the registry sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionInfo<'a> {
    /// The provider.
    pub issuer: &'a str,
    /// The user.
    pub sub: &'a str,
    /// The provider session (`sid` of the ID token at sign-in), if known.
    pub sid: Option<&'a str>,
    /// When the user signed in to the application, milliseconds since the epoch.
    pub signed_in_at_ms: i64,
}

/// Remembers back-channel logouts until the sessions they end are next used.
///
/// A session ended if a logout named its provider session (`sid`), or named
/// its user (`sub`, without `sid`) after it signed in.
///
/// The web glue keeps one in its `Oidc` value, an in-memory
/// [`MemoryLogoutRegistry`] by default. **With several instances** of the
/// application, the provider's POST reaches only one of them: implement
/// this trait over a store they share (Redis, your database) and give it to
/// every instance, or logged-out sessions stay alive on the others.
pub trait LogoutRegistry: Send + Sync + 'static {
    /// Remembers a logout.
    fn record(&self, logout: LoggedOut) -> BoxFuture<'_, Result<(), RegistryError>>;

    /// Whether `session` was ended by a remembered logout.
    fn is_logged_out<'a>(
        &'a self,
        session: SessionInfo<'a>,
    ) -> BoxFuture<'a, Result<bool, RegistryError>>;
}

/// The in-memory [`LogoutRegistry`]: for one instance. Entries are kept for
/// `retention` (default one day, the idle expiry of
/// `web::memory_session_layer`: a session idle for longer has expired
/// anyway); set it to your session lifetime. At most `capacity` entries
/// (default 100,000; the oldest are dropped first, with a warning).
#[derive(Debug)]
pub struct MemoryLogoutRegistry {
    state: Mutex<RegistryState>,
    retention_ms: i64,
    capacity: usize,
}

#[derive(Debug, Default)]
struct RegistryState {
    /// issuer → sid → logout time (ms).
    sids: HashMap<String, HashMap<String, i64>>,
    /// issuer → sub → logout time (ms).
    subs: HashMap<String, HashMap<String, i64>>,
    len: usize,
}

impl Default for MemoryLogoutRegistry {
    fn default() -> Self {
        Self::new(Duration::from_secs(24 * 60 * 60))
    }
}

impl MemoryLogoutRegistry {
    /// A registry keeping entries for `retention` (at least your session lifetime).
    pub fn new(retention: Duration) -> Self {
        Self {
            state: Mutex::new(RegistryState::default()),
            retention_ms: i64::try_from(retention.as_millis()).unwrap_or(i64::MAX),
            capacity: 100_000,
        }
    }

    /// The most entries kept (default 100,000).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// The number of remembered logouts.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).len
    }

    /// Whether no logout is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn record_now(&self, logout: LoggedOut, now_ms: i64) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.len >= self.capacity {
            let oldest_kept = now_ms.saturating_sub(self.retention_ms);
            state.prune(|at| at >= oldest_kept);
        }
        while state.len >= self.capacity {
            let Some(oldest) = state.oldest() else { break };
            tracing::warn!(
                capacity = self.capacity,
                "the logout registry is full: forgetting the oldest logout; raise its capacity"
            );
            state.prune(|at| at > oldest);
        }
        let (map, key) = match (logout.sid, logout.sub) {
            (Some(sid), _) => (&mut state.sids, sid),
            (None, Some(sub)) => (&mut state.subs, sub),
            (None, None) => return,
        };
        let previous = map
            .entry(logout.issuer)
            .or_default()
            .insert(key, logout.at_ms);
        if previous.is_none() {
            state.len += 1;
        }
    }

    fn check_now(&self, session: SessionInfo<'_>, now_ms: i64) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = |at: &i64| now_ms.saturating_sub(*at) <= self.retention_ms;
        let by_sid = session
            .sid
            .and_then(|sid| state.sids.get(session.issuer)?.get(sid))
            .is_some_and(fresh);
        let by_sub = state
            .subs
            .get(session.issuer)
            .and_then(|subs| subs.get(session.sub))
            .is_some_and(|at| fresh(at) && *at >= session.signed_in_at_ms);
        by_sid || by_sub
    }
}

impl RegistryState {
    fn prune(&mut self, keep: impl Fn(i64) -> bool) {
        let mut len = 0;
        for map in [&mut self.sids, &mut self.subs] {
            for entries in map.values_mut() {
                entries.retain(|_, at| keep(*at));
                len += entries.len();
            }
            map.retain(|_, entries| !entries.is_empty());
        }
        self.len = len;
    }

    fn oldest(&self) -> Option<i64> {
        [&self.sids, &self.subs]
            .into_iter()
            .flat_map(|map| map.values())
            .flat_map(|entries| entries.values().copied())
            .min()
    }
}

impl LogoutRegistry for MemoryLogoutRegistry {
    fn record(&self, logout: LoggedOut) -> BoxFuture<'_, Result<(), RegistryError>> {
        self.record_now(logout, unix_now_ms());
        Box::pin(std::future::ready(Ok(())))
    }

    fn is_logged_out<'a>(
        &'a self,
        session: SessionInfo<'a>,
    ) -> BoxFuture<'a, Result<bool, RegistryError>> {
        let ended = self.check_now(session, unix_now_ms());
        Box::pin(std::future::ready(Ok(ended)))
    }
}

#[cfg(test)]
#[path = "backchannel_tests.rs"]
mod tests;
