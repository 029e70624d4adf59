//! Errors, one enum per failure domain.
//!
//! Each variant says what went wrong and, where the developer can act, what
//! to do. None of them carries a secret: codes, tokens and client secrets are
//! never part of an error message.
//!
//! | Domain | Enum | Returned by |
//! | --- | --- | --- |
//! | your configuration | [`ConfigError`] | [`ClientConfig`](crate::ClientConfig) checks, [`Client::discover`](crate::Client::discover) |
//! | the provider's metadata | [`DiscoveryError`] | [`Client::discover`](crate::Client::discover) |
//! | starting a login | [`AuthorizeError`] | [`Login::redirect`](crate::Login::redirect) |
//! | the pending login | [`PendingLoginError`] | [`PendingLogin::unseal`](crate::PendingLogin::unseal), [`Client::resume`](crate::Client::resume) |
//! | the callback | [`CallbackError`] | [`Callback`](crate::Callback) parsing, [`Login::receive`](crate::Login::receive) |
//! | tokens and claims | [`TokenError`], [`IdTokenError`] (with [`JwsError`] and [`ClaimsError`], shared by every token) | [`Login::exchange`](crate::Login::exchange) |
//! | device sign-in (RFC 8628) | [`DeviceError`] | [`Client::device_login`](crate::Client::device_login), [`DeviceAuthorization::poll`](crate::device::DeviceAuthorization::poll) |
//! | the network | [`TransportError`] | any call to the provider |
//! | an API's bearer tokens | [`AccessTokenError`](crate::AccessTokenError), [`BearerError`](crate::access_token::BearerError) | [`AccessTokenVerifier`](crate::AccessTokenVerifier) |
//! | back-channel logout | [`LogoutTokenError`](crate::LogoutTokenError) | [`Client::verify_logout_token`](crate::Client::verify_logout_token) |
//! | a native app's redirect | [`LoopbackError`](crate::loopback::LoopbackError) | [`LoopbackServer`](crate::loopback::LoopbackServer) |
//! | the application's claims type | [`ClaimsTypeError`] | `claims::<T>()` on a login, [`UserInfo`](crate::UserInfo), ID and access token claims, `SignedIn` |
//! | a store shared by instances | [`StoreError`] | [`ReplayStore`](crate::replay::ReplayStore), the `redis` module |
//!
//! [`Error`] wraps them all for applications that just want `?`.

mod check;
mod claims_type;
mod config;
mod device;
mod discovery;
mod jose;
mod login;
mod store;
mod token;

pub(crate) use check::CheckName;
pub use claims_type::{ClaimProblem, ClaimsTypeError};
pub use config::{ConfigError, EnvProblem};
pub use device::DeviceError;
pub use discovery::DiscoveryError;
pub use jose::{ClaimsError, IdTokenError, JwsError};
pub use login::{AuthorizeError, CallbackError, PendingLoginError};
pub use store::StoreError;
pub use token::{TokenError, TransportError};

/// Anything that can go wrong, for applications that handle errors in one
/// place. Match on the inner enums for details.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Discovery failed or the provider's metadata is unusable.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The login could not be started.
    #[error(transparent)]
    Authorize(#[from] AuthorizeError),
    /// The pending login could not be restored.
    #[error(transparent)]
    PendingLogin(#[from] PendingLoginError),
    /// The authorization response was rejected.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// The token exchange or the verification of its result failed.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A request to the provider failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A device sign-in (RFC 8628) failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// An API refused an access token.
    #[error(transparent)]
    AccessToken(#[from] crate::AccessTokenError),
    /// An API refused a request's `Authorization` header.
    #[error(transparent)]
    Bearer(#[from] crate::access_token::BearerError),
    /// A back-channel logout token was refused.
    #[error(transparent)]
    LogoutToken(#[from] crate::LogoutTokenError),
    /// A native app's loopback redirect failed.
    #[error(transparent)]
    Loopback(#[from] crate::loopback::LoopbackError),
    /// A store shared by the application's instances failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The claims are not what the application's type says.
    #[error(transparent)]
    ClaimsType(#[from] ClaimsTypeError),
}
