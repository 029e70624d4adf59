//! Test helpers for applications (cargo feature `testing`).
//!
//! An application that signs its users in with this SDK tests its own
//! routes with two helpers:
//!
//! - [`sign_in`] plays the user at the provider's pages over plain HTTP:
//!   it opens the application's login URL, follows the redirects, fills in
//!   the sign-in form and comes back through the application's callback,
//!   leaving the session cookie in the client's cookie store.
//! - [`approve_device`] and [`decide_device`] play the user of a device
//!   sign-in (RFC 8628): enter the user code, sign in, approve or deny.
//! - [`DevProvider::mint_id_token`], [`DevProvider::mint_access_token`] and
//!   [`DevProvider::mint_logout_token`] sign tokens for a user with the
//!   provider's current keys, with claims the test chooses
//!   ([`MintToken::claim`]), so an API or a back-channel logout route can be
//!   called without running a login at all.
//!
//! [`DevProvider::mint_id_token`]: crate::DevProvider::mint_id_token
//! [`DevProvider::mint_access_token`]: crate::DevProvider::mint_access_token
//! [`DevProvider::mint_logout_token`]: crate::DevProvider::mint_logout_token

mod device;
mod mint;
mod sign_in;

pub use device::{DeviceDecision, approve_device, decide_device};
pub use mint::{MintError, MintToken};
pub use sign_in::{
    SignInError, SignedIn, Submission, UserAction, browser_client, form_post_submission, sign_in,
    user_submission,
};

#[cfg(test)]
mod tests;
