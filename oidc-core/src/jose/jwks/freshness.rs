//! How long fetched keys may be trusted: the provider's `Cache-Control`
//! (RFC 9111 section 5.2.2), clamped to the configured range, and the
//! cache's clock.
//!
//! A provider withdraws a key by removing it from its JWKS; a client that
//! never looks again trusts the key forever. Every fetched set therefore
//! expires, and the next verification after that refetches it.

use crate::config::Limits;
use headers::{Age, CacheControl, HeaderMapExt as _};
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::time::{Duration, Instant};

/// How long expired keys are still served while their refetch fails (the
/// provider's JWKS endpoint being down must not fail every login at once),
/// retried at most once per cooldown meanwhile. After it the keys are
/// refused: a withdrawn key stops being trusted within its max age plus
/// this grace, whatever the network does.
pub(crate) const STALE_GRACE: Duration = Duration::from_secs(5 * 60);

/// The refetch rules of a JWKS cache, from the client's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JwksPolicy {
    /// The minimum time between two refetches caused by unknown `kid`s,
    /// and between a failed fetch and the next attempt.
    pub(crate) cooldown: Duration,
    /// The lifetime of keys served without a usable `max-age`.
    pub(crate) default_max_age: Duration,
    /// The shortest lifetime, whatever the provider says (`no-store`,
    /// `no-cache` and `max-age=0` get this): bounds the load on the provider.
    pub(crate) min_max_age: Duration,
    /// The longest lifetime, whatever the provider says: bounds how long a
    /// withdrawn key stays trusted.
    pub(crate) max_max_age: Duration,
}

impl JwksPolicy {
    /// The policy a configuration's limits describe.
    pub(crate) fn from_limits(limits: &Limits) -> Self {
        Self {
            cooldown: limits.jwks_refresh_cooldown,
            default_max_age: limits.jwks_max_age,
            min_max_age: limits.jwks_min_max_age,
            max_max_age: limits.jwks_max_max_age,
        }
    }

    /// How long a JWKS response's keys stay fresh, counted from the start
    /// of the request: its `max-age` less its `Age` (time already spent in
    /// caches on the way), the minimum for `no-store` or `no-cache`, the
    /// default without `max-age` or for a header that does not parse;
    /// always within the configured range. `s-maxage` is for shared caches
    /// and `Expires` is not read: this cache is private, and every provider
    /// that states a lifetime states `max-age`.
    pub(crate) fn lifetime(&self, headers: &HeaderMap) -> Duration {
        let wanted = match cache_control(headers) {
            Some(cc) if cc.no_store() || cc.no_cache() => Duration::ZERO,
            Some(cc) => match cc.max_age() {
                Some(max_age) => {
                    let age = headers.typed_get::<Age>().map_or(0, |age| age.as_secs());
                    max_age.saturating_sub(Duration::from_secs(age))
                }
                None => self.default_max_age,
            },
            None => self.default_max_age,
        };
        wanted.clamp(self.min_max_age, self.max_max_age)
    }
}

impl Default for JwksPolicy {
    fn default() -> Self {
        Self::from_limits(&Limits::default())
    }
}

/// The `Cache-Control` header, directives compared case-insensitively as
/// RFC 9111 section 5.2 requires (the `headers` crate compares them as
/// written). `None` when absent or malformed.
fn cache_control(headers: &HeaderMap) -> Option<CacheControl> {
    let mut lowered = HeaderMap::new();
    for value in headers.get_all(header::CACHE_CONTROL) {
        let value = value.to_str().ok()?.to_ascii_lowercase();
        lowered.append(header::CACHE_CONTROL, HeaderValue::from_str(&value).ok()?);
    }
    lowered.typed_get::<CacheControl>()
}

/// The cache's clock: monotonic, so that a wall-clock jump neither expires
/// nor revives keys. Unit tests move it forward instead of sleeping.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    #[cfg(test)]
    ahead: std::sync::Mutex<Duration>,
}

impl Clock {
    /// Now.
    pub(crate) fn now(&self) -> Instant {
        let now = Instant::now();
        #[cfg(test)]
        let now = now + *self.ahead.lock().unwrap_or_else(|p| p.into_inner());
        now
    }

    /// Moves this clock `by` into the future.
    #[cfg(test)]
    pub(crate) fn advance(&self, by: Duration) {
        *self.ahead.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

#[cfg(test)]
mod tests;
