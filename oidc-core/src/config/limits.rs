//! The limits a client enforces and their defaults (the crate docs'
//! "Limits and defaults" table lists them with their setters).

use crate::error::ConfigError;
use std::time::Duration;

/// Limits and defaults. Every value has a safe default; see the crate docs'
/// "Limits and defaults" table.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) clock_tolerance: Duration,
    pub(crate) max_id_token_age: Duration,
    pub(crate) http_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) jwks_refresh_cooldown: Duration,
    /// How long fetched keys are trusted when the JWKS response states no
    /// `max-age`.
    pub(crate) jwks_max_age: Duration,
    /// The range a JWKS response's `max-age` is clamped to.
    pub(crate) jwks_min_max_age: Duration,
    pub(crate) jwks_max_max_age: Duration,
    pub(crate) pending_login_ttl: Duration,
}

impl Limits {
    /// The rules every limit follows, for clients and APIs alike.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason| Err(ConfigError::InvalidDuration { field, reason });
        if self.clock_tolerance > Duration::from_secs(300) {
            return invalid("clock_tolerance", "at most 5 minutes");
        }
        if self.http_timeout.is_zero() {
            return invalid("http_timeout", "timeouts must be greater than zero");
        }
        if self.connect_timeout.is_zero() {
            return invalid("connect_timeout", "timeouts must be greater than zero");
        }
        if self.pending_login_ttl.is_zero() {
            return invalid("pending_login_ttl", "must be greater than zero");
        }
        // Below a second, a provider saying `no-store` would have its JWKS
        // fetched for every token; past a week, a withdrawn key would stay
        // trusted for longer than providers take to rotate.
        if self.jwks_min_max_age < Duration::from_secs(1) {
            return invalid("jwks_max_age", "the minimum must be at least 1 second");
        }
        if self.jwks_max_max_age > Duration::from_secs(7 * 24 * 3600) {
            return invalid("jwks_max_age", "the maximum must be at most 7 days");
        }
        if !(self.jwks_min_max_age..=self.jwks_max_max_age).contains(&self.jwks_max_age) {
            return invalid(
                "jwks_max_age",
                "the default must lie between the minimum and the maximum",
            );
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            clock_tolerance: Duration::from_secs(60),
            max_id_token_age: Duration::from_secs(10 * 60),
            http_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response_bytes: 512 * 1024,
            jwks_refresh_cooldown: Duration::from_secs(10),
            jwks_max_age: Duration::from_secs(3600),
            jwks_min_max_age: Duration::from_secs(60),
            jwks_max_max_age: Duration::from_secs(24 * 3600),
            pending_login_ttl: Duration::from_secs(10 * 60),
        }
    }
}
