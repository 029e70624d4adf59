//! Logout, both ways.
//!
//! - **RP-initiated** (OpenID Connect RP-Initiated Logout 1.0): the
//!   application sends the user to the provider's `end_session_endpoint`
//!   ([`Client::end_session_url`]).
//! - **Back-channel** (OpenID Connect Back-Channel Logout 1.0): the
//!   provider tells the application, server to server, that a user's
//!   session at the provider ended, by POSTing a signed *logout token* to
//!   the application's `backchannel_logout_uri`.
//!
//! Two parts, usable without any web framework:
//!
//! - [`Client::verify_logout_token`] checks a logout token (section 2.6).
//! - [`LogoutRegistry`] remembers which sessions ended, so that the
//!   application can end its own sessions the next time they are used
//!   (session stores generally cannot be searched by user). With the `axum`
//!   feature, `Oidc::backchannel_logout_path` serves the endpoint and the
//!   `SignedIn` extractor consults the registry.
//!
//! ```no_run
//! use oidc_core::logout::{LoggedOut, LogoutRegistry, MemoryLogoutRegistry};
//! use oidc_core::Client;
//!
//! # async fn handle(client: &Client, registry: &MemoryLogoutRegistry, logout_token: &str) -> u16 {
//! // POST {backchannel_logout_uri} with the form field `logout_token`:
//! match client.verify_logout_token(logout_token).await {
//!     Ok(token) => {
//!         // End the sessions it names: sessions check the registry on use.
//!         let _ = registry.record(LoggedOut::from_token(&token)).await;
//!         200
//!     }
//!     // Answer 400 with {"error":"invalid_request"} and Cache-Control: no-store.
//!     Err(_) => 400,
//! }
//! # }
//! ```
//!
//! # What is checked (section 2.6)
//!
//! - The JOSE header as for ID tokens (allow-listed algorithm, no `crit`,
//!   no embedded keys) and `typ`, when present, is `logout+jwt` (or
//!   `application/logout+jwt`): an ID token or access token is never taken
//!   for a logout token.
//! - The signature, with a key from the provider's JWKS.
//! - `iss` is the provider; `aud` contains the client id and no untrusted
//!   audience.
//! - `iat` is present, not in the future and not older than the maximum ID
//!   token age (10 minutes by default), with the clock tolerance; `exp` is
//!   present (errata set 1 of the specification) and has not passed.
//! - `events` is an object whose member
//!   `http://schemas.openid.net/event/backchannel-logout` is an object.
//! - `sub` or `sid` (or both) is present; `nonce` is not (that would make it
//!   an ID token).
//! - `jti` is present and was not seen before by this [`Client`] (an
//!   in-memory replay cache, bounded, entries kept while the token could
//!   still be accepted: until the earlier of `iat` plus the maximum age and
//!   `exp`, plus the clock tolerance), or by any instance sharing the
//!   client's [`ReplayStore`](crate::replay::ReplayStore).
//!
//! # When a logout takes effect
//!
//! At the token's `iat` (capped at the time it is received, since `iat` may
//! be up to the clock tolerance in the future), not when it arrived: a token
//! delivered late, retried by the provider or replayed does not end the
//! sessions the user started after the logout ([`LoggedOut::from_token`]).
//!
//! This layer uses the client (`crate::client`), the JOSE layer
//! (`crate::jose`) to verify logout tokens, and `crate::util`.

pub(crate) mod backchannel;
mod registry;
mod rp_initiated;

#[cfg(any(feature = "axum", feature = "fuzzing"))]
pub(crate) use backchannel::logout_token_from_request;
pub use backchannel::{BACKCHANNEL_LOGOUT_EVENT, LogoutToken, LogoutTokenError};
pub use registry::{
    BoxFuture, LoggedOut, LogoutRegistry, MemoryLogoutRegistry, RegistryError, SessionInfo,
};

#[cfg(doc)]
use crate::Client;
