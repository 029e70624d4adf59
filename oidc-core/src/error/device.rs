//! Errors of the device authorization grant (RFC 8628): starting it at the
//! device authorization endpoint, and polling the token endpoint.

use super::login::describe;
use super::{ConfigError, TokenError, TransportError};

/// A device sign-in ([`Client::device_login`](crate::Client::device_login))
/// could not start, or did not end with a verified login.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The provider publishes no `device_authorization_endpoint`: it does
    /// not offer device sign-in (or not through discovery).
    #[error(
        "the provider publishes no device_authorization_endpoint (RFC 8628): it does not offer device sign-in"
    )]
    Unsupported,
    /// A requested scope is not a valid scope token (RFC 6749 section 3.3).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An extra parameter names one the flow sets itself (`scope`,
    /// `client_id`, the client's credentials).
    #[error("the parameter `{0}` is set by the device flow and cannot be given as an extra one")]
    ReservedParameter(String),
    /// The request to the device authorization endpoint failed.
    #[error("device authorization request failed: {0}")]
    Transport(#[from] TransportError),
    /// The device authorization endpoint refused the request with an OAuth
    /// error (e.g. `invalid_client`, `invalid_scope`,
    /// `unauthorized_client` when the client may not use this grant).
    #[error("the device authorization endpoint returned `{error}`{}", describe(.description))]
    Refused {
        /// The OAuth error code.
        error: String,
        /// The provider's description.
        description: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// The device authorization response is not what RFC 8628 section 3.2
    /// describes.
    #[error("the device authorization response is invalid: {0}")]
    InvalidResponse(String),
    /// The user denied the request at the provider (`access_denied`).
    #[error("the user denied the sign-in{}", describe(.description))]
    AccessDenied {
        /// The provider's description.
        description: Option<String>,
    },
    /// The device code expired before the user approved: the provider said
    /// `expired_token`, or the `expires_in` it gave has passed. Start again.
    #[error("the device code expired before the user approved the sign-in: start again")]
    Expired,
    /// The token endpoint refused the device code with another OAuth error,
    /// the request failed (after the bounded retries of a timeout or a
    /// broken connection), or the tokens did not verify (ID token,
    /// UserInfo): the same errors as the code flow's exchange.
    #[error(transparent)]
    Token(#[from] TokenError),
}
