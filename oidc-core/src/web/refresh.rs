//! Refreshing a session's tokens when requests arrive in parallel.
//!
//! Providers that rotate refresh tokens revoke the whole grant when a
//! rotated-out token comes back (RFC 9700 section 4.14.2), so two requests
//! of one session must never both spend the same refresh token. Here:
//!
//! - one refresh per session at a time in this process ([`RefreshLocks`]);
//!   requests that waited read the session again and use what the refresh
//!   stored;
//! - the refreshed tokens are saved to the store before the next request
//!   of the session goes on, so other instances sharing the store see them;
//! - one refresh per refresh token across instances, when they share a
//!   [`RefreshLock`] (Redis): an instance that does not get it reads the
//!   session again until the holder's tokens appear;
//! - `invalid_grant` may mean another instance spent the token first (no
//!   shared lock, or its lock expired): the session is read again for a
//!   short while before the user is signed out;
//! - only a grant that is gone, or a refreshed ID token that fails
//!   verification, signs the user out; a transient failure (timeout,
//!   network, 5xx, keys unavailable) keeps the session with the stale
//!   access token, and pauses this provider's refreshes for
//!   [`PAUSE_AFTER_FAILURE`]: meanwhile requests answer at once with stale
//!   tokens instead of each waiting out a provider that is down.

use super::Oidc;
use super::extract::SignedInRejection;
use super::record::SessionRecord;
use crate::error::{IdTokenError, JwsError, TokenError};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tower_sessions::Session;
use tower_sessions::session::Id;

mod lock;

pub use lock::{InProcessRefreshLock, RefreshLock};

/// Seconds before expiry at which an access token is refreshed.
pub(super) const REFRESH_LEEWAY: Duration = Duration::from_secs(30);

/// How long, after `invalid_grant`, the session is read again for the
/// tokens of another instance that spent the same refresh token first
/// (its refresh returns in about a token request's time).
const OTHER_INSTANCE_GRACE: Duration = Duration::from_secs(2);

/// The pause between two of those reads.
const OTHER_INSTANCE_POLL: Duration = Duration::from_millis(100);

/// The longest a request waits for another instance's refresh (holding
/// the shared [`RefreshLock`]) before it answers with the stale access
/// token; the session stays.
const SHARED_LOCK_WAIT: Duration = Duration::from_secs(5);

/// How often a request waiting for the shared lock reads the session.
const SHARED_LOCK_POLL: Duration = Duration::from_millis(50);

/// How long refreshes with a provider pause after a transient failure
/// (the access tokens they would refresh are stale meanwhile; those
/// within [`REFRESH_LEEWAY`] of expiry are still valid).
pub(super) const PAUSE_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// What a request does with a session whose access token has expired.
pub(super) enum Refreshed {
    /// Fresh tokens (refreshed by this request or by another one).
    Fresh(SessionRecord),
    /// The refresh failed transiently: the session stays, with the stale
    /// access token.
    Stale(SessionRecord),
    /// Signed out (the grant is gone, or a logout happened meanwhile).
    SignedOut,
}

/// One refresh per session at a time: a lock per session id, held while
/// the session's tokens are refreshed and saved. Entries exist only while
/// a request holds or waits for them, so the map never outgrows the
/// requests in flight. One per [`Oidc`], i.e. per provider.
#[derive(Default)]
pub(crate) struct RefreshLocks {
    entries: Mutex<HashMap<Id, Entry>>,
    /// Until when refreshes pause after a transient failure.
    paused_until: Mutex<Option<Instant>>,
}

struct Entry {
    lock: Arc<tokio::sync::Mutex<()>>,
    /// Requests holding or waiting for `lock`.
    users: usize,
    /// A request gave up waiting for another instance's refresh: the
    /// requests queued behind it answer at once instead of each waiting
    /// as long again.
    gave_up: bool,
}

impl fmt::Debug for RefreshLocks {
    // Session ids are credentials: only their number is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshLocks")
            .field("sessions", &self.len())
            .finish()
    }
}

