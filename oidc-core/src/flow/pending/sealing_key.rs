//! The key that seals pending logins: parsing the keys users already have,
//! deriving the AES-256-GCM key from them, and encrypting with it.

use crate::error::{ConfigError, PendingLoginError};
use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use base64::Engine;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use secrecy::zeroize::Zeroizing;
use std::fmt;
use std::sync::Arc;

/// Fewer random bytes than this are refused: the AES key is 256 bits, and a
/// shorter input would be its weakest link.
const MIN_KEY_LEN: usize = 32;
/// A sanity cap: more than this is a mistake (a file, a certificate), not a key.
const MAX_KEY_LEN: usize = 1024;
/// What every key error ends with.
const HOW_TO_MAKE_ONE: &str = "generate one with `openssl rand -base64 64`";

/// HKDF `info`: binds the derived key to this one purpose, so the same input
/// used elsewhere (say, as axum-extra's cookie `Key`) yields an unrelated
/// AES key here. Versioned: a new derivation gets a new label.
const HKDF_INFO: &[u8] = b"oidc-core pending-login v1";
/// HKDF salt: fixed and public rather than random. RFC 5869 §3.1 makes the
/// salt optional; it adds strength when the input is not uniformly random,
/// and the input here must already be at least 32 random bytes. A random
/// salt would have to be stored and shared by every instance along with the
/// key, i.e. it would just be more key. Not empty, because aws-lc's FIPS
/// mode only approves HKDF with a non-empty salt.
const HKDF_SALT: &[u8] = b"oidc-core SealingKey salt v1";

/// Padding optional, but if present it must be right.
const ANY_PADDING: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, ANY_PADDING);
const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, ANY_PADDING);

/// The key that seals pending logins (AES-256-GCM), or a ring of keys for
/// rotation: the first seals, every one opens.
///
/// Every instance of a scaled-out application that must finish logins started
/// by another needs the same key. Make one with
///
/// ```sh
/// openssl rand -base64 64
/// ```
///
/// and give it to every instance (an environment variable read with
/// [`SealingKey::from_base64`] or [`str::parse`], or a field of an
/// `#[oidc_client]` struct), or generate one in code with
/// [`SealingKey::generate`] and store [`SealingKey::to_base64`].
///
/// # Accepted keys
///
/// Base64 of **at least 32 random bytes** (at most 1 KiB), in the standard
/// or the URL-safe alphabet, padded or not. Whitespace is ignored, including
/// the line break `openssl rand -base64 64` puts after 64 characters. So a
/// key made for another cookie library (axum-extra's `Key` wants 64 bytes)
/// works as it is. Whatever its length, the AES-256 key is derived from it
/// with HKDF-SHA256 and a label of its own, so sharing the key with another
/// library does not share the AES key.
///
/// # Rotation
///
/// A comma-separated list (`NEW,OLD`) is a ring: logins are sealed with the
/// first key, and a cookie opens if any key in the list opens it. To rotate
/// without breaking logins in flight, deploy `NEW,OLD` everywhere, then,
/// once the pending-login lifetime has passed, just `NEW`. In code:
/// [`SealingKey::with_previous`].
#[derive(Clone)]
pub struct SealingKey {
    /// The sealing key first, then older ones that still open. Never empty.
    /// Shared: a `SealingKey` is cloned with the web state on every request.
    keys: Arc<[Arc<OneKey>]>,
}

struct OneKey {
    /// The bytes the key was made from, for [`SealingKey::to_base64`].
    material: Zeroizing<Vec<u8>>,
    /// The AES-256-GCM key derived from them.
    aead: RandomizedNonceKey,
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.keys.len() {
            1 => f.write_str("SealingKey(<redacted>)"),
            n => write!(f, "SealingKey(<redacted>, {n} keys)"),
        }
    }
}

