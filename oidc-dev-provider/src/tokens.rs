//! Minting and verifying the JWTs the provider issues: ID tokens, access
//! tokens (RFC 9068) and logout tokens.
//!
//! Every token goes through [`AppState::mint`], which takes the JOSE header
//! and the claims as JSON maps: the one place where injected faults alter
//! headers, claims, keys or signatures.

use serde_json::{Map, Value, json};

use std::sync::Arc;

use crate::config::SigningAlg;
use crate::faults::{Signing, TokenKind, apply_edit_to_map};
use crate::keys::SigningKey;
use crate::profile::Profile;
use crate::state::AppState;
use crate::util::{b64url, now_secs, random_token, sha256, sha512};

/// A JSON object.
pub(crate) type JsonMap = Map<String, Value>;

/// `typ` of ID tokens.
pub(crate) const TYP_ID_TOKEN: &str = "JWT";
/// `typ` of access tokens (RFC 9068).
pub(crate) const TYP_ACCESS_TOKEN: &str = "at+jwt";
/// `typ` of logout tokens (OpenID Connect Back-Channel Logout 1.0).
pub(crate) const TYP_LOGOUT_TOKEN: &str = "logout+jwt";

/// Lifetime of a logout token.
const LOGOUT_TOKEN_TTL: u64 = 120;

/// Minting or verifying a token failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    #[error("no signing key for this token")]
    NoKey,
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("the token is malformed")]
    Malformed,
    #[error("the token was not signed by a current key of this provider")]
    UnknownKey,
    #[error("the token has the wrong type")]
    WrongType,
    #[error("the token is invalid: {0}")]
    Invalid(String),
}

/// A JOSE header for a token signed with the current key for `alg`.
pub(crate) fn header(state: &AppState, alg: SigningAlg, typ: &str) -> JsonMap {
    let mut header = JsonMap::new();
    header.insert("alg".into(), alg.as_str().into());
    header.insert("typ".into(), typ.into());
    if let Some(key) = state.keys().for_alg(alg) {
        header.insert("kid".into(), key.kid.clone().into());
    }
    header
}

