//! Single use across instances: the [`ReplayStore`] a [`Client`] asks
//! whether a login's `state` or a logout token's `jti` was used before.
//!
//! Without one, each [`Client`] remembers them in memory, which makes a
//! pending login and a logout token single use *on that instance* only.
//! Behind a load balancer, give every instance's client one shared store
//! ([`Client::with_replay_store`]; `redis::RedisReplayStore` with the
//! `redis` feature), so a callback replayed on another instance is refused
//! too.
//!
//! # Where the shared store is asked
//!
//! - **`state`**: [`Login::receive`](crate::Login::receive) stays
//!   synchronous and keeps the in-memory check (it refuses a replay on the
//!   same instance at once). [`Login::exchange`](crate::Login::exchange)
//!   asks the shared store *before* the code is sent to the token endpoint,
//!   so the code of a callback used elsewhere is never spent; a refusal is
//!   [`TokenError::Callback`](crate::TokenError::Callback). When the
//!   in-memory set is full and cannot vouch for a `state`, `receive` lets
//!   the shared store decide instead of refusing.
//! - **logout `jti`**: [`Client::verify_logout_token`] asks only the shared
//!   store when there is one, after every other check passed: a delivery
//!   that failed because the store was down (503) can be retried by the
//!   provider, which an in-memory record would refuse as a replay.
//!
//! A store that cannot answer is an error, never a "first use": an outage
//! refuses logins and logouts (503), it never lets a replay through.

use crate::error::StoreError;
use crate::util::{ExpiringSet, Insert, unix_now};
use std::fmt;

#[cfg(doc)]
use crate::Client;

pub use crate::logout::BoxFuture;

/// What a [`ReplayKey`] stands for: each kind is a namespace of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplayKind {
    /// A login's `state` (the pending login is single use).
    State,
    /// A back-channel logout token's `jti`.
    LogoutJti,
}

impl ReplayKind {
    /// A short name, for store keys and logs: `state`, `logout-jti`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::LogoutJti => "logout-jti",
        }
    }
}

/// A value that may be used once: its kind and the SHA-256 digest of the
/// value with the client it belongs to (issuer, client id). The value
/// itself (a `state` is a secret of its login) never reaches the store.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayKey {
    kind: ReplayKind,
    digest: [u8; 32],
}

impl ReplayKey {
    /// The key of the value made of `parts` (each length-prefixed, then
    /// hashed): a [`Client`] uses its issuer, its client id and the value.
    pub fn new(kind: ReplayKind, parts: &[&[u8]]) -> Self {
        Self {
            kind,
            digest: crate::util::digest_parts(parts),
        }
    }

    /// What the value is.
    pub fn kind(&self) -> ReplayKind {
        self.kind
    }

    /// The digest identifying the value.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The digest in lowercase hex, e.g. for a store key.
    pub fn hex(&self) -> String {
        self.digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for ReplayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayKey")
            .field("kind", &self.kind)
            .field("digest", &self.hex())
            .finish()
    }
}

/// What a [`ReplayStore`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FirstUse {
    /// Not seen before: recorded now.
    Yes,
    /// Seen before and not expired: a replay.
    No,
    /// The store forgot values that expire no earlier (it is bounded and
    /// was full): it cannot tell, so the value is refused.
    Unverifiable,
}

/// Remembers single-use values until they expire, for every instance that
/// shares it. Implementations must record atomically (of two concurrent
/// calls with one key, exactly one gets [`FirstUse::Yes`]), keep each key
/// at least until `expires_at`, and forget it some time after (nothing may
/// grow without bound). Errors must never be reported as a first use.
pub trait ReplayStore: Send + Sync + 'static {
    /// Records `key` until `expires_at` (seconds since the epoch) and says
    /// whether this is its first use.
    fn first_use<'a>(
        &'a self,
        key: &'a ReplayKey,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<FirstUse, StoreError>>;
}

/// The in-memory [`ReplayStore`]: one instance's, like the sets a
/// [`Client`] has without a shared store; bounded (the soonest-expiring
/// values are forgotten first, and values that may have been forgotten are
/// refused as [`FirstUse::Unverifiable`]).
#[derive(Debug)]
pub struct MemoryReplayStore {
    set: ExpiringSet,
}

impl MemoryReplayStore {
    /// A store of at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        Self {
            set: ExpiringSet::with_capacity(capacity),
        }
    }
}

impl ReplayStore for MemoryReplayStore {
    fn first_use<'a>(
        &'a self,
        key: &'a ReplayKey,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<FirstUse, StoreError>> {
        let kind = [key.kind.as_str().as_bytes(), &key.digest[..]];
        let found = match self.set.check_and_insert(&kind, expires_at, unix_now()) {
            Insert::Fresh => FirstUse::Yes,
            Insert::Seen => FirstUse::No,
            Insert::Unverifiable => FirstUse::Unverifiable,
        };
        Box::pin(std::future::ready(Ok(found)))
    }
}

#[cfg(test)]
mod tests;