impl RefreshLocks {
    /// Waits for the session's turn to refresh.
    pub(crate) async fn lock(self: &Arc<Self>, id: Id) -> Turn {
        let lock = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = entries.entry(id).or_insert_with(|| Entry {
                lock: Arc::default(),
                users: 0,
                gave_up: false,
            });
            entry.users += 1;
            Arc::clone(&entry.lock)
        };
        // Counted from here: a request dropped while waiting (the client
        // went away) gives its place back in `Registration::drop`.
        let registration = Registration {
            locks: Arc::clone(self),
            id,
        };
        let guard = lock.lock_owned().await;
        Turn {
            _guard: guard,
            registration,
        }
    }

    /// Whether refreshes pause at `now` (a transient failure shortly before).
    fn paused(&self, now: Instant) -> bool {
        self.paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|until| now < until)
    }

    /// Pauses refreshes for [`PAUSE_AFTER_FAILURE`] from `now`.
    fn pause(&self, now: Instant) {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(now + PAUSE_AFTER_FAILURE);
    }

    /// Ends a pause: the provider answered.
    fn resume(&self) {
        *self
            .paused_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The sessions with a refresh in flight or awaited.
    pub(crate) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// A request's place at a session's lock; the entry goes with the last.
struct Registration {
    locks: Arc<RefreshLocks>,
    id: Id,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut entries = self
            .locks
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get_mut(&self.id) {
            entry.users -= 1;
            if entry.users == 0 {
                entries.remove(&self.id);
            }
        }
    }
}

/// A session's turn to refresh: held until the new tokens are saved.
pub(crate) struct Turn {
    // Dropped first: the lock is released before the entry is given back.
    _guard: tokio::sync::OwnedMutexGuard<()>,
    registration: Registration,
}

impl Turn {
    /// Whether a request before this one (among those in flight for the
    /// session) gave up waiting for another instance's refresh.
    fn others_gave_up(&self) -> bool {
        self.with_entry(|entry| entry.gave_up)
    }

    /// Tells the requests queued behind this one not to wait again.
    fn give_up(&self) {
        self.with_entry(|entry| entry.gave_up = true);
    }

    fn with_entry<T: Default>(&self, f: impl FnOnce(&mut Entry) -> T) -> T {
        let Registration { locks, id } = &self.registration;
        let mut entries = locks.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get_mut(id).map(f).unwrap_or_default()
    }
}

/// What a refresh failure means for the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// The provider says the grant is gone (`invalid_grant`): revoked,
    /// expired, or its refresh token was already used.
    GrantGone,
    /// The provider answered with tokens that fail verification.
    Refused,
    /// The provider could not be reached or asked, or failed for reasons
    /// of its own: try again later.
    Transient,
}

impl Failure {
    pub(super) fn of(error: &TokenError) -> Self {
        match error {
            TokenError::Provider { error, .. } if error == "invalid_grant" => Self::GrantGone,
            // The keys could not be fetched: the token was not checked.
            TokenError::IdToken(IdTokenError::Jws(JwsError::KeysUnavailable(_))) => Self::Transient,
            TokenError::IdToken(_) | TokenError::SubjectMismatch { .. } => Self::Refused,
            // Transport errors, 5xx, other OAuth errors (the client's
            // configuration, not this user's grant), unparsable answers.
            _ => Self::Transient,
        }
    }
}

fn store_error(error: impl fmt::Display) -> SignedInRejection {
    SignedInRejection::Session(error.to_string())
}

/// The session's record as the store has it now (another request or
/// instance may have changed it since this request read it).
async fn reread(session: &Session, key: &str) -> Result<Option<SessionRecord>, SignedInRejection> {
    session.load().await.map_err(store_error)?;
    super::record::read(session, key).await.map_err(store_error)
}

/// Whether two records are the same login (not a new sign-in meanwhile).
fn same_login(a: &SessionRecord, b: &SessionRecord) -> bool {
    a.signed_in_at_ms == b.signed_in_at_ms && a.id_token.sub == b.id_token.sub
}

fn refresh_token_of(record: &SessionRecord) -> Option<&str> {
    record.tokens.refresh_token.as_ref().map(|t| t.secret())
}

