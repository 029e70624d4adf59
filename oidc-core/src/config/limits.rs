//! The limits a client enforces and their defaults (the crate docs'
//! "Limits and defaults" table lists them with their setters).

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
    pub(crate) pending_login_ttl: Duration,
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
            pending_login_ttl: Duration::from_secs(10 * 60),
        }
    }
}
