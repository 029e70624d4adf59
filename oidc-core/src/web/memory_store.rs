//! The in-memory session store of [`memory_session_layer`](super::memory_session_layer).

use async_trait::async_trait;
use moka::Expiry;
use moka::sync::Cache;
use std::fmt;
use std::time::{Duration, Instant};
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

/// An in-memory `tower-sessions` store for one instance that forgets
/// expired sessions and holds a bounded number (`tower-sessions`' own
/// `MemoryStore` keeps every session ever created). Its `Debug` shows a
/// count, never session data (which holds tokens).
#[derive(Clone)]
pub struct MemoryStore {
    cache: Cache<Id, Record>,
}

impl MemoryStore {
    /// A store keeping at most `capacity` sessions; beyond it the least
    /// used are evicted (those users sign in again).
    pub fn new(capacity: u64) -> Self {
        Self {
            cache: Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExpiryDate)
                .build(),
        }
    }

    /// The number of sessions held, after pending evictions and expiries
    /// are applied (moka's timer wheel removes an expired session within
    /// about two seconds).
    pub fn len(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("sessions", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits; a collision would hand one user's
        // session to another, so draw again rather than overwrite.
        while self.cache.contains_key(&record.id) {
            record.id = Id::default();
        }
        self.cache.insert(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        if record.expiry_date <= OffsetDateTime::now_utc() {
            self.cache.invalidate(&record.id);
            return Ok(());
        }
        self.cache.insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        Ok(self.cache.get(id))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.cache.invalidate(id);
        Ok(())
    }
}

/// Each session lives until its record's expiry date, which every save
/// moves (idle expiry).
struct UntilExpiryDate;

impl UntilExpiryDate {
    fn remaining(record: &Record) -> Option<Duration> {
        let left = record.expiry_date - OffsetDateTime::now_utc();
        // Already expired: zero, which moka treats as gone at once.
        Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
    }
}

impl Expiry<Id, Record> for UntilExpiryDate {
    fn expire_after_create(&self, _: &Id, record: &Record, _: Instant) -> Option<Duration> {
        Self::remaining(record)
    }

    fn expire_after_update(
        &self,
        _: &Id,
        record: &Record,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Self::remaining(record)
    }
}

#[cfg(test)]
mod tests;
