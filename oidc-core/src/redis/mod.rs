//! Shared state on Redis (feature `redis`), for an application that runs
//! several instances behind a load balancer:
//!
//! - [`RedisReplayStore`]: a pending login completes once across all
//!   instances, and a back-channel logout token is accepted once
//!   ([`Client::with_replay_store`](crate::Client::with_replay_store); see
//!   [`crate::replay`]).
//! - [`RedisLogoutRegistry`]: a back-channel logout delivered to one
//!   instance ends the session on every instance.
//! - `RedisSessionStore` (with the `axum` feature): the `tower-sessions`
//!   store, and `web::redis_session_layer` with the cookie settings the
//!   login flow needs.
//! - `RedisRefreshLock` (with the `axum` feature): one instance at a time
//!   spends a session's refresh token.
//!
//! ```no_run
//! # #[cfg(feature = "axum")]
//! # async fn run(config: oidc_core::ClientConfig) -> Result<(), Box<dyn std::error::Error>> {
//! use oidc_core::redis::RedisStore;
//! use oidc_core::web::{Oidc, redis_session_layer};
//!
//! let redis = RedisStore::connect("redis://127.0.0.1:6379").await?;
//! let oidc = Oidc::discover(config).await?.with_redis(&redis);
//! let app: axum::Router = oidc.routes().layer(redis_session_layer(&redis));
//! # let _ = app; Ok(()) }
//! ```
//!
//! Every key has an expiry in Redis: used values until they could no
//! longer be accepted, logouts for the registry's retention, sessions until
//! their expiry date, refresh locks for three HTTP timeouts; nothing grows
//! without bound. Keys start with a prefix (default `oidc:`,
//! [`RedisOptions::prefix`]) so applications can share a server. Every command has a deadline ([`RedisOptions::timeout`]);
//! a Redis that fails or does not answer is a [`StoreError`], and the web
//! glue answers 503: a login or logout is refused, never let through
//! unchecked.
//!
//! Sessions hold the user's tokens: protect the Redis server as you would
//! the tokens (a private network, `requirepass`/ACLs). For `rediss://`
//! (TLS), add the `redis` crate to your application with its
//! `tokio-rustls-comp` feature; this crate enables no TLS stack of its own.

mod logout_registry;
#[cfg(feature = "axum")]
mod refresh_lock;
mod replay;
#[cfg(feature = "axum")]
mod session_store;

pub use logout_registry::RedisLogoutRegistry;
#[cfg(feature = "axum")]
pub use refresh_lock::RedisRefreshLock;
pub use replay::RedisReplayStore;
#[cfg(feature = "axum")]
pub use session_store::RedisSessionStore;

use crate::error::StoreError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Default of [`RedisOptions::timeout`].
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(2);
/// Default of [`RedisOptions::clock_skew_margin`].
pub const DEFAULT_CLOCK_SKEW_MARGIN: Duration = Duration::from_secs(60);

/// How [`RedisStore`] talks to Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisOptions {
    /// The start of every key (default `oidc:`).
    pub prefix: String,
    /// The deadline of each command, and of connecting (default 2 s).
    pub timeout: Duration,
    /// How much longer than needed used values and logouts are kept
    /// (default 60 s): Redis expires them by its own clock, the instances
    /// check times by theirs.
    pub clock_skew_margin: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            prefix: "oidc:".into(),
            timeout: DEFAULT_REDIS_TIMEOUT,
            clock_skew_margin: DEFAULT_CLOCK_SKEW_MARGIN,
        }
    }
}

impl RedisOptions {
    /// The start of every key, e.g. `myapp:oidc:`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The deadline of each command.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How much longer than needed used values and logouts are kept.
    pub fn clock_skew_margin(mut self, margin: Duration) -> Self {
        self.clock_skew_margin = margin;
        self
    }
}

/// A connection to Redis (reconnecting after an outage), shared by the
/// stores made from it. Cheap to clone. Its `Debug` shows neither the URL
/// (it may hold a password) nor any data.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    options: Arc<RedisOptions>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.options.prefix)
            .field("timeout", &self.options.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[user:password@]host[:port][/db]`) with
    /// the default [`RedisOptions`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, RedisOptions::default()).await
    }

    /// Connects to `url` with `options`; fails if Redis does not answer
    /// within the timeout (a wrong address shows at start-up, not at the
    /// first login).
    pub async fn connect_with(url: &str, options: RedisOptions) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|_| {
            StoreError::InvalidUrl("expected redis://[user:password@]host[:port][/db]".into())
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.timeout))
            .set_response_timeout(Some(options.timeout))
            // Reconnection happens in the background; a command during an
            // outage fails (503) rather than waiting for many retries.
            .set_number_of_retries(2);
        let connect = ConnectionManager::new_with_config(client, config);
        let connection = tokio::time::timeout(options.timeout, connect)
            .await
            .map_err(|_| StoreError::Timeout(options.timeout))?
            .map_err(unavailable)?;
        Ok(Self {
            connection,
            options: Arc::new(options),
        })
    }

    /// The options in use.
    pub fn options(&self) -> &RedisOptions {
        &self.options
    }

    /// The single-use registry of login `state`s and logout `jti`s.
    pub fn replay_store(&self) -> RedisReplayStore {
        RedisReplayStore::new(self.clone())
    }

    /// The back-channel logout registry, keeping each logout for
    /// `retention` (at least your sessions' lifetime).
    pub fn logout_registry(&self, retention: Duration) -> RedisLogoutRegistry {
        RedisLogoutRegistry::new(self.clone(), retention)
    }

    /// The `tower-sessions` store.
    #[cfg(feature = "axum")]
    pub fn session_store(&self) -> RedisSessionStore {
        RedisSessionStore::new(self.clone())
    }

    /// The lock that makes one instance at a time refresh a session.
    #[cfg(feature = "axum")]
    pub fn refresh_lock(&self) -> RedisRefreshLock {
        RedisRefreshLock::new(self.clone())
    }

    /// `{prefix}{rest}`.
    pub(crate) fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.options.prefix)
    }

    pub(crate) fn skew_margin_secs(&self) -> i64 {
        i64::try_from(self.options.clock_skew_margin.as_secs()).unwrap_or(i64::MAX)
    }

    /// Runs `command` with the deadline.
    pub(crate) async fn run<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        tokio::time::timeout(self.options.timeout, command.query_async(&mut connection))
            .await
            .map_err(|_| StoreError::Timeout(self.options.timeout))?
            .map_err(unavailable)
    }

    /// Runs `script` with the deadline.
    pub(crate) async fn run_script<T: redis::FromRedisValue>(
        &self,
        script: &redis::ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        tokio::time::timeout(self.options.timeout, script.invoke_async(&mut connection))
            .await
            .map_err(|_| StoreError::Timeout(self.options.timeout))?
            .map_err(unavailable)
    }
}

/// Redis's own errors name the failure (refused connection, `READONLY`...),
/// never the URL or a command's arguments.
fn unavailable(error: redis::RedisError) -> StoreError {
    StoreError::Unavailable(error.to_string())
}
