//! The web glue's refresh lock on Redis: `SET NX PX` to take it, a
//! compare-and-delete script to release it.

use super::RedisStore;
use crate::error::StoreError;
use crate::logout::BoxFuture;
use crate::web::RefreshLock;
use std::sync::LazyLock;
use std::time::Duration;

/// Deletes the lock only if `ARGV[1]` still holds it: after its expiry,
/// another instance's lock may live under the same key.
static RELEASE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
        end
        return 0
        ",
    )
});

/// The [`RefreshLock`] on Redis, shared by every instance: key
/// `{prefix}refresh-lock:{digest}` holding the holder's random value,
/// expiring after the ttl even if never released. Make it with
/// [`RedisStore::refresh_lock`]; `web::Oidc::with_redis` uses it.
#[derive(Debug, Clone)]
pub struct RedisRefreshLock {
    redis: RedisStore,
}

impl RedisRefreshLock {
    pub(crate) fn new(redis: RedisStore) -> Self {
        Self { redis }
    }

    /// The Redis key of lock `key`.
    pub fn redis_key(&self, key: &str) -> String {
        self.redis.key(&format!("refresh-lock:{key}"))
    }

    async fn acquire(&self, key: &str, holder: &str, ttl: Duration) -> Result<bool, StoreError> {
        // PX must be positive.
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let set: Option<String> = self
            .redis
            .run(
                redis::cmd("SET")
                    .arg(self.redis_key(key))
                    .arg(holder)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms),
            )
            .await?;
        Ok(set.is_some())
    }

    async fn give_back(&self, key: &str, holder: &str) -> Result<(), StoreError> {
        let mut invocation = RELEASE.prepare_invoke();
        invocation.key(self.redis_key(key)).arg(holder);
        self.redis.run_script::<i64>(&invocation).await?;
        Ok(())
    }
}

impl RefreshLock for RedisRefreshLock {
    fn try_acquire<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(self.acquire(key, holder, ttl))
    }

    fn release<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.give_back(key, holder))
    }
}
