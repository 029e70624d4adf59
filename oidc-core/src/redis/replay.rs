//! Used `state`s and logout `jti`s on Redis: one `SET NX EXAT` per use.

use super::RedisStore;
use crate::error::StoreError;
use crate::replay::{BoxFuture, FirstUse, ReplayKey, ReplayStore};

/// The [`ReplayStore`] on Redis: key `{prefix}used:{kind}:{digest}`, set
/// only if absent (atomic across instances), expiring at the value's
/// expiry plus the clock-skew margin. Make it with
/// [`RedisStore::replay_store`].
#[derive(Debug, Clone)]
pub struct RedisReplayStore {
    redis: RedisStore,
}

impl RedisReplayStore {
    pub(crate) fn new(redis: RedisStore) -> Self {
        Self { redis }
    }

    /// The Redis key of `key`.
    pub fn redis_key(&self, key: &ReplayKey) -> String {
        self.redis
            .key(&format!("used:{}:{}", key.kind().as_str(), key.hex()))
    }

    async fn record(&self, key: &ReplayKey, expires_at: i64) -> Result<FirstUse, StoreError> {
        // EXAT must be positive; a value already expired lives one second.
        let until = expires_at
            .saturating_add(self.redis.skew_margin_secs())
            .max(1);
        let set: Option<String> = self
            .redis
            .run(
                redis::cmd("SET")
                    .arg(self.redis_key(key))
                    .arg(1)
                    .arg("NX")
                    .arg("EXAT")
                    .arg(until),
            )
            .await?;
        Ok(if set.is_some() {
            FirstUse::Yes
        } else {
            FirstUse::No
        })
    }
}

impl ReplayStore for RedisReplayStore {
    fn first_use<'a>(
        &'a self,
        key: &'a ReplayKey,
        expires_at: i64,
    ) -> BoxFuture<'a, Result<FirstUse, StoreError>> {
        Box::pin(self.record(key, expires_at))
    }
}
