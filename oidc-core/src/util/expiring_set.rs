//! A set of seen values that forget themselves when they expire: the
//! single-use `state` registry and the logout-token `jti` replay cache.

use std::collections::HashMap;
use std::sync::Mutex;

/// Values (kept as SHA-256 digests, so their size is fixed and their
/// content not retained), each until its expiry.
///
/// Expired entries are dropped when the set has doubled since the last
/// sweep, so an insert costs O(1) amortized however many values are live
/// (sweeping at a fixed size would scan every live entry on every insert
/// once that many are live).
///
/// With a capacity, a full set first drops the expired entries, then, if
/// that frees less than an eighth of it, the soonest-expiring live entries
/// until an eighth is free: one O(n) pass buys n/8 inserts, so a full set
/// stays O(1) amortized per insert too.
///
/// Forgetting a live value must not let its replay through, so the set
/// remembers the latest expiry it ever evicted (the *floor*) and refuses
/// any value that expires no later ([`Insert::Unverifiable`]): such a value
/// may be one it forgot. A value is always presented with the expiry it
/// was first inserted with (a login's sealed `expires_at`, a logout
/// token's own times), so a replay of an evicted value always falls under
/// the floor. Evicting the soonest-expiring (rather than refusing every
/// new value while full) means a flood of fresh values costs only the
/// oldest pending values their acceptance, and new ones keep working.
#[derive(Debug)]
pub(crate) struct ExpiringSet {
    entries: Mutex<Entries>,
    capacity: usize,
}

#[derive(Debug)]
struct Entries {
    expiry_by_digest: HashMap<[u8; 32], i64>,
    sweep_at: usize,
    /// The latest expiry of a live entry evicted to make room.
    floor: Option<i64>,
}

/// What [`ExpiringSet::check_and_insert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Insert {
    /// New: recorded now.
    Fresh,
    /// Seen before, not expired.
    Seen,
    /// Its expiry is not later than that of a live value the set evicted
    /// when full: it may have been seen, and the set cannot tell.
    Unverifiable,
}

impl ExpiringSet {
    const MIN_SWEEP: usize = 1024;

    /// A set bounded only by expiry.
    #[cfg(test)]
    pub(crate) fn unbounded() -> Self {
        Self::with_capacity(usize::MAX)
    }

    /// A set of at most `capacity` values.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(Entries {
                expiry_by_digest: HashMap::new(),
                sweep_at: Self::MIN_SWEEP,
                floor: None,
            }),
            capacity: capacity.max(1),
        }
    }

    /// Records the value made of `parts` (joined unambiguously) until
    /// `expires_at`. `false` if it may have been seen before: it is there
    /// and not expired at `now`, or the set cannot tell
    /// ([`Insert::Unverifiable`]).
    pub(crate) fn insert(&self, parts: &[&[u8]], expires_at: i64, now: i64) -> bool {
        self.check_and_insert(parts, expires_at, now) == Insert::Fresh
    }

    /// [`ExpiringSet::insert`], saying why a value was refused.
    pub(crate) fn check_and_insert(&self, parts: &[&[u8]], expires_at: i64, now: i64) -> Insert {
        let digest = super::digest_parts(parts);

        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries
            .expiry_by_digest
            .get(&digest)
            .is_some_and(|e| *e >= now)
        {
            return Insert::Seen;
        }
        if entries.floor.is_some_and(|floor| expires_at <= floor) {
            return Insert::Unverifiable;
        }
        if entries.expiry_by_digest.len() >= entries.sweep_at.min(self.capacity) {
            entries.sweep(now, self.capacity);
        }
        entries.expiry_by_digest.insert(digest, expires_at);
        Insert::Fresh
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .expiry_by_digest
            .len()
    }

    #[cfg(test)]
    fn sweep_at(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .sweep_at
    }
}

impl Entries {
    /// Drops the expired entries; then, if fewer than `capacity / 8` (at
    /// least one) places are free, the soonest-expiring live entries until
    /// that many are, raising the floor to the latest expiry dropped.
    fn sweep(&mut self, now: i64, capacity: usize) {
        self.expiry_by_digest.retain(|_, expiry| *expiry >= now);
        let batch = (capacity / 8).max(1);
        let keep = capacity.saturating_sub(batch);
        if self.expiry_by_digest.len() > keep {
            let excess = self.expiry_by_digest.len() - keep;
            let mut expiries: Vec<i64> = self.expiry_by_digest.values().copied().collect();
            // The `excess`-th smallest expiry: everything up to it goes
            // (ties included, so a little more than `excess` may).
            let (_, threshold, _) = expiries.select_nth_unstable(excess - 1);
            let threshold = *threshold;
            self.expiry_by_digest
                .retain(|_, expiry| *expiry > threshold);
            self.floor = Some(self.floor.map_or(threshold, |f| f.max(threshold)));
        }
        self.sweep_at = (self.expiry_by_digest.len() * 2).max(ExpiringSet::MIN_SWEEP);
    }
}

#[cfg(test)]
mod tests;
