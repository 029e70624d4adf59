//! The pending device authorizations: keyed by the device code's digest
//! (the store never holds a usable device code), found by user code when
//! the user types it, and the log of what every poll was answered.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::util::{random_token, secret_key};

/// The user code alphabet (RFC 8628 section 6.1): consonants only, no
/// vowels (no words) and nothing easily confused (no `0`/`O`, `1`/`I`).
const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";

/// Letters in a user code (shown as `BCDF-GHJK`).
const USER_CODE_LEN: usize = 8;

/// How long a used or expired entry is kept, so that a late poll is told
/// `expired_token` or `invalid_grant` rather than "unknown".
const KEEP_AFTER_EXPIRY: Duration = Duration::from_secs(600);

/// Where a device authorization stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Waiting for the user to enter the code.
    Pending,
    /// The user signed in and is looking at the consent page.
    SignedIn { sub: String, auth_time: u64 },
    /// The user approved: the next poll gets the tokens.
    Approved { sub: String, auth_time: u64 },
    /// The user denied (or cancelled the sign-in).
    Denied,
    /// The tokens were issued: the device code is spent.
    Used,
}

/// One device authorization.
#[derive(Debug, Clone)]
pub(crate) struct DeviceEntry {
    client_id: String,
    scope: String,
    user_code: String,
    expires_at: Instant,
    last_poll: Option<Instant>,
    status: Status,
}

impl DeviceEntry {
    /// A pending authorization for `client_id`, valid for `ttl`.
    pub(crate) fn new(client_id: &str, scope: String, ttl: Duration) -> Self {
        DeviceEntry {
            client_id: client_id.to_owned(),
            scope,
            user_code: String::new(),
            expires_at: Instant::now() + ttl,
            last_poll: None,
            status: Status::Pending,
        }
    }
}

/// What the user's code names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A live authorization waiting for the user.
    Pending {
        key: String,
        client_id: String,
        scope: String,
    },
    /// No such code, or expired, or already decided.
    Unknown,
}

/// The token endpoint's answer to one poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PollAnswer {
    /// Issue the tokens.
    Approved {
        sub: String,
        auth_time: u64,
        scope: String,
    },
    /// An OAuth error code and description.
    Refused(&'static str, String),
}

/// Every device authorization of the provider.
#[derive(Debug, Default)]
pub(crate) struct DeviceStore {
    entries: HashMap<String, DeviceEntry>,
    /// Consent page decision ids -> entry key.
    decisions: HashMap<String, String>,
    /// What each poll was answered (`ok` or the error code), in order.
    answers: Vec<&'static str>,
}

impl DeviceStore {
    /// Keeps `entry` under `device_code`'s digest and returns its new,
    /// unique user code.
    pub(crate) fn insert(&mut self, device_code: &str, mut entry: DeviceEntry) -> String {
        let now = Instant::now();
        self.entries
            .retain(|_, e| e.expires_at + KEEP_AFTER_EXPIRY > now);
        let live: Vec<String> = self.entries.values().map(|e| e.user_code.clone()).collect();
        let user_code = loop {
            let code = user_code();
            if !live.contains(&code) {
                break code;
            }
        };
        entry.user_code = user_code.clone();
        self.entries.insert(secret_key(device_code), entry);
        user_code
    }

    /// The live, undecided authorization whose user code is `entered`
    /// (compared case-insensitively, ignoring dashes and spaces).
    pub(crate) fn lookup_user_code(&self, entered: &str, now: Instant) -> Lookup {
        let entered = normalize(entered);
        if entered.is_empty() {
            return Lookup::Unknown;
        }
        self.entries
            .iter()
            .find(|(_, e)| {
                e.status == Status::Pending
                    && e.expires_at > now
                    && normalize(&e.user_code) == entered
            })
            .map_or(Lookup::Unknown, |(key, e)| Lookup::Pending {
                key: key.clone(),
                client_id: e.client_id.clone(),
                scope: e.scope.clone(),
            })
    }

    /// The user signed in for the authorization `key`: returns the consent
    /// page's decision id and the user code to show, if it is still pending.
    pub(crate) fn signed_in(
        &mut self,
        key: &str,
        sub: &str,
        auth_time: u64,
        now: Instant,
    ) -> Option<(String, String)> {
        let entry = self
            .entries
            .get_mut(key)
            .filter(|e| e.status == Status::Pending && e.expires_at > now)?;
        entry.status = Status::SignedIn {
            sub: sub.to_owned(),
            auth_time,
        };
        let decision = random_token(24);
        self.decisions.insert(decision.clone(), key.to_owned());
        Some((decision, entry.user_code.clone()))
    }

