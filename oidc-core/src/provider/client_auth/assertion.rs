//! Client assertions (RFC 7523 section 2.2, OpenID Connect Core 1.0
//! section 9): a short-lived JWT with `iss` = `sub` = the client id, the
//! provider's `aud`, a unique `jti`, signed with the client's key
//! (`private_key_jwt`) or with its secret (`client_secret_jwt`, HS256).
//! HMAC only ever signs our own assertion here: tokens from the provider
//! are verified with asymmetric keys only.

use crate::config::{ClientKey, SigningAlgorithm};
use crate::error::TokenError;
use crate::secret::ClientSecret;
use crate::util::{b64url, random_token, unix_now};
use aws_lc_rs::hmac;
use serde_json::json;

/// The `client_assertion_type` of a JWT assertion (RFC 7523 section 2.2).
pub(crate) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid: long enough for one request, short
/// enough that a captured one is soon useless.
const LIFETIME_SECS: i64 = 60;

/// Adds the assertion and the client id to a request's form.
pub(super) fn append(
    form: &mut url::form_urlencoded::Serializer<'_, String>,
    client_id: &str,
    jwt: &str,
) {
    form.append_pair("client_id", client_id);
    form.append_pair("client_assertion_type", ASSERTION_TYPE);
    form.append_pair("client_assertion", jwt);
}

/// The header and claims, base64url-encoded and joined: what is signed.
fn signing_input(
    alg: &str,
    kid: Option<&str>,
    client_id: &str,
    audience: &str,
) -> Result<String, TokenError> {
    let jti = random_token()
        .ok_or_else(|| TokenError::ClientAssertion("the random generator failed".into()))?;
    let mut header = json!({ "alg": alg });
    if let Some(kid) = kid {
        header["kid"] = kid.into();
    }
    let now = unix_now();
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME_SECS,
        "jti": jti,
    });
    Ok(format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    ))
}

/// A `private_key_jwt` assertion signed with `alg`.
pub(super) fn sign_with_key(
    key: &ClientKey,
    alg: SigningAlgorithm,
    client_id: &str,
    audience: &str,
) -> Result<String, TokenError> {
    let input = signing_input(alg.as_str(), key.key_id(), client_id, audience)?;
    let signature = key
        .sign(alg, input.as_bytes())
        .map_err(TokenError::ClientAssertion)?;
    Ok(format!("{input}.{}", b64url(&signature)))
}

/// A `client_secret_jwt` assertion (HS256 with the secret's bytes).
pub(super) fn sign_with_secret(
    secret: &ClientSecret,
    client_id: &str,
    audience: &str,
) -> Result<String, TokenError> {
    let input = signing_input("HS256", None, client_id, audience)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.secret().as_bytes());
    let tag = hmac::sign(&key, input.as_bytes());
    Ok(format!("{input}.{}", b64url(tag.as_ref())))
}

#[cfg(test)]
mod tests;
