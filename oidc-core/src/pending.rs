//! The login between the redirect and the callback: a serializable value that
//! an application seals into a cookie (encrypted, authenticated, expiring)
//! and restores on the callback, on any instance that holds the key.

use crate::config::ResponseMode;
use crate::error::{ConfigError, PendingLoginError};
use crate::id_token::unix_now;
use crate::secret::{CsrfState, Nonce, PkceVerifier};
use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce as AeadNonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
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

/// A 256-bit key that seals pending logins (AES-256-GCM).
///
/// Every instance of a scaled-out application that must finish logins started
/// by another needs the same key. Generate one with [`SealingKey::generate`]
/// and store it as base64 ([`SealingKey::to_base64`]) in your secret store.
#[derive(Clone)]
pub struct SealingKey {
    bytes: [u8; 32],
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

impl SealingKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, ConfigError> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| {
            ConfigError::InvalidSealingKey("the random number generator failed".into())
        })?;
        Ok(Self { bytes })
    }

    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { bytes }
    }

    /// A key from base64 (standard or URL-safe, padded or not) of 32 bytes.
    pub fn from_base64(encoded: &str) -> Result<Self, ConfigError> {
        let trimmed = encoded.trim().trim_end_matches('=');
        let decoded = URL_SAFE_NO_PAD
            .decode(trimmed)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
            .map_err(|_| ConfigError::InvalidSealingKey("not valid base64".into()))?;
        let bytes: [u8; 32] = decoded.try_into().map_err(|v: Vec<u8>| {
            ConfigError::InvalidSealingKey(format!("expected 32 bytes, got {}", v.len()))
        })?;
        Ok(Self { bytes })
    }

    /// The key as standard base64, for storing in a secret store.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    fn aead(&self) -> Result<RandomizedNonceKey, PendingLoginError> {
        RandomizedNonceKey::new(&AES_256_GCM, &self.bytes).map_err(|_| PendingLoginError::Seal)
    }
}

/// Parses base64 (see [`SealingKey::from_base64`]), so a key can be a
/// field of an `#[oidc_client]` struct read from the environment.
impl std::str::FromStr for SealingKey {
    type Err = ConfigError;
    fn from_str(encoded: &str) -> Result<Self, Self::Err> {
        Self::from_base64(encoded)
    }
}

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

    /// Opens a sealed login. Fails if it was tampered with, sealed with
    /// another key, or has expired.
    pub fn unseal(sealed: &str, key: &SealingKey) -> Result<Self, PendingLoginError> {
        if sealed.len() > MAX_SEALED_LEN {
            return Err(PendingLoginError::Malformed);
        }
        let encoded = sealed
            .strip_prefix(SEAL_PREFIX)
            .ok_or(PendingLoginError::Malformed)?;
        let mut bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| PendingLoginError::Malformed)?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(PendingLoginError::Malformed);
        }
        let mut ciphertext = bytes.split_off(NONCE_LEN);
        let nonce = AeadNonce::try_assume_unique_for_key(&bytes)
            .map_err(|_| PendingLoginError::Malformed)?;
        let plaintext = key
            .aead()?
            .open_in_place(nonce, Aad::from(SEAL_AAD), &mut ciphertext)
            .map_err(|_| PendingLoginError::BadSeal)?;
        let pending: Self =
            serde_json::from_slice(plaintext).map_err(|_| PendingLoginError::Malformed)?;
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

    /// When the login expires, in seconds since the epoch.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// Encrypts and authenticates `plaintext` into the sealed format.