    /// The user approved or denied on the consent page `decision` (single
    /// use); the new status, or `None` if the page is stale.
    pub(crate) fn decide(&mut self, decision: &str, approve: bool, now: Instant) -> Option<Status> {
        let key = self.decisions.remove(decision)?;
        let entry = self.entries.get_mut(&key).filter(|e| e.expires_at > now)?;
        let Status::SignedIn { sub, auth_time } = &entry.status else {
            return None;
        };
        entry.status = if approve {
            Status::Approved {
                sub: sub.clone(),
                auth_time: *auth_time,
            }
        } else {
            Status::Denied
        };
        Some(entry.status.clone())
    }

    /// The user cancelled before deciding: the device is denied.
    pub(crate) fn deny(&mut self, key: &str) {
        if let Some(entry) = self.entries.get_mut(key)
            && matches!(entry.status, Status::Pending | Status::SignedIn { .. })
        {
            entry.status = Status::Denied;
        }
    }

    /// One poll with `device_code` by `client_id` at `now`; a poll sooner
    /// than `interval` after the previous one is told `slow_down`.
    pub(crate) fn poll(
        &mut self,
        device_code: &str,
        client_id: &str,
        interval: Duration,
        now: Instant,
    ) -> PollAnswer {
        let answer = self.answer(device_code, client_id, interval, now);
        self.answers.push(match &answer {
            PollAnswer::Approved { .. } => "ok",
            PollAnswer::Refused(error, _) => error,
        });
        answer
    }

    fn answer(
        &mut self,
        device_code: &str,
        client_id: &str,
        interval: Duration,
        now: Instant,
    ) -> PollAnswer {
        let refused = |error, description: &str| PollAnswer::Refused(error, description.into());
        let Some(entry) = self.entries.get_mut(&secret_key(device_code)) else {
            return refused("invalid_grant", "The device code is invalid.");
        };
        if entry.client_id != client_id {
            return refused(
                "invalid_grant",
                "The device code was issued to another client.",
            );
        }
        if entry.status == Status::Used {
            return refused("invalid_grant", "The device code was already used.");
        }
        if entry.expires_at <= now {
            return refused("expired_token", "The device code has expired.");
        }
        let too_soon = entry
            .last_poll
            .is_some_and(|last| now.saturating_duration_since(last) < interval);
        entry.last_poll = Some(now);
        if too_soon {
            return refused(
                "slow_down",
                "Polled faster than the interval: wait 5 seconds longer between polls.",
            );
        }
        match &entry.status {
            Status::Pending | Status::SignedIn { .. } => refused(
                "authorization_pending",
                "The user has not approved the device yet.",
            ),
            Status::Denied => refused("access_denied", "The user denied the device."),
            Status::Approved { sub, auth_time } => {
                let approved = PollAnswer::Approved {
                    sub: sub.clone(),
                    auth_time: *auth_time,
                    scope: entry.scope.clone(),
                };
                entry.status = Status::Used;
                approved
            }
            Status::Used => refused("invalid_grant", "The device code was already used."),
        }
    }

    /// What each poll was answered, in order.
    pub(crate) fn answers(&self) -> Vec<&'static str> {
        self.answers.clone()
    }

    pub(crate) fn clear_answers(&mut self) {
        self.answers.clear();
    }
}

/// A fresh user code, `XXXX-XXXX` from [`USER_CODE_ALPHABET`].
fn user_code() -> String {
    let mut code = String::with_capacity(USER_CODE_LEN + 1);
    while code.len() < USER_CODE_LEN + 1 {
        let mut byte = [0u8; 1];
        if aws_lc_rs::rand::fill(&mut byte).is_err() {
            continue;
        }
        // 240 = 12 * 20: rejecting the rest keeps the letters uniform.
        if byte[0] >= 240 {
            continue;
        }
        if code.len() == USER_CODE_LEN / 2 {
            code.push('-');
        }
        code.push(char::from(USER_CODE_ALPHABET[usize::from(byte[0] % 20)]));
    }
    code
}

/// A user code as compared: upper case, without dashes and spaces.
fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests;
