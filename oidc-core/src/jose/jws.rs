//! Compact JWS parsing and signature verification, shared by ID tokens,
//! access tokens and logout tokens.
//!
//! The header is parsed here, strictly, rather than by `jsonwebtoken`, so
//! that every refusal has its own error: `alg: none` in any spelling, HMAC,
//! `crit`, embedded keys, duplicate members. The signature itself is checked
//! by `jsonwebtoken` with a key from the provider's JWKS, never from the token.

use crate::config::SigningAlgorithm;
use crate::error::{ClaimsError, JwsError};
use crate::jose::jwks::{JwksCache, KeySelection};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The largest token accepted, in bytes. ID tokens are a few KiB at most.
pub(crate) const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// A JSON object that refuses duplicate member names (RFC 8725 section 3.1 /
/// RFC 7515 section 5.2: a parser must reject or use the last; we reject).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StrictObject(pub(crate) Map<String, Value>);

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = StrictObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictObject, A::Error> {
                let mut map = Map::new();
                while let Some((key, value)) = access.next_entry::<String, Value>()? {
                    if map.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate member `{key}`"
                        )));
                    }
                    map.insert(key, value);
                }
                Ok(StrictObject(map))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// The parts of a compact JWS, borrowed from the token.
#[derive(Debug)]
pub(crate) struct CompactJws<'a> {
    signing_input: &'a str,
    payload_b64: &'a str,
    signature_b64: &'a str,
    pub(crate) header: JoseHeader,
}

/// The header members this client acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoseHeader {
    pub(crate) alg: SigningAlgorithm,
    pub(crate) kid: Option<String>,
    pub(crate) typ: Option<String>,
}

impl<'a> CompactJws<'a> {
    /// Splits and checks the header against the allow-list.
    pub(crate) fn parse(token: &'a str, allowed: &[SigningAlgorithm]) -> Result<Self, JwsError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwsError::Malformed("the token is too large"));
        }
        let dots = token.bytes().filter(|b| *b == b'.').count();
        match dots {
            2 => {}
            4 => return Err(JwsError::Encrypted),
            _ => {
                return Err(JwsError::Malformed("expected three dot-separated parts"));
            }
        }
        let (signing_input, signature_b64) = token
            .rsplit_once('.')
            .ok_or(JwsError::Malformed("expected three dot-separated parts"))?;
        let (header_b64, payload_b64) = signing_input
            .split_once('.')
            .ok_or(JwsError::Malformed("expected three dot-separated parts"))?;
        if header_b64.is_empty() || payload_b64.is_empty() {
            return Err(JwsError::Malformed("a part is empty"));
        }
        let header_json =
            decode_part(header_b64).map_err(|_| JwsError::InvalidHeader("not base64url".into()))?;
        let header: StrictObject = serde_json::from_slice(&header_json)
            .map_err(|e| JwsError::InvalidHeader(e.to_string()))?;
        // The header first: an unsigned `alg: none` token is reported as
        // the algorithm it is, not as a missing signature.
        let header = check_header(header.0, allowed)?;
        if signature_b64.is_empty() {
            return Err(JwsError::Malformed("the signature is empty"));
        }
        Ok(Self {
            signing_input,
            payload_b64,
            signature_b64,
            header,
        })
    }

    /// Checks the signature with the key the JWKS designates.
    pub(crate) async fn verify_signature(&self, jwks: &JwksCache) -> Result<(), JwsError> {
        let key = match jwks
            .select(self.header.kid.as_deref(), self.header.alg)
            .await?
        {
            KeySelection::Found(key) => key,
            KeySelection::Ambiguous => return Err(JwsError::AmbiguousKey),
            KeySelection::NotFound => {
                return Err(JwsError::UnknownKey {
                    kid: self.header.kid.clone(),
                    alg: self.header.alg.to_string(),
                });
            }
        };
        key.verify(
            self.signing_input.as_bytes(),
            self.signature_b64,
            self.header.alg,
        )
    }

    /// The payload as a JSON object (only meaningful after verification).
    pub(crate) fn claims(&self) -> Result<Map<String, Value>, ClaimsError> {
        let bytes = decode_part(self.payload_b64)
            .map_err(|_| ClaimsError::Invalid("the payload is not base64url".into()))?;
        let claims: StrictObject =
            serde_json::from_slice(&bytes).map_err(|e| ClaimsError::Invalid(e.to_string()))?;
        Ok(claims.0)
    }
}

fn decode_part(part: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(part)
}

fn check_header(
    mut header: Map<String, Value>,
    allowed: &[SigningAlgorithm],
) -> Result<JoseHeader, JwsError> {
    let alg = match header.remove("alg") {
        Some(Value::String(alg)) => alg,
        Some(_) => return Err(JwsError::InvalidHeader("`alg` is not a string".into())),
        None => return Err(JwsError::InvalidHeader("`alg` is missing".into())),
    };
    // `none`, `None`, `NONE`, HS256 and typos all fail here: they are not in
    // the set of nameable algorithms, let alone the allow-list.
    let alg = SigningAlgorithm::from_jose(&alg)
        .filter(|a| allowed.contains(a))
        .ok_or(JwsError::AlgorithmNotAllowed(alg))?;
    if let Some(crit) = header.get("crit") {
        return Err(JwsError::CriticalHeader(crit.to_string()));
    }
    for member in ["jwk", "jku", "x5u", "x5c"] {
        if header.contains_key(member) {
            return Err(JwsError::EmbeddedKey(match member {
                "jwk" => "jwk",
                "jku" => "jku",
                "x5u" => "x5u",
                _ => "x5c",
            }));
        }
    }
    let string_member = |header: &mut Map<String, Value>, name: &str| match header.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JwsError::InvalidHeader(format!("`{name}` is not a string"))),
    };
    let kid = string_member(&mut header, "kid")?;
    let typ = string_member(&mut header, "typ")?;
    Ok(JoseHeader { alg, kid, typ })
}

#[cfg(test)]
mod tests;
