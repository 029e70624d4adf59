//! One refresh across instances: a lock shared by every instance, taken
//! after the in-process single flight, so that two instances never spend
//! the same refresh token at once.

use crate::error::StoreError;
use crate::logout::BoxFuture;
use std::time::Duration;

/// A lock shared by the instances of an application, so that at most one
/// of them refreshes a session's tokens at a time (providers that rotate
/// refresh tokens revoke the grant when a spent one comes back, RFC 9700
/// section 4.14.2). [`SignedIn`](super::super::SignedIn) takes it after
/// the instance's own single flight, keyed by a digest of the refresh
/// token about to be spent; an instance that does not get it reads the
/// session again until the holder's tokens appear.
///
/// Implementations must grant a key to one holder at a time, let it expire
/// after `ttl` if never released (an instance may die mid-refresh), and
/// release it only for the holder that took it. Errors are never a grant.
/// With the `redis` feature, `RedisStore::refresh_lock` (wired by
/// `Oidc::with_redis`) is one; the default is [`InProcessRefreshLock`].
pub trait RefreshLock: Send + Sync + 'static {
    /// Takes `key` for `holder` (a random value naming this attempt) until
    /// released or `ttl` has passed; `false` if someone else holds it.
    fn try_acquire<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Releases `key` if `holder` still holds it (after its `ttl` another
    /// holder may have taken it: that one's lock stays).
    fn release<'a>(
        &'a self,
        key: &'a str,
        holder: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The [`RefreshLock`] of a single instance: always granted, since the
/// in-process single flight already serializes the refreshes of a session.
/// Several instances need a shared one.
#[derive(Debug, Clone, Copy, Default)]
pub struct InProcessRefreshLock;

impl RefreshLock for InProcessRefreshLock {
    fn try_acquire<'a>(
        &'a self,
        _key: &'a str,
        _holder: &'a str,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(std::future::ready(Ok(true)))
    }

    fn release<'a>(
        &'a self,
        _key: &'a str,
        _holder: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}
