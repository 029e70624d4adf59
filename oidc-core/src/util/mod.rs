//! Small helpers every layer may use: the clock, constant-time comparison,
//! random tokens, base64url, and an expiring set of seen values. No
//! protocol knowledge lives here; nothing here uses another module of the
//! crate except the error type of a failed random generator.

mod expiring_set;

pub(crate) use expiring_set::{ExpiringSet, Insert};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::time::{SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// Seconds since the epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Milliseconds since the epoch.
pub(crate) fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The SHA-256 digest of `parts`, each prefixed by its length so that
/// different splits of the same bytes differ.
pub(crate) fn digest_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in parts {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part);
    }
    let mut digest = [0u8; 32];
    digest.copy_from_slice(context.finish().as_ref());
    digest
}

/// Constant-time string equality (lengths are not secret).
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Constant-time byte string equality (lengths are not secret).
pub(crate) fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Unpadded base64url (RFC 7515 section 2), as JOSE and PKCE use it.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a `Content-Type` is a URL-encoded form. Media types compare
/// case-insensitively (RFC 9110 section 8.3.1) and may carry parameters
/// (`; charset=UTF-8`): the form_post callback, the back-channel logout
/// endpoint and the loopback listener all accept exactly this.
pub(crate) fn is_form_urlencoded(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let media_type = ct.split(';').next().unwrap_or("").trim();
        media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// 256 random bits, base64url: for `state`, `nonce` and the PKCE verifier.
/// `None` only if the system's random generator fails.
pub(crate) fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(b64url(&bytes))
}

#[cfg(test)]
mod tests;
