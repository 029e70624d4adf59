//! Errors of a login before its tokens: starting it, its pending state, its callback.

use super::StoreError;
use std::time::Duration;

/// The login could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// The provider does not advertise this `prompt` value.
    #[error(
        "the provider does not support prompt=`{prompt}` (prompt_values_supported: {advertised})"
    )]
    PromptNotSupported {
        /// The requested prompt.
        prompt: String,
        /// What the provider advertises.
        advertised: String,
    },
    /// `prompt=none` combined with another prompt value.
    #[error("prompt=none cannot be combined with other prompt values")]
    PromptNoneCombined,
    /// An extra parameter would override one the flow controls.
    #[error("parameter `{0}` is set by the login flow itself and cannot be overridden")]
    ReservedParameter(String),
    /// The random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// An extra parameter is given more than once (by the configuration,
    /// the login, or both): RFC 6749 section 3.1 allows each parameter once.
    #[error(
        "parameter `{0}` is given more than once (ClientConfig::authorization_param, the login's param or acr_values): set it in one place"
    )]
    DuplicateParameter(String),
}

/// A pending login could not be sealed or restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PendingLoginError {
    /// The sealed value is not in the expected format (not ours, or truncated).
    #[error("the pending login cookie is malformed")]
    Malformed,
    /// Decryption failed: tampered, or sealed with another key.
    #[error(
        "the pending login cookie does not open with this key: it was tampered with, or sealed by an instance with a different sealing key"
    )]
    BadSeal,
    /// The login was started too long ago.
    #[error("the login expired: it was started more than {0:?} ago; start again")]
    Expired(Duration),
    /// The pending login belongs to another client or provider.
    #[error("the pending login was started for another client or provider")]
    WrongClient,
    /// Sealing failed (random number generator).
    #[error("sealing the pending login failed")]
    Seal,
}

/// The authorization response (the callback) was rejected. No token request
/// is made after any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The provider answered with an error, e.g. `access_denied` when the user cancels.
    #[error("the provider returned `{error}`{}", describe(.description))]
    Provider {
        /// The OAuth error code.
        error: String,
        /// The provider's human-readable description, if any.
        description: Option<String>,
        /// A page about the error, if any.
        uri: Option<String>,
    },
    /// The response is not valid form-urlencoded data.
    #[error("the callback is malformed: {0}")]
    Malformed(&'static str),
    /// A parameter appears more than once (RFC 6749 section 3.1).
    #[error("the callback repeats the parameter `{0}`")]
    DuplicateParameter(String),
    /// A parameter that has no place in a code-flow response is present.
    #[error(
        "the callback carries `{0}`, which a code-flow response never contains (token injection?)"
    )]
    UnexpectedParameter(String),
    /// `state` is missing.
    #[error("the callback has no `state`")]
    MissingState,
    /// `state` differs from the one sent: a forged or crossed-over response.
    #[error(
        "the callback's `state` does not match this login (forged request, or another tab's login)"
    )]
    StateMismatch,
    /// `code` is missing from a success response.
    #[error("the callback has neither `code` nor `error`")]
    MissingCode,
    /// `iss` differs from the issuer (RFC 9207 mix-up defence).
    #[error("the callback's `iss` is `{found}`, not this provider (`{expected}`)")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The received `iss`.
        found: String,
    },
    /// `iss` is missing although the provider promised it (RFC 9207).
    #[error(
        "the callback has no `iss` although the provider advertises authorization_response_iss_parameter_supported"
    )]
    MissingIssuer,
    /// The response came by another response mode than the one requested.
    #[error("the callback arrived by {received} but the login asked for {expected}")]
    ResponseModeMismatch {
        /// The requested mode.
        expected: &'static str,
        /// How it arrived.
        received: &'static str,
    },
    /// The login was started too long ago.
    #[error("the login expired before the callback arrived; start again")]
    LoginExpired,
    /// This login already received its callback (replay).
    #[error("this login was already completed or its callback already used; start a new login")]
    AlreadyUsed,
    /// The client remembers too many used `state`s (a flood of logins) and
    /// forgot some that expire no earlier than this login's: it cannot
    /// tell whether this callback is a replay, so it refuses it.
    #[error(
        "too many logins are in flight to prove this callback is not a replay; start a new login"
    )]
    ReplayUnverifiable,
    /// The shared [`ReplayStore`](crate::replay::ReplayStore) could not
    /// say whether this callback was used on another instance: refused
    /// rather than risk a replay (answer 503; the user starts again).
    #[error("cannot check this callback against the other instances: {0}")]
    StoreUnavailable(StoreError),
}

/// `: description`, or nothing: how provider error descriptions follow
/// their code in messages.
pub(super) fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}