/// Refreshes the tokens of `record` (read from `session` under `key`, its
/// access token expired), coordinating with the session's other requests.
pub(super) async fn refresh<C>(
    oidc: &Oidc<C>,
    session: &Session,
    key: &str,
    record: SessionRecord,
) -> Result<Refreshed, SignedInRejection> {
    let Some(id) = session.id() else {
        // A record comes from a stored session, which has an id.
        return Ok(Refreshed::Stale(record));
    };
    let turn = oidc.refreshes.lock(id).await;
    // Another request may have refreshed (or signed out) while this one waited.
    let Some(current) = reread(session, key).await? else {
        return Ok(Refreshed::SignedOut);
    };
    if !same_login(&current, &record) || !current.tokens.access_token_expired(REFRESH_LEEWAY) {
        return Ok(Refreshed::Fresh(current));
    }
    if oidc.refreshes.paused(Instant::now())
        || current.tokens.refresh_token.is_none()
        || turn.others_gave_up()
    {
        return Ok(Refreshed::Stale(current));
    }
    let (shared, current) = match shared_turn(oidc, session, key, current).await? {
        Shared::Turn(shared, current) => (shared, current),
        Shared::Done(outcome) => {
            if matches!(outcome, Refreshed::Stale(_)) {
                turn.give_up();
            }
            return Ok(outcome);
        }
    };
    let outcome = spend(oidc, session, key, current).await;
    shared.release(oidc).await;
    outcome
}

/// Spends the refresh token of `current`, this instance's turn and the
/// shared lock held, and saves what comes back.
async fn spend<C>(
    oidc: &Oidc<C>,
    session: &Session,
    key: &str,
    current: SessionRecord,
) -> Result<Refreshed, SignedInRejection> {
    match oidc
        .client
        .refresh(&current.tokens, &current.id_token)
        .await
    {
        Ok(refreshed) => {
            oidc.refreshes.resume();
            // The refresh took a round trip: a logout (or a new login) may
            // have ended this session meanwhile. A logout wins, and the
            // refreshed tokens are dropped.
            let Some(mut latest) = reread(session, key).await? else {
                tracing::info!("signed out while a refresh was in flight");
                return Ok(Refreshed::SignedOut);
            };
            if !same_login(&latest, &current) {
                return Ok(Refreshed::Fresh(latest));
            }
            latest.tokens = refreshed.tokens;
            latest.id_token = refreshed.id_token;
            if let Some(user) = refreshed.user {
                latest.user = user;
            }
            super::record::write(session, key, &latest)
                .await
                .map_err(store_error)?;
            // Saved now, not when the response goes out: the requests
            // waiting for this turn, and other instances, read the store.
            session.save().await.map_err(store_error)?;
            Ok(Refreshed::Fresh(latest))
        }
        Err(error) => match Failure::of(&error) {
            Failure::Transient => {
                tracing::warn!(check = error.check_name(), %error, "refresh failed; keeping the session with its stale access token");
                oidc.refreshes.pause(Instant::now());
                Ok(Refreshed::Stale(current))
            }
            Failure::GrantGone => {
                if let Some(outcome) = other_instance_refreshed(session, key, &current).await? {
                    return Ok(outcome);
                }
                tracing::info!(check = error.check_name(), %error, "the provider ended the grant; signing the user out");
                sign_out(session, key).await
            }
            Failure::Refused => {
                tracing::warn!(check = error.check_name(), %error, "the refreshed tokens were refused; signing the user out");
                sign_out(session, key).await
            }
        },
    }
}

/// The shared [`RefreshLock`], held by this request: released after the
/// refresh; if the request is dropped meanwhile, it expires by its ttl.
struct SharedTurn {
    key: String,
    holder: String,
}

impl SharedTurn {
    async fn release<C>(self, oidc: &Oidc<C>) {
        if let Err(error) = oidc.refresh_lock.release(&self.key, &self.holder).await {
            // It expires by itself; the next refresh may wait until then.
            tracing::warn!(%error, "the shared refresh lock could not be released");
        }
    }
}

/// What the shared lock step decided.
enum Shared {
    /// This request refreshes, with the session as read under the lock.
    Turn(SharedTurn, SessionRecord),
    /// Another instance refreshed (or the wait ended): the outcome.
    Done(Refreshed),
}