impl SealingKey {
    /// A fresh random key of 32 bytes.
    pub fn generate() -> Result<Self, ConfigError> {
        let mut bytes = Zeroizing::new(vec![0u8; MIN_KEY_LEN]);
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| {
            ConfigError::InvalidSealingKey("the random number generator failed".into())
        })?;
        Self::from_material(bytes)
    }

    /// A key from at least 32 (at most 1024) random bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ConfigError> {
        Self::from_material(Zeroizing::new(bytes.to_vec()))
    }

    /// A key from base64 of at least 32 random bytes (standard or URL-safe
    /// alphabet, padded or not, whitespace ignored), or a comma-separated
    /// list of such keys: the first seals, all open (see
    /// [rotation](SealingKey#rotation)).
    pub fn from_base64(encoded: &str) -> Result<Self, ConfigError> {
        let items: Vec<&str> = encoded.split(',').collect();
        let mut keys = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let key = Self::one_from_base64(item).map_err(|reason| {
                ConfigError::InvalidSealingKey(if items.len() > 1 {
                    format!("key {} of the comma-separated list: {reason}", index + 1)
                } else {
                    reason
                })
            })?;
            keys.push(Arc::new(key));
        }
        Ok(Self { keys: keys.into() })
    }

    /// The same keys, with `older` (and the keys it holds, in order) after
    /// them: this key seals, and logins sealed with `older` still open.
    ///
    /// ```
    /// # fn main() -> Result<(), oidc_core::ConfigError> {
    /// use oidc_core::SealingKey;
    ///
    /// let old = SealingKey::generate()?;
    /// let new = SealingKey::generate()?;
    /// let ring = new.clone().with_previous(old.clone());
    /// // the same ring as the list `NEW,OLD`
    /// let listed: SealingKey = format!("{},{}", new.to_base64(), old.to_base64()).parse()?;
    /// assert_eq!(ring.to_base64(), listed.to_base64());
    /// # Ok(()) }
    /// ```
    pub fn with_previous(self, older: SealingKey) -> Self {
        let keys: Vec<Arc<OneKey>> = self.keys.iter().chain(older.keys.iter()).cloned().collect();
        Self { keys: keys.into() }
    }

    /// The key as standard base64 (padded), for storing in a secret store;
    /// a ring is the comma-separated list, sealing key first. Either way
    /// [`SealingKey::from_base64`] reads it back.
    pub fn to_base64(&self) -> String {
        self.keys
            .iter()
            .map(|key| STANDARD.encode(&*key.material))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Encrypts and authenticates `plaintext` with the first key: the
    /// nonce, then the ciphertext and tag.
    pub(super) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, PendingLoginError> {
        let sealing = self.keys.first().ok_or(PendingLoginError::Seal)?;
        let mut buffer = plaintext.to_vec();
        let nonce = sealing
            .aead
            .seal_in_place_append_tag(Aad::from(aad), &mut buffer)
            .map_err(|_| PendingLoginError::Seal)?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + buffer.len());
        sealed.extend_from_slice(nonce.as_ref());
        sealed.extend_from_slice(&buffer);
        Ok(sealed)
    }

    /// Opens what [`SealingKey::seal`] made, with whichever key
    /// authenticates it.
    pub(super) fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, PendingLoginError> {
        if sealed.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(PendingLoginError::Malformed);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        for key in self.keys.iter() {
            let nonce = Nonce::try_assume_unique_for_key(nonce)
                .map_err(|_| PendingLoginError::Malformed)?;
            let mut buffer = ciphertext.to_vec();
            if let Ok(plaintext) = key.aead.open_in_place(nonce, Aad::from(aad), &mut buffer) {
                let len = plaintext.len();
                buffer.truncate(len);
                return Ok(buffer);
            }
        }
        Err(PendingLoginError::BadSeal)
    }

    fn from_material(material: Zeroizing<Vec<u8>>) -> Result<Self, ConfigError> {
        let key = OneKey::new(material, "").map_err(ConfigError::InvalidSealingKey)?;
        Ok(Self {
            keys: Arc::new([Arc::new(key)]),
        })
    }

    /// One key of a list; the error names no byte of it.
    fn one_from_base64(item: &str) -> Result<OneKey, String> {
        let compact: Zeroizing<String> =
            Zeroizing::new(item.chars().filter(|c| !c.is_ascii_whitespace()).collect());
        if compact.is_empty() {
            return Err(format!(
                "it is empty; it must be base64 of at least {MIN_KEY_LEN} random bytes; {HOW_TO_MAKE_ONE}"
            ));
        }
        let decoded = STANDARD_ANY_PADDING
            .decode(compact.as_bytes())
            .or_else(|_| URL_SAFE_ANY_PADDING.decode(compact.as_bytes()))
            .map_err(|_| {
                format!(
                    "it is not base64 (standard or URL-safe alphabet); it must be base64 of at least {MIN_KEY_LEN} random bytes; {HOW_TO_MAKE_ONE}"
                )
            })?;
        OneKey::new(Zeroizing::new(decoded), "base64 of ")
    }
}

impl OneKey {
    /// `form` says what the key was given as, for the error: "base64 of " or "".
    fn new(material: Zeroizing<Vec<u8>>, form: &str) -> Result<Self, String> {
        let len = material.len();
        if len < MIN_KEY_LEN {
            return Err(format!(
                "it must be {form}at least {MIN_KEY_LEN} random bytes (got {len} bytes); {HOW_TO_MAKE_ONE}"
            ));
        }
        if len > MAX_KEY_LEN {
            return Err(format!(
                "it must be {form}{MIN_KEY_LEN} to {MAX_KEY_LEN} random bytes (got {len} bytes); {HOW_TO_MAKE_ONE}"
            ));
        }
        let derived = derive(&material).ok_or("deriving the AES key failed")?;
        let aead = RandomizedNonceKey::new(&AES_256_GCM, &*derived)
            .map_err(|_| "building the AES key failed")?;
        Ok(Self { material, aead })
    }
}

/// The AES-256-GCM key for `material`: HKDF-SHA256 (RFC 5869) with the
/// fixed salt and `info` above, applied to every key, 32 bytes or more.
fn derive(material: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let prk = Salt::new(HKDF_SHA256, HKDF_SALT).extract(material);
    let mut key = Zeroizing::new([0u8; 32]);
    prk.expand(&[HKDF_INFO], &AES_256_GCM)
        .and_then(|okm| okm.fill(&mut *key))
        .ok()?;
    Some(key)
}

/// Parses base64 or a comma-separated list of keys (see
/// [`SealingKey::from_base64`]), so a key can be a field of an
/// `#[oidc_client]` struct read from the environment.
impl std::str::FromStr for SealingKey {
    type Err = ConfigError;
    fn from_str(encoded: &str) -> Result<Self, Self::Err> {
        Self::from_base64(encoded)
    }
}

#[cfg(test)]
mod tests;
