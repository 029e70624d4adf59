//! The login between the redirect and the callback: a serializable value that
//! an application seals into a cookie (encrypted, authenticated, expiring)
//! and restores on the callback, on any instance that holds the key.

mod sealing_key;

pub use sealing_key::SealingKey;

use crate::config::ResponseMode;
use crate::error::PendingLoginError;
use crate::secret::{CsrfState, Nonce, PkceVerifier};
use crate::util::unix_now;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Format marker of sealed values; bump to change the format.
const SEAL_PREFIX: &str = "v1.";
/// Associated data binding the ciphertext to its purpose, so a value sealed
/// for another use of the same key does not open here.
const SEAL_AAD: &[u8] = b"oidc-core pending login v1";
/// A sealed pending login larger than this is refused before decrypting.
const MAX_SEALED_LEN: usize = 8 * 1024;

/// A started login, between the redirect and the callback.
///
/// Obtain it from [`Login::into_pending`](crate::Login::into_pending), keep
/// it (sealed in a cookie with [`PendingLogin::seal`], or in a server-side
/// store: it is `Serialize`), and turn it back into a login with
/// [`Client::resume`](crate::Client::resume). It holds the secrets of one
/// login (state, nonce, PKCE verifier): never log it, never reuse it.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) state: CsrfState,
    pub(crate) nonce: Nonce,
    pub(crate) pkce_verifier: PkceVerifier,
    pub(crate) redirect_uri: String,
    pub(crate) response_mode: ResponseMode,
    /// Seconds since the epoch.
    pub(crate) created_at: i64,
    /// Seconds since the epoch.
    pub(crate) expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_age: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) app_data: Option<String>,
    /// The `acr_values` requested, which the ID token's `acr` must be one
    /// of. Absent from logins sealed before it existed, which asked none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) acr_values: Vec<String>,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("state", &self.state)
            .field("response_mode", &self.response_mode)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PendingLogin {
    /// Encrypts and authenticates this login into a cookie-safe string
    /// (base64url, a few hundred bytes).
    pub fn seal(&self, key: &SealingKey) -> Result<String, PendingLoginError> {
        let plaintext = serde_json::to_vec(self).map_err(|_| PendingLoginError::Seal)?;
        seal_bytes(&plaintext, key)
    }

    /// Opens a sealed login, with any key of the ring. Fails if it was
    /// tampered with, sealed with another key, or has expired (logged as
    /// a refused login, see [`PendingLoginError::check_name`]).
    pub fn unseal(sealed: &str, key: &SealingKey) -> Result<Self, PendingLoginError> {
        Self::open(sealed, key).inspect_err(crate::provider::trace::login_refused)
    }

    fn open(sealed: &str, key: &SealingKey) -> Result<Self, PendingLoginError> {
        if sealed.len() > MAX_SEALED_LEN {
            return Err(PendingLoginError::Malformed);
        }
        let encoded = sealed
            .strip_prefix(SEAL_PREFIX)
            .ok_or(PendingLoginError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| PendingLoginError::Malformed)?;
        let plaintext = key.open(SEAL_AAD, &bytes)?;
        let pending: Self =
            serde_json::from_slice(&plaintext).map_err(|_| PendingLoginError::Malformed)?;
        pending.check_fresh()?;
        Ok(pending)
    }

    /// Fails if the login is past its expiry.
    pub(crate) fn check_fresh(&self) -> Result<(), PendingLoginError> {
        if unix_now() >= self.expires_at {
            let lifetime =
                u64::try_from(self.expires_at.saturating_sub(self.created_at)).unwrap_or(0);
            return Err(PendingLoginError::Expired(Duration::from_secs(lifetime)));
        }
        Ok(())
    }

    /// The `state` of this login, to name its cookie (each concurrent login
    /// has its own). The value is a CSRF token: treat it as a secret.
    pub fn state(&self) -> &CsrfState {
        &self.state
    }

    /// The response mode the login asked for.
    pub fn response_mode(&self) -> ResponseMode {
        self.response_mode
    }

    /// The application value attached with [`Login::app_data`](crate::Login::app_data).
    pub fn app_data(&self) -> Option<&str> {
        self.app_data.as_deref()
    }

    /// The `acr_values` the login asked for (empty if none): the ID
    /// token's `acr` must be one of them.
    pub fn acr_values(&self) -> &[String] {
        &self.acr_values
    }

    /// When the login expires, in seconds since the epoch.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// Encrypts and authenticates `plaintext` into the sealed format, with the
/// first key of the ring.
pub(crate) fn seal_bytes(plaintext: &[u8], key: &SealingKey) -> Result<String, PendingLoginError> {
    let sealed = key.seal(SEAL_AAD, plaintext)?;
    Ok(format!("{SEAL_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
}

#[cfg(test)]
mod tests;
