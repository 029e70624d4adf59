//! Remembering back-channel logouts until the sessions they end are next
//! used: the [`LogoutRegistry`] trait and its in-memory implementation.

use super::backchannel::LogoutToken;
use crate::util::unix_now_ms;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// A boxed future, as returned by [`LogoutRegistry`] methods (so that the
/// trait can be used as `dyn LogoutRegistry`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An error of a [`LogoutRegistry`] backend (e.g. a shared store that is
/// unreachable).
pub type RegistryError = Box<dyn std::error::Error + Send + Sync>;

/// A logout to remember: from a verified [`LogoutToken`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggedOut {
    /// The provider.
    pub issuer: String,
    /// The user. Without `sid`, every session of the user signed in before
    /// `at_ms` ends; with `sid`, those of their sessions that have no
    /// recorded `sid` (a provider that sends `sid` only in logout tokens).
    pub sub: Option<String>,
    /// The provider session that ended, if the token named one; then the
    /// sessions begun in it end.
    pub sid: Option<String>,
    /// When the logout took effect, milliseconds since the epoch: a
    /// `sub`-wide logout ends the sessions signed in up to then.
    pub at_ms: i64,
}

impl LoggedOut {
    /// A logout of `sub` and/or `sid` at `issuer`, effective at `at_ms`
    /// (milliseconds since the epoch): e.g. to test a [`LogoutRegistry`].
    /// A verified token gives one with [`LoggedOut::from_token`].
    pub fn new(
        issuer: impl Into<String>,
        sub: Option<String>,
        sid: Option<String>,
        at_ms: i64,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            sub,
            sid,
            at_ms,
        }
    }

    /// The logout a token describes, effective at its `iat`: sessions the
    /// user starts after logging out survive a token that arrives late (a
    /// slow or retried delivery, a replay).
    ///
    /// `iat` counts whole seconds and the token is issued after the logout,
    /// so the logout happened before the end of that second: the logout
    /// takes effect then (a session signed in during that second ends, the
    /// safe side). That time is capped at the time of the call, as
    /// verification accepts an `iat` up to the clock tolerance in the future;
    /// verification also bounds it in the past (the maximum token age).
    pub fn from_token(token: &LogoutToken) -> Self {
        Self::from_token_at(token, unix_now_ms())
    }

    fn from_token_at(token: &LogoutToken, now_ms: i64) -> Self {
        let end_of_iat_ms = token.iat.saturating_mul(1000).saturating_add(999);
        Self {
            issuer: token.iss.clone(),
            sub: token.sub.clone(),
            sid: token.sid.clone(),
            at_ms: end_of_iat_ms.min(now_ms),
        }
    }
}

/// A signed-in session of the application, as the registry sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

impl<'a> SessionInfo<'a> {
    /// A session of `sub` at `issuer`, begun in provider session `sid`
    /// (if known) at `signed_in_at_ms`: e.g. to test a [`LogoutRegistry`].
    pub fn new(issuer: &'a str, sub: &'a str, sid: Option<&'a str>, signed_in_at_ms: i64) -> Self {
        Self {
            issuer,
            sub,
            sid,
            signed_in_at_ms,
        }
    }
}

/// Remembers back-channel logouts until the sessions they end are next used.
///
/// A session ended if a logout named its provider session (`sid`), or named
/// its user (`sub`, without `sid`) after it signed in, or named its user
/// with a `sid` after it signed in while the session has no recorded `sid`
/// (it cannot be matched by `sid`, so ending it is the safe side).
///
/// The web glue keeps one in its `Oidc` value, an in-memory
/// [`MemoryLogoutRegistry`] by default. **With several instances** of the
/// application, the provider's POST reaches only one of them: give every
/// instance a registry they share (`redis::RedisLogoutRegistry` with the
/// `redis` feature, or this trait over your database), or logged-out
/// sessions stay alive on the others.
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
/// (default 100,000; the oldest are dropped first, with a warning); a
/// logout naming both `sid` and `sub` takes two.
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
    /// issuer → sub → logout time (ms), for every session of the user.
    subs: HashMap<String, HashMap<String, i64>>,
    /// issuer → sub → logout time (ms) of logouts that named a `sid` too:
    /// for the user's sessions with no recorded `sid`.
    sidless_subs: HashMap<String, HashMap<String, i64>>,
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
        // A logout naming both `sid` and `sub` takes two entries.
        let needed = match (&logout.sid, &logout.sub) {
            (Some(_), Some(_)) => 2,
            (None, None) => 0,
            _ => 1,
        };
        if state.len + needed > self.capacity {
            let oldest_kept = now_ms.saturating_sub(self.retention_ms);
            state.prune(|at| at >= oldest_kept);
        }
        while state.len + needed > self.capacity {
            let Some(oldest) = state.oldest() else { break };
            tracing::warn!(
                capacity = self.capacity,
                "the logout registry is full: forgetting the oldest logout; raise its capacity"
            );
            state.prune(|at| at > oldest);
        }
        let at = logout.at_ms;
        match (logout.sid, logout.sub) {
            (Some(sid), sub) => {
                state.remember(Map::Sids, &logout.issuer, sid, at);
                if let Some(sub) = sub {
                    state.remember(Map::SidlessSubs, &logout.issuer, sub, at);
                }
            }
            (None, Some(sub)) => state.remember(Map::Subs, &logout.issuer, sub, at),
            (None, None) => {}
        }
    }

    fn check_now(&self, session: SessionInfo<'_>, now_ms: i64) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = |at: &i64| now_ms.saturating_sub(*at) <= self.retention_ms;
        let by_sid = session
            .sid
            .and_then(|sid| state.sids.get(session.issuer)?.get(sid))
            .is_some_and(fresh);
        let after_sign_in = |map: &HashMap<String, HashMap<String, i64>>| {
            map.get(session.issuer)
                .and_then(|subs| subs.get(session.sub))
                .is_some_and(|at| fresh(at) && *at >= session.signed_in_at_ms)
        };
        let by_sub = after_sign_in(&state.subs);
        let by_sub_without_sid = session.sid.is_none() && after_sign_in(&state.sidless_subs);
        by_sid || by_sub || by_sub_without_sid
    }
}

/// One of the registry's maps.
#[derive(Debug, Clone, Copy)]
enum Map {
    Sids,
    Subs,
    SidlessSubs,
}

impl RegistryState {
    /// Records a logout time under `key`. A key already there keeps the
    /// later time: with times from `iat`, an older token arriving after a
    /// newer one must not shorten the newer logout.
    fn remember(&mut self, map: Map, issuer: &str, key: String, at_ms: i64) {
        let map = match map {
            Map::Sids => &mut self.sids,
            Map::Subs => &mut self.subs,
            Map::SidlessSubs => &mut self.sidless_subs,
        };
        let entries = map.entry(issuer.to_owned()).or_default();
        match entries.entry(key) {
            Entry::Occupied(mut entry) => {
                let kept = (*entry.get()).max(at_ms);
                entry.insert(kept);
            }
            Entry::Vacant(entry) => {
                entry.insert(at_ms);
                self.len += 1;
            }
        }
    }

    fn prune(&mut self, keep: impl Fn(i64) -> bool) {
        let mut len = 0;
        for map in [&mut self.sids, &mut self.subs, &mut self.sidless_subs] {
            for entries in map.values_mut() {
                entries.retain(|_, at| keep(*at));
                len += entries.len();
            }
            map.retain(|_, entries| !entries.is_empty());
        }
        self.len = len;
    }

    fn oldest(&self) -> Option<i64> {
        [&self.sids, &self.subs, &self.sidless_subs]
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
mod tests;
