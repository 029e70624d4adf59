//! Polling the token endpoint (RFC 8628 sections 3.4 and 3.5) as a small
//! state machine, apart from the network, so that its timing is tested
//! with paused Tokio time.
//!
//! The rules: wait `interval` before every request (the first included);
//! `authorization_pending` polls again; `slow_down` adds five seconds to
//! the interval for this and every later request; `access_denied`,
//! `expired_token` and the local expiry end the poll with their own
//! errors. A timeout or a broken connection is retried, at most
//! [`MAX_TRANSIENT_RETRIES`] times in a row, each time after doubling the
//! interval (section 3.5 asks clients to reduce their polling frequency
//! then); any other error ends the poll.

use crate::error::{DeviceError, TokenError, TransportError};
use crate::provider::token_endpoint::TokenResponse;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// The interval when the provider gives none (RFC 8628 section 3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// What `slow_down` adds to the interval (RFC 8628 section 3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The shortest interval ever used: a provider's `interval` is honoured as
/// given, but `0` does not make a client poll in a tight loop.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How many timeouts or broken connections in a row are retried.
pub const MAX_TRANSIENT_RETRIES: u32 = 3;

/// The state of one poll: the current interval, the device code's expiry
/// and the count of transient failures in a row.
#[derive(Debug, Clone)]
pub(crate) struct Poller {
    interval: Duration,
    deadline: Instant,
    transient_failures: u32,
}

impl Poller {
    /// A poll with the provider's `interval` (or [`DEFAULT_INTERVAL`]),
    /// ending at `deadline`.
    pub(crate) fn new(interval: Option<Duration>, deadline: Instant) -> Self {
        Poller {
            interval: interval.unwrap_or(DEFAULT_INTERVAL).max(MIN_INTERVAL),
            deadline,
            transient_failures: 0,
        }
    }

    /// The wait before the next request.
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// Reads one answer of the token endpoint: `None` to poll again,
    /// `Some` to stop with that result.
    pub(crate) fn on_answer(
        &mut self,
        answer: Result<TokenResponse, TokenError>,
    ) -> Option<Result<TokenResponse, DeviceError>> {
        let error = match answer {
            Ok(tokens) => return Some(Ok(tokens)),
            Err(error) => error,
        };
        match &error {
            TokenError::Provider { error: code, .. } if code == "authorization_pending" => {
                self.transient_failures = 0;
                None
            }
            TokenError::Provider { error: code, .. } if code == "slow_down" => {
                self.transient_failures = 0;
                self.interval = self.interval.saturating_add(SLOW_DOWN_STEP);
                None
            }
            TokenError::Provider {
                error: code,
                description,
                ..
            } if code == "access_denied" => Some(Err(DeviceError::AccessDenied {
                description: description.clone(),
            })),
            TokenError::Provider { error: code, .. } if code == "expired_token" => {
                Some(Err(DeviceError::Expired))
            }
            TokenError::Transport(
                TransportError::Timeout { .. } | TransportError::Connect { .. },
            ) if self.transient_failures < MAX_TRANSIENT_RETRIES => {
                self.transient_failures += 1;
                self.interval = self.interval.saturating_mul(2);
                None
            }
            _ => Some(Err(DeviceError::Token(error))),
        }
    }
}

/// Polls with `request` until the poller stops or the device code expires.
/// Cancel-safe: dropping the future stops polling (an in-flight request
/// is abandoned) and changes nothing outside it.
pub(crate) async fn run<F, Fut>(
    mut poller: Poller,
    mut request: F,
) -> Result<TokenResponse, DeviceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<TokenResponse, TokenError>>,
{
    loop {
        let at = Instant::now() + poller.interval();
        // A request after the expiry could only be answered
        // `expired_token`: the provider is not asked.
        if at >= poller.deadline {
            return Err(DeviceError::Expired);
        }
        tokio::time::sleep_until(at).await;
        if let Some(done) = poller.on_answer(request().await) {
            return done;
        }
    }
}

#[cfg(test)]
mod tests;
