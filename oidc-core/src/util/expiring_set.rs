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
/// once that many are live). With a capacity, a full set first drops the
/// expired entries, then those expiring soonest.
#[derive(Debug)]
pub(crate) struct ExpiringSet {
    entries: Mutex<Entries>,
    capacity: usize,
}

#[derive(Debug)]
struct Entries {
    expiry_by_digest: HashMap<[u8; 32], i64>,
    sweep_at: usize,
}

impl ExpiringSet {
    const MIN_SWEEP: usize = 1024;

    /// A set bounded only by expiry.
    pub(crate) fn unbounded() -> Self {
        Self::with_capacity(usize::MAX)
    }

    /// A set of at most `capacity` values.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(Entries {
                expiry_by_digest: HashMap::new(),
                sweep_at: Self::MIN_SWEEP,
            }),
            capacity: capacity.max(1),
        }
    }

    /// Records the value made of `parts` (joined unambiguously) until
    /// `expires_at`. `false` if it is already there and not expired at
    /// `now`: the value was seen before.
    pub(crate) fn insert(&self, parts: &[&[u8]], expires_at: i64, now: i64) -> bool {
        let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for part in parts {
            context.update(&(part.len() as u64).to_be_bytes());
            context.update(part);
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(context.finish().as_ref());

        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Entries {
            expiry_by_digest,
            sweep_at,
        } = &mut *entries;
        if expiry_by_digest.get(&digest).is_some_and(|e| *e >= now) {
            return false;
        }
        if expiry_by_digest.len() >= (*sweep_at).min(self.capacity) {
            expiry_by_digest.retain(|_, expiry| *expiry >= now);
            *sweep_at = (expiry_by_digest.len() * 2).max(Self::MIN_SWEEP);
        }
        while expiry_by_digest.len() >= self.capacity {
            let Some(soonest) = expiry_by_digest
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(digest, _)| *digest)
            else {
                break;
            };
            expiry_by_digest.remove(&soonest);
        }
        expiry_by_digest.insert(digest, expires_at);
        true
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

#[cfg(test)]
mod tests;
