//! The `tower-sessions` store on Redis, mirroring the in-memory
//! `web::MemoryStore`: each record expires at its expiry date.

use super::RedisStore;
use crate::error::StoreError;
use async_trait::async_trait;
use std::fmt;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result, SessionStore};

/// A `tower-sessions` store on Redis: key `{prefix}session:{id}`, the
/// record as JSON, expiring at the record's expiry date (every save moves
/// it: idle expiry). Shared by every instance, so a user's requests may
/// reach any of them. Its `Debug` shows no session data (it holds tokens).
/// Make it with [`RedisStore::session_store`]; `web::redis_session_layer`
/// adds the cookie settings.
#[derive(Clone)]
pub struct RedisSessionStore {
    redis: RedisStore,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("redis", &self.redis)
            .finish()
    }
}

impl RedisSessionStore {
    pub(crate) fn new(redis: RedisStore) -> Self {
        Self { redis }
    }

    /// The Redis key of session `id`.
    pub fn redis_key(&self, id: &Id) -> String {
        self.redis.key(&format!("session:{id}"))
    }

    /// Writes `record` until its expiry date; `only_new`: unless the key
    /// exists (`NX`). `false` if `NX` found the key taken.
    async fn write(&self, record: &Record, only_new: bool) -> Result<bool> {
        // serde_json's messages may quote data (tokens): fixed text instead.
        let json = serde_json::to_string(record)
            .map_err(|_| Error::Encode("the session record does not serialize".into()))?;
        let until_ms = i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000)
            .unwrap_or(i64::MAX)
            .max(1);
        let mut command = redis::cmd("SET");
        command.arg(self.redis_key(&record.id)).arg(json);
        if only_new {
            command.arg("NX");
        }
        command.arg("PXAT").arg(until_ms);
        let set: Option<String> = self.redis.run(&command).await.map_err(backend)?;
        Ok(set.is_some())
    }
}

fn backend(error: StoreError) -> Error {
    Error::Backend(error.to_string())
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits; a collision would hand one user's
        // session to another, so draw again rather than overwrite.
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> Result<()> {
        if record.expiry_date <= OffsetDateTime::now_utc() {
            return self.delete(&record.id).await;
        }
        self.write(record, false).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let json: Option<String> = self
            .redis
            .run(redis::cmd("GET").arg(self.redis_key(id)))
            .await
            .map_err(backend)?;
        json.map(|json| {
            serde_json::from_str(&json)
                .map_err(|_| Error::Decode("the stored session is not a session record".into()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.redis
            .run::<i64>(redis::cmd("DEL").arg(self.redis_key(id)))
            .await
            .map_err(backend)?;
        Ok(())
    }
}