impl AppState {
    /// Sign a JWT of `kind` for `client_id`. The key is chosen by the
    /// header's `kid` (or, without one, by its `alg`, and the `kid` is then
    /// added). The header is serialized as given, so it can carry anything.
    ///
    /// Injected token faults ([`Fault::Claim`](crate::Fault::Claim),
    /// [`Fault::Header`](crate::Fault::Header),
    /// [`Fault::Signing`](crate::Fault::Signing)) are applied here, after the
    /// key is chosen and before signing.
    pub(crate) fn mint(
        &self,
        kind: TokenKind,
        client_id: &str,
        mut header: JsonMap,
        mut claims: JsonMap,
    ) -> Result<String, TokenError> {
        let keys = self.keys();
        let key = match header.get("kid").and_then(Value::as_str) {
            Some(kid) => keys.by_kid(kid),
            None => {
                let key = header
                    .get("alg")
                    .and_then(Value::as_str)
                    .and_then(SigningAlg::from_name)
                    .and_then(|alg| keys.for_alg(alg));
                if let Some(key) = key {
                    header.insert("kid".into(), key.kid.clone().into());
                }
                key
            }
        }
        .ok_or(TokenError::NoKey)?;

        let faults = self.faults().for_token(kind, client_id);
        // Who signs, and how the header says so.
        let mut fault_key: Option<Arc<SigningKey>> = None;
        let mut mac_secret: Option<(String, jsonwebtoken::Algorithm)> = None;
        match &faults.signing {
            None | Some(Signing::CorruptSignature | Signing::StripSignature) => {}
            Some(Signing::ForeignKey) => {
                fault_key = Some(
                    self.faults()
                        .foreign_key(key.alg)
                        .ok_or(TokenError::NoKey)?,
                );
            }
            Some(Signing::UnlistedKey) => {
                let foreign = self
                    .faults()
                    .foreign_key(key.alg)
                    .ok_or(TokenError::NoKey)?;
                header.insert("kid".into(), foreign.kid.clone().into());
                fault_key = Some(foreign);
            }
            Some(Signing::RandomKid) => {
                header.insert("kid".into(), random_token(12).into());
            }
            Some(Signing::EncryptionKey) => {
                let enc = self.faults().encryption_key().ok_or(TokenError::NoKey)?;
                header.insert("alg".into(), SigningAlg::RS256.as_str().into());
                header.insert("kid".into(), enc.kid.clone().into());
                fault_key = Some(enc);
            }
            Some(Signing::AttackerKey) => {
                let attacker = self.faults().attacker_key().ok_or(TokenError::NoKey)?;
                header.insert("alg".into(), SigningAlg::RS256.as_str().into());
                header.insert("kid".into(), attacker.kid.clone().into());
                fault_key = Some(attacker);
            }
            Some(Signing::HmacWithPublicKey { alg }) => {
                let rsa = keys.for_alg(SigningAlg::RS256).ok_or(TokenError::NoKey)?;
                let pem = rsa.public_pem.clone().ok_or(TokenError::NoKey)?;
                let mac = match alg.as_str() {
                    "HS384" => jsonwebtoken::Algorithm::HS384,
                    "HS512" => jsonwebtoken::Algorithm::HS512,
                    _ => jsonwebtoken::Algorithm::HS256,
                };
                header.insert("alg".into(), alg.clone().into());
                header.insert("kid".into(), rsa.kid.clone().into());
                mac_secret = Some((pem, mac));
            }
            Some(Signing::Unsigned { alg }) => {
                header.insert("alg".into(), alg.clone().into());
            }
        }
        for edit in &faults.header {
            apply_edit_to_map(&mut header, edit);
        }
        for edit in &faults.claims {
            apply_edit_to_map(&mut claims, edit);
        }

        let header_json =
            serde_json::to_vec(&header).map_err(|e| TokenError::Sign(e.to_string()))?;
        let claims_json =
            serde_json::to_vec(&claims).map_err(|e| TokenError::Sign(e.to_string()))?;
        let message = format!("{}.{}", b64url(header_json), b64url(claims_json));
        let signer = fault_key.as_deref().unwrap_or(key);
        let signature = match (&faults.signing, mac_secret) {
            (Some(Signing::Unsigned { .. } | Signing::StripSignature), _) => String::new(),
            (_, Some((secret, mac))) => jsonwebtoken::crypto::sign(
                message.as_bytes(),
                &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
                mac,
            )
            .map_err(|e| TokenError::Sign(e.to_string()))?,
            _ => jsonwebtoken::crypto::sign(
                message.as_bytes(),
                &signer.encoding,
                signer.alg.jwt_alg(),
            )
            .map_err(|e| TokenError::Sign(e.to_string()))?,
        };
        let signature = if faults.signing == Some(Signing::CorruptSignature) {
            flip_first_bit(&signature)
        } else {
            signature
        };
        Ok(format!("{message}.{signature}"))
    }

    /// Verify a token this provider issued: a current key by `kid`, matching
    /// `alg`, the expected `typ`, our issuer, and (when `check_exp`) expiry.
    /// Returns the claims.
    pub(crate) fn verify(
        &self,
        token: &str,
        expected_typ: &str,
        check_exp: bool,
    ) -> Result<JsonMap, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if !header
            .typ
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(expected_typ))
        {
            return Err(TokenError::WrongType);
        }
        let keys = self.keys();
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| keys.by_kid(kid))
            .ok_or(TokenError::UnknownKey)?;
        if header.alg != key.alg.jwt_alg() {
            return Err(TokenError::UnknownKey);
        }
        let mut validation = jsonwebtoken::Validation::new(key.alg.jwt_alg());
        validation.set_issuer(&[&self.token_issuer]);
        validation.validate_aud = false;
        validation.validate_exp = check_exp;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["iss", "sub", "exp"]);
        let data = jsonwebtoken::decode::<JsonMap>(token, &key.decoding, &validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        // RFC 7519: the current time must be *before* `exp`.
        let exp = data.claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
        if check_exp && exp <= now_secs() {
            return Err(TokenError::Invalid("ExpiredSignature".into()));
        }
        Ok(data.claims)
    }
}

/// The base64url signature with the first bit of its first byte flipped.
fn flip_first_bit(signature: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    match URL_SAFE_NO_PAD.decode(signature) {
        Ok(mut bytes) if !bytes.is_empty() => {
            bytes[0] ^= 0x80;
            b64url(bytes)
        }
        _ => signature.to_owned(),
    }
}

/// `at_hash`: the left half of the hash of the access token, with the hash
/// of the ID token's algorithm (SHA-512 for EdDSA over Ed25519, per the
/// OpenID Connect Core errata).
pub(crate) fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    let digest = match alg {
        SigningAlg::RS256 | SigningAlg::ES256 => sha256(access_token),
        SigningAlg::EdDSA => sha512(access_token),
    };
    b64url(&digest[..digest.len() / 2])
}

