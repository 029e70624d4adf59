//! The back-channel logout registry on Redis, with the in-memory
//! registry's rules (`crate::logout::MemoryLogoutRegistry`).

use super::RedisStore;
use crate::error::StoreError;
use crate::logout::{BoxFuture, LoggedOut, LogoutRegistry, RegistryError, SessionInfo};
use crate::util::{digest_parts, unix_now_ms};
use std::sync::LazyLock;
use std::time::Duration;

/// Writes each key's logout time unless it already holds a later one (with
/// times from `iat`, an older token arriving after a newer one must not
/// shorten the newer logout), expiring at `ARGV[2]` (ms since the epoch).
/// One script: the compare and the write are atomic across instances.
static RECORD: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        for _, key in ipairs(KEYS) do
            local current = tonumber(redis.call('GET', key))
            if current == nil or current < tonumber(ARGV[1]) then
                redis.call('SET', key, ARGV[1], 'PXAT', ARGV[2])
            end
        end
        return 0
        ",
    )
});

/// The [`LogoutRegistry`] on Redis, for several instances. The same rules
/// as the in-memory registry: a session ended if a logout named its
/// provider session (`sid`), or its user (`sub` without `sid`) after it
/// signed in, or its user with a `sid` after it signed in while the session
/// has no recorded `sid`. Keys `{prefix}logout:{sid|sub|sidless-sub}:{digest}`
/// hold the logout time and expire after the retention (plus the
/// clock-skew margin); there is no count limit (Redis's `maxmemory` is).
/// Make it with [`RedisStore::logout_registry`].
#[derive(Debug, Clone)]
pub struct RedisLogoutRegistry {
    redis: RedisStore,
    retention_ms: i64,
}

/// One of the registry's maps, as in the in-memory registry.
#[derive(Debug, Clone, Copy)]
enum Map {
    Sids,
    Subs,
    SidlessSubs,
}

impl Map {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sids => "sid",
            Self::Subs => "sub",
            Self::SidlessSubs => "sidless-sub",
        }
    }
}

impl RedisLogoutRegistry {
    pub(crate) fn new(redis: RedisStore, retention: Duration) -> Self {
        Self {
            redis,
            retention_ms: i64::try_from(retention.as_millis()).unwrap_or(i64::MAX),
        }
    }

    /// The Redis key of a logout of `value` (a `sid` or `sub`) at `issuer`:
    /// a digest, so any value fits and none is readable in Redis.
    fn key(&self, map: Map, issuer: &str, value: &str) -> String {
        let digest = digest_parts(&[issuer.as_bytes(), value.as_bytes()]);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.redis.key(&format!("logout:{}:{hex}", map.as_str()))
    }

    async fn record_logout(&self, logout: LoggedOut) -> Result<(), StoreError> {
        let mut keys = Vec::with_capacity(2);
        match (&logout.sid, &logout.sub) {
            (Some(sid), sub) => {
                keys.push(self.key(Map::Sids, &logout.issuer, sid));
                if let Some(sub) = sub {
                    keys.push(self.key(Map::SidlessSubs, &logout.issuer, sub));
                }
            }
            (None, Some(sub)) => keys.push(self.key(Map::Subs, &logout.issuer, sub)),
            (None, None) => {}
        }
        let margin_ms = self.redis.skew_margin_secs().saturating_mul(1000);
        let until_ms = logout
            .at_ms
            .saturating_add(self.retention_ms)
            .saturating_add(margin_ms);
        // Already past its retention: the in-memory registry would keep it
        // without effect; here it is not written (PXAT in the past).
        if keys.is_empty() || until_ms <= unix_now_ms() {
            return Ok(());
        }
        let mut invocation = RECORD.prepare_invoke();
        for key in &keys {
            invocation.key(key);
        }
        invocation.arg(logout.at_ms).arg(until_ms);
        self.redis.run_script::<i64>(&invocation).await?;
        Ok(())
    }

    async fn check(&self, session: SessionInfo<'_>) -> Result<bool, StoreError> {
        let sid_key = session
            .sid
            .map(|sid| self.key(Map::Sids, session.issuer, sid));
        let sub_key = self.key(Map::Subs, session.issuer, session.sub);
        let sidless_key = self.key(Map::SidlessSubs, session.issuer, session.sub);
        let mut command = redis::cmd("MGET");
        command.arg(&sub_key).arg(&sidless_key);
        if let Some(sid_key) = &sid_key {
            command.arg(sid_key);
        }
        let found: Vec<Option<String>> = self.redis.run(&command).await?;
        let time = |index: usize| -> Result<Option<i64>, StoreError> {
            match found.get(index).cloned().flatten() {
                None => Ok(None),
                Some(text) => text
                    .parse()
                    .map(Some)
                    .map_err(|_| StoreError::Corrupt("logout")),
            }
        };
        let (by_sub_at, sidless_at, sid_at) = (time(0)?, time(1)?, time(2)?);
        let now_ms = unix_now_ms();
        let fresh = |at: i64| now_ms.saturating_sub(at) <= self.retention_ms;
        let after_sign_in =
            |at: Option<i64>| at.is_some_and(|at| fresh(at) && at >= session.signed_in_at_ms);
        let by_sid = sid_at.is_some_and(fresh);
        let by_sub = after_sign_in(by_sub_at);
        let by_sub_without_sid = session.sid.is_none() && after_sign_in(sidless_at);
        Ok(by_sid || by_sub || by_sub_without_sid)
    }
}

impl LogoutRegistry for RedisLogoutRegistry {
    fn record(&self, logout: LoggedOut) -> BoxFuture<'_, Result<(), RegistryError>> {
        Box::pin(async move { Ok(self.record_logout(logout).await?) })
    }

    fn is_logged_out<'a>(
        &'a self,
        session: SessionInfo<'a>,
    ) -> BoxFuture<'a, Result<bool, RegistryError>> {
        Box::pin(async move { Ok(self.check(session).await?) })
    }
}
