//! Remembering back-channel logouts until the sessions they end are next
//! used: the [`LogoutRegistry`] trait and its in-memory implementation.

use super::backchannel::LogoutToken;
use crate::util::unix_now_ms;
use std::collections::HashMap;
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
mod tests;