/// How long the shared lock lives if never released: the longest a
/// refresh takes (token request, keys, UserInfo, each within the HTTP
/// timeout) and the save.
fn shared_lock_ttl<C>(oidc: &Oidc<C>) -> Duration {
    oidc.client
        .config()
        .limits
        .http_timeout
        .saturating_mul(3)
        .saturating_add(Duration::from_secs(2))
}

/// Takes the lock shared by the instances for `current`'s refresh token,
/// or waits (bounded) for the instance that holds it to save its tokens.
async fn shared_turn<C>(
    oidc: &Oidc<C>,
    session: &Session,
    key: &str,
    current: SessionRecord,
) -> Result<Shared, SignedInRejection> {
    let config = oidc.client.config();
    let spent = refresh_token_of(&current).unwrap_or_default();
    // A digest: neither the refresh token nor the session id reaches the store.
    let digest = crate::util::digest_parts(&[
        config.issuer().as_bytes(),
        config.client_id().as_bytes(),
        spent.as_bytes(),
    ]);
    let lock_key: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let Some(holder) = crate::util::random_token() else {
        tracing::warn!("no randomness for the refresh lock; keeping the stale access token");
        return Ok(Shared::Done(Refreshed::Stale(current)));
    };
    let ttl = shared_lock_ttl(oidc);
    let deadline = Instant::now() + SHARED_LOCK_WAIT;
    loop {
        match oidc.refresh_lock.try_acquire(&lock_key, &holder, ttl).await {
            Ok(true) => {
                let turn = SharedTurn {
                    key: lock_key,
                    holder,
                };
                // The holder before may have saved its tokens just now.
                let latest = reread(session, key).await;
                return match latest {
                    Ok(Some(latest))
                        if same_login(&latest, &current)
                            && refresh_token_of(&latest) == refresh_token_of(&current) =>
                    {
                        Ok(Shared::Turn(turn, latest))
                    }
                    other => {
                        turn.release(oidc).await;
                        Ok(Shared::Done(match other? {
                            Some(latest) => Refreshed::Fresh(latest),
                            None => Refreshed::SignedOut,
                        }))
                    }
                };
            }
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "the shared refresh lock failed; keeping the stale access token");
                return Ok(Shared::Done(Refreshed::Stale(current)));
            }
        }
        tokio::time::sleep(SHARED_LOCK_POLL).await;
        let Some(latest) = reread(session, key).await? else {
            return Ok(Shared::Done(Refreshed::SignedOut));
        };
        if !same_login(&latest, &current) || refresh_token_of(&latest) != refresh_token_of(&current)
        {
            return Ok(Shared::Done(Refreshed::Fresh(latest)));
        }
        if Instant::now() >= deadline {
            tracing::info!(
                "another instance is still refreshing; answering with the stale access token"
            );
            return Ok(Shared::Done(Refreshed::Stale(latest)));
        }
    }
}

/// After `invalid_grant`: whether another instance spent the same refresh
/// token first, seen as a new refresh token in the store within
/// [`OTHER_INSTANCE_GRACE`] (or a logout, or another login).
async fn other_instance_refreshed(
    session: &Session,
    key: &str,
    spent: &SessionRecord,
) -> Result<Option<Refreshed>, SignedInRejection> {
    let deadline = Instant::now() + OTHER_INSTANCE_GRACE;
    loop {
        let Some(current) = reread(session, key).await? else {
            return Ok(Some(Refreshed::SignedOut));
        };
        if !same_login(&current, spent) || refresh_token_of(&current) != refresh_token_of(spent) {
            return Ok(Some(Refreshed::Fresh(current)));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(OTHER_INSTANCE_POLL).await;
    }
}

/// Removes the login from the session, saved at once so that the requests
/// waiting for this turn see it gone rather than try the dead grant.
async fn sign_out(session: &Session, key: &str) -> Result<Refreshed, SignedInRejection> {
    session.remove_value(key).await.map_err(store_error)?;
    session.save().await.map_err(store_error)?;
    Ok(Refreshed::SignedOut)
}

#[cfg(test)]
mod tests;
