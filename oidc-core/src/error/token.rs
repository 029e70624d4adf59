//! Errors of the token and UserInfo requests, and of the network under them.

use super::login::describe;
use super::{CallbackError, IdTokenError};
use std::time::Duration;

/// The token exchange failed, or its result did not verify.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The request to the token endpoint failed.
    #[error("token request failed: {0}")]
    Transport(#[from] TransportError),
    /// The token endpoint answered with an OAuth error.
    #[error("the token endpoint returned `{error}`{}", describe(.description))]
    Provider {
        /// The OAuth error code (e.g. `invalid_grant`).
        error: String,
        /// The provider's description.
        description: Option<String>,
        /// A page about the error.
        uri: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// The token response is not what RFC 6749 section 5.1 describes.
    #[error("the token response is invalid: {0}")]
    InvalidResponse(String),
    /// The response has no `id_token` (an OpenID Connect login needs one).
    #[error(
        "the token response has no id_token: is `openid` among the scopes the provider granted?"
    )]
    MissingIdToken,
    /// The token type is not Bearer.
    #[error("unsupported token_type `{0}`: only Bearer is supported")]
    UnsupportedTokenType(String),
    /// The ID token failed verification.
    #[error("the ID token was rejected: {0}")]
    IdToken(#[from] IdTokenError),
    /// The UserInfo response failed.
    #[error("the UserInfo response was rejected: {0}")]
    UserInfo(String),
    /// Claims about the user disagree on the subject.
    #[error("{source_name} names subject `{found}` but the ID token names `{expected}`")]
    SubjectMismatch {
        /// Where the differing `sub` came from.
        source_name: &'static str,
        /// The ID token's `sub`.
        expected: String,
        /// The other `sub`.
        found: String,
    },
    /// The callback was refused by the shared
    /// [`ReplayStore`](crate::replay::ReplayStore), asked before the code
    /// is spent: [`CallbackError::AlreadyUsed`] (completed on another
    /// instance) or [`CallbackError::StoreUnavailable`].
    #[error(transparent)]
    Callback(CallbackError),
    /// There is no refresh token to refresh with.
    #[error(
        "there is no refresh token: request the `offline_access` scope or check the provider's policy"
    )]
    NoRefreshToken,
    /// The provider publishes no `revocation_endpoint`, so tokens cannot
    /// be revoked (see [`Client::supports_revocation`](crate::Client::supports_revocation)).
    #[error("the provider publishes no revocation_endpoint (RFC 7009): its tokens can only expire")]
    RevocationUnsupported,
    /// The revocation endpoint refused the request with an OAuth error
    /// (RFC 7009 section 2.2.1; `unsupported_token_type` when the provider
    /// does not revoke that kind of token).
    #[error("the revocation endpoint returned `{error}`{}", describe(.description))]
    RevocationRefused {
        /// The OAuth error code (e.g. `invalid_client`).
        error: String,
        /// The provider's description.
        description: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// The application's [`ClientConfig::client_secret_fn`](crate::ClientConfig::client_secret_fn)
    /// failed, so the request was not sent.
    #[error("the client secret callback failed: {0}")]
    ClientSecretUnavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The client assertion (`private_key_jwt`, `client_secret_jwt`)
    /// could not be made (signing or the random generator failed), so the
    /// request was not sent.
    #[error("the client assertion could not be signed: {0}")]
    ClientAssertion(String),
}

/// A request to the provider failed at the HTTP level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The request did not complete within the deadline.
    #[error("{url}: no complete response within {timeout:?}")]
    Timeout {
        /// The URL (without query).
        url: String,
        /// The deadline.
        timeout: Duration,
    },
    /// Could not connect or the connection broke.
    #[error("{url}: {reason}")]
    Connect {
        /// The URL (without query).
        url: String,
        /// The underlying error.
        reason: String,
    },
    /// The response body is larger than the cap.
    #[error("{url}: the response body exceeds {limit} bytes")]
    BodyTooLarge {
        /// The URL (without query).
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The provider answered with a redirect, which back-channel calls never follow.
    #[error(
        "{url}: the provider answered with a redirect ({status}), which is not followed on back-channel calls"
    )]
    Redirect {
        /// The URL (without query).
        url: String,
        /// The status code.
        status: u16,
    },
    /// An unexpected HTTP status.
    #[error("{url}: unexpected HTTP status {status}")]
    Status {
        /// The URL (without query).
        url: String,
        /// The status code.
        status: u16,
    },
    /// The response is not JSON, or has the wrong content type.
    #[error("{url}: {reason}")]
    NotJson {
        /// The URL (without query).
        url: String,
        /// What was wrong.
        reason: String,
    },
}
