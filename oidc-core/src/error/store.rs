//! Errors of the stores instances share.

use std::time::Duration;

/// A store shared by the application's instances (Redis, a database) did
/// not answer or answered something unusable. Never carries the store's
/// URL or password, nor the data it was asked about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No answer within the deadline.
    #[error("the shared store did not answer within {0:?}")]
    Timeout(Duration),
    /// The store is unreachable, refused the command, or failed.
    #[error("the shared store failed: {0}")]
    Unavailable(String),
    /// The store's address does not parse (the address itself is not
    /// repeated: it may hold a password).
    #[error("the shared store's URL is invalid: {0}")]
    InvalidUrl(String),
    /// A stored value is not what this crate writes (another program's
    /// key under the same prefix?).
    #[error("the shared store holds a value this client cannot read under `{0}`")]
    Corrupt(&'static str),
}