/// What an access token says.
#[derive(Debug, Clone)]
pub(crate) struct AccessTokenInput<'a> {
    pub(crate) sub: &'a str,
    /// A string, or an array for several audiences (Auth0's `audience`).
    pub(crate) audience: Value,
    pub(crate) client_id: &'a str,
    pub(crate) scope: &'a str,
    pub(crate) auth_time: u64,
    pub(crate) ttl: u64,
}

/// Claims of an RFC 9068 access token; returns them with the `jti`.
pub(crate) fn access_token_claims(
    state: &AppState,
    input: &AccessTokenInput<'_>,
) -> (JsonMap, String) {
    let now = now_secs();
    let jti = random_token(16);
    let claims = json!({
        "iss": state.token_issuer,
        "sub": input.sub,
        "aud": input.audience,
        "client_id": input.client_id,
        "scope": input.scope,
        "auth_time": input.auth_time,
        "iat": now,
        "exp": now + input.ttl,
        "jti": jti,
    });
    (into_map(claims), jti)
}

/// What an ID token says.
#[derive(Debug, Clone)]
pub(crate) struct IdTokenInput<'a> {
    pub(crate) sub: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) auth_time: u64,
    pub(crate) nonce: Option<&'a str>,
    pub(crate) email: &'a str,
    pub(crate) email_verified: bool,
    pub(crate) name: Option<&'a str>,
    pub(crate) at_hash: &'a str,
    pub(crate) sid: &'a str,
    /// `acr`, when the authorization request asked for `acr_values`.
    pub(crate) acr: Option<&'a str>,
    pub(crate) ttl: u64,
}

/// Claims of an ID token (OpenID Connect Core 1.0 section 2).
pub(crate) fn id_token_claims(state: &AppState, input: &IdTokenInput<'_>) -> JsonMap {
    let now = now_secs();
    let mut claims = into_map(json!({
        "iss": state.token_issuer,
        "sub": input.sub,
        "aud": input.client_id,
        "exp": now + input.ttl,
        "iat": now,
        "auth_time": input.auth_time,
        "email": input.email,
        "email_verified": input.email_verified,
        "at_hash": input.at_hash,
        "sid": input.sid,
    }));
    if let Some(nonce) = input.nonce {
        claims.insert("nonce".into(), nonce.into());
    }
    if let Some(name) = input.name {
        claims.insert("name".into(), name.into());
    }
    if let Some(acr) = input.acr {
        claims.insert("acr".into(), acr.into());
    }
    match state.profile() {
        Profile::Guide | Profile::Auth0 => {}
        Profile::Google => {
            claims.insert("azp".into(), input.client_id.into());
        }
        Profile::Entra => {
            if let Some(tid) = &state.tenant_id {
                claims.insert("tid".into(), tid.clone().into());
            }
            claims.insert("ver".into(), "2.0".into());
            claims.insert("preferred_username".into(), input.email.into());
        }
        Profile::Keycloak => {
            claims.insert("azp".into(), input.client_id.into());
            claims.insert("preferred_username".into(), input.email.into());
        }
        Profile::Apple => {
            // Apple sends these two booleans as strings.
            claims.insert(
                "email_verified".into(),
                input.email_verified.to_string().into(),
            );
            claims.insert("is_private_email".into(), "false".into());
        }
    }
    claims
}

/// Claims of a back-channel logout token.
pub(crate) fn logout_token_claims(
    state: &AppState,
    client_id: &str,
    sub: &str,
    sid: &str,
) -> JsonMap {
    let now = now_secs();
    into_map(json!({
        "iss": state.token_issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_TTL,
        "jti": random_token(16),
        "sub": sub,
        "sid": sid,
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
    }))
}

fn into_map(value: Value) -> JsonMap {
    match value {
        Value::Object(map) => map,
        _ => JsonMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_the_left_half_of_the_algorithms_hash() {
        // Vectors computed independently (Python hashlib).
        assert_eq!(
            at_hash("dev-provider-at", SigningAlg::RS256),
            "df3zWEF8rcFYIWKV4_3a5A"
        );
        assert_eq!(
            at_hash("dev-provider-at", SigningAlg::ES256),
            "df3zWEF8rcFYIWKV4_3a5A"
        );
        assert_eq!(
            at_hash("dev-provider-at", SigningAlg::EdDSA),
            "oiDdO8nzErC_B8dn3ERRMuNbOl7VX9jl7RDoB9Qf5iM"
        );
    }
}
