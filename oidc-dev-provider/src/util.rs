//! Small helpers: randomness, hashing, base64url, time.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `bytes` bytes from the system CSPRNG, base64url-encoded without padding.
///
/// Panics only if the operating system's random source fails, which
/// aws-lc treats as unrecoverable anyway.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    #[allow(clippy::expect_used)]
    aws_lc_rs::rand::fill(&mut buf).expect("the system random number generator failed");
    URL_SAFE_NO_PAD.encode(buf)
}

/// base64url without padding.
pub(crate) fn b64url(data: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// SHA-256 digest.
pub(crate) fn sha256(data: impl AsRef<[u8]>) -> Vec<u8> {
    digest::digest(&digest::SHA256, data.as_ref())
        .as_ref()
        .to_vec()
}

/// SHA-512 digest.
pub(crate) fn sha512(data: impl AsRef<[u8]>) -> Vec<u8> {
    digest::digest(&digest::SHA512, data.as_ref())
        .as_ref()
        .to_vec()
}

/// A lookup key for a secret value (code, refresh token): its SHA-256 digest,
/// so the store never keeps the secret itself.
pub(crate) fn secret_key(secret: &str) -> String {
    b64url(sha256(secret))
}

/// Constant-time equality for secrets.
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    // Compare digests so that lengths leak nothing either.
    sha256(a).ct_eq(&sha256(b)).into()
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(32);
        let b = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }

    #[test]
    fn ct_eq_compares() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
    }
}