pub(crate) fn seal_bytes(plaintext: &[u8], key: &SealingKey) -> Result<String, PendingLoginError> {
    let mut buffer = plaintext.to_vec();
    let nonce = key
        .aead()?
        .seal_in_place_append_tag(Aad::from(SEAL_AAD), &mut buffer)
        .map_err(|_| PendingLoginError::Seal)?;
    let mut sealed = Vec::with_capacity(NONCE_LEN + buffer.len());
    sealed.extend_from_slice(nonce.as_ref());
    sealed.extend_from_slice(&buffer);
    Ok(format!("{SEAL_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample(expires_in: i64) -> PendingLogin {
        let now = unix_now();
        PendingLogin {
            issuer: "https://op.example".into(),
            client_id: "cid".into(),
            state: CsrfState::new("state-value"),
            nonce: Nonce::new("nonce-value"),
            pkce_verifier: PkceVerifier::new("verifier-value"),
            redirect_uri: "https://app.example/cb".into(),
            response_mode: ResponseMode::FormPost,
            created_at: now,
            expires_at: now + expires_in,
            max_age: None,
            app_data: Some("/account".into()),
        }
    }

    #[test]
    fn seal_round_trip() {
        let key = SealingKey::generate().unwrap();
        let sealed = sample(600).seal(&key).unwrap();
        assert!(sealed.len() < 1024, "{}", sealed.len());
        assert!(!sealed.contains("state-value"));
        let opened = PendingLogin::unseal(&sealed, &key).unwrap();
        assert_eq!(opened.state.secret(), "state-value");
        assert_eq!(opened.app_data(), Some("/account"));
    }

    #[test]
    fn other_key_and_tampering_fail() {
        let key = SealingKey::generate().unwrap();
        let sealed = sample(600).seal(&key).unwrap();
        let other = SealingKey::generate().unwrap();
        assert_eq!(
            PendingLogin::unseal(&sealed, &other).err(),
            Some(PendingLoginError::BadSeal)
        );
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 5;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(PendingLogin::unseal(&tampered, &key).is_err());
        assert_eq!(
            PendingLogin::unseal("garbage", &key).err(),
            Some(PendingLoginError::Malformed)
        );
        assert_eq!(
            PendingLogin::unseal("v1.AAAA", &key).err(),
            Some(PendingLoginError::Malformed)
        );
    }

    #[test]
    fn expired_logins_do_not_open() {
        let key = SealingKey::generate().unwrap();
        let sealed = sample(-1).seal(&key).unwrap();
        assert!(matches!(
            PendingLogin::unseal(&sealed, &key),
            Err(PendingLoginError::Expired(_))
        ));
    }

    #[test]
    fn key_base64_round_trip_and_errors() {
        let key = SealingKey::generate().unwrap();
        let again = SealingKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(again.bytes, key.bytes);
        assert!(SealingKey::from_base64("c2hvcnQ=").is_err());
        assert!(SealingKey::from_base64("!!!").is_err());
        assert_eq!(format!("{key:?}"), "SealingKey(<redacted>)");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn login_with(app_data: String) -> PendingLogin {
            PendingLogin {
                app_data: Some(app_data),
                ..sample(600)
            }
        }

        /// The sealed string with bit `bit` of byte `index` flipped, if
        /// that is still a string.
        fn flipped(sealed: &str, index: usize, bit: u8) -> Option<String> {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[index] ^= 1 << bit;
            String::from_utf8(bytes).ok()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// A sealed login opens with its key, and only with its key.
            #[test]
            fn opens_only_with_its_key(
                key in any::<[u8; 32]>(),
                other in any::<[u8; 32]>(),
                app_data in ".{0,64}",
            ) {
                prop_assume!(key != other);
                let key = SealingKey::from_bytes(key);
                let sealed = login_with(app_data.clone()).seal(&key).unwrap();
                let opened = PendingLogin::unseal(&sealed, &key).unwrap();
                prop_assert_eq!(opened.app_data(), Some(app_data.as_str()));
                prop_assert_eq!(opened.state.secret(), "state-value");
                prop_assert_eq!(
                    PendingLogin::unseal(&sealed, &SealingKey::from_bytes(other)).err(),
                    Some(PendingLoginError::BadSeal)
                );
            }

            /// Every single-bit flip anywhere in the sealed string is refused.
            #[test]
            fn every_bit_flip_of_the_string_is_refused(
                key in any::<[u8; 32]>(),
                app_data in "[a-z/]{0,16}",
            ) {
                let key = SealingKey::from_bytes(key);
                let sealed = login_with(app_data).seal(&key).unwrap();
                for index in 0..sealed.len() {
                    for bit in 0..8 {
                        if let Some(tampered) = flipped(&sealed, index, bit) {
                            prop_assert!(
                                PendingLogin::unseal(&tampered, &key).is_err(),
                                "flip of bit {} of byte {} was accepted", bit, index
                            );
                        }
                    }
                }
            }

            /// Every single-bit flip of the sealed bytes (nonce, ciphertext,
            /// tag), re-encoded, fails authentication.
            #[test]
            fn every_bit_flip_of_the_bytes_is_refused(
                key in any::<[u8; 32]>(),
                index in any::<prop::sample::Index>(),
                bit in 0u8..8,
            ) {
                let key = SealingKey::from_bytes(key);
                let sealed = sample(600).seal(&key).unwrap();
                let mut bytes = URL_SAFE_NO_PAD
                    .decode(sealed.strip_prefix(SEAL_PREFIX).unwrap())
                    .unwrap();
                let at = index.index(bytes.len());
                bytes[at] ^= 1 << bit;
                let tampered = format!("{SEAL_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
                prop_assert_eq!(
                    PendingLogin::unseal(&tampered, &key).err(),
                    Some(PendingLoginError::BadSeal)
                );
            }

            /// Arbitrary input never opens and never panics.
            #[test]
            fn garbage_never_opens(input in ".{0,512}") {
                let key = SealingKey::from_bytes([9; 32]);
                prop_assert!(PendingLogin::unseal(&input, &key).is_err());
                let prefixed = format!("{SEAL_PREFIX}{input}");
                prop_assert!(PendingLogin::unseal(&prefixed, &key).is_err());
            }
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let shown = format!("{:?}", sample(600));
        assert!(
            !shown.contains("state-value")
                && !shown.contains("nonce-value")
                && !shown.contains("verifier-value")
        );
    }
}
