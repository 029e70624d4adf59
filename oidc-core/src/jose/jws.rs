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
                    // One search of the tree per member, not two.
                    match map.entry(key) {
                        serde_json::map::Entry::Vacant(entry) => {
                            entry.insert(value);
                        }
                        serde_json::map::Entry::Occupied(entry) => {
                            return Err(serde::de::Error::custom(format!(
                                "duplicate member `{}`",
                                entry.key()
                            )));
                        }
                    }
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
        // The parts by their first and last dots (memchr, not a byte loop
        // over the whole token); the exact count only when the middle part
        // has dots of its own.
        let (Some(first), Some(last)) = (token.find('.'), token.rfind('.')) else {
            return Err(JwsError::Malformed("expected three dot-separated parts"));
        };
        if first == last || token[first + 1..last].contains('.') {
            let dots = token.bytes().filter(|b| *b == b'.').count();
            return Err(match dots {
                4 => JwsError::Encrypted,
                _ => JwsError::Malformed("expected three dot-separated parts"),
            });
        }
        let signing_input = &token[..last];
        let signature_b64 = &token[last + 1..];
        let header_b64 = &token[..first];
        let payload_b64 = &token[first + 1..last];
        if header_b64.is_empty() || payload_b64.is_empty() {
            return Err(JwsError::Malformed("a part is empty"));
        }
        let mut buffer = [0u8; HEADER_BUFFER];
        let mut heap = Vec::new();
        let header_json = decode_small(header_b64, &mut buffer, &mut heap)
            .map_err(|_| JwsError::InvalidHeader("not base64url".into()))?;
        // The UTF-8 checked once (`from_str`), not string by string;
        // invalid UTF-8 is left to `from_slice`, for its error.
        let header: RawHeader<'_> = match std::str::from_utf8(header_json) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(header_json),
        }
        .map_err(|e| JwsError::InvalidHeader(e.to_string()))?;
        // The header first: an unsigned `alg: none` token is reported as
        // the algorithm it is, not as a missing signature.
        let header = check_header(header, allowed)?;
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
        let mut buffer = [0u8; PAYLOAD_BUFFER];
        let mut heap = Vec::new();
        let bytes = decode_small(self.payload_b64, &mut buffer, &mut heap)
            .map_err(|_| ClaimsError::Invalid("the payload is not base64url".into()))?;
        strict_object(bytes)
            .map(|claims| claims.0)
            .map_err(|e| ClaimsError::Invalid(e.to_string()))
    }
}

/// Payloads up to this size (decoded) are decoded on the stack.
const PAYLOAD_BUFFER: usize = 2048;

/// Parses a [`StrictObject`] with `serde_json`, the UTF-8 checked once for
/// the whole document (not string by string). Invalid UTF-8 is left to
/// `serde_json::from_slice`, for its error. (No hand-written fast path:
/// two JSON parsers that could disagree on a token are a parser
/// differential.)
pub(crate) fn strict_object(json: &[u8]) -> Result<StrictObject, serde_json::Error> {
    match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(json),
    }
}

/// Headers up to this size (decoded) are decoded on the stack.
const HEADER_BUFFER: usize = 512;

/// Decodes base64url into `buffer` when it fits, else into `heap`.
pub(crate) fn decode_small<'b>(
    part: &str,
    buffer: &'b mut [u8],
    heap: &'b mut Vec<u8>,
) -> Result<&'b [u8], base64::DecodeSliceError> {
    // The exact decoded length (or more, for invalid input, which the
    // decoder refuses): a part that fits is decoded without allocating.
    if part.len() / 4 * 3 + 3 <= buffer.len() {
        let len = URL_SAFE_NO_PAD.decode_slice(part, buffer)?;
        Ok(&buffer[..len])
    } else {
        *heap = URL_SAFE_NO_PAD
            .decode(part)
            .map_err(base64::DecodeSliceError::DecodeError)?;
        Ok(heap)
    }
}

/// A member name, borrowed from the header JSON unless it has escapes.
type Name<'a> = std::borrow::Cow<'a, str>;

/// A header member this client reads as a string: the string, or the fact
/// that it is something else (the check reports which member).
#[derive(Debug)]
enum StrMember<'a> {
    Str(Name<'a>),
    NotStr,
}

impl<'de> Deserialize<'de> for StrMember<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = StrMember<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(StrMember::Str(Name::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrMember::Str(Name::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(StrMember::Str(Name::Owned(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StrMember::NotStr)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StrMember::NotStr)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StrMember::NotStr)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StrMember::NotStr)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(StrMember::NotStr)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Self::Value, A::Error> {
                // Read as `Value` would: the same JSON is refused.
                let mut seq = seq;
                while seq.next_element::<Value>()?.is_some() {}
                Ok(StrMember::NotStr)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let mut map = map;
                while map.next_entry::<String, Value>()?.is_some() {}
                Ok(StrMember::NotStr)
            }
        }
        deserializer.deserialize_any(StrVisitor)
    }
}

/// A member name as a borrowed string when it has no escapes.
struct MemberName<'a>(Name<'a>);

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = MemberName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName(Name::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MemberName(Name::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(MemberName(Name::Owned(v)))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// The JOSE header as parsed: the members this client reads or refuses,
/// borrowed from the decoded JSON, without building a map. Like
/// [`StrictObject`], it refuses duplicate members (of any name) and
/// anything but a JSON object; other members are parsed as `Value` (so the
/// same documents are refused) and dropped.
#[derive(Debug, Default)]
struct RawHeader<'a> {
    alg: Option<StrMember<'a>>,
    kid: Option<StrMember<'a>>,
    typ: Option<StrMember<'a>>,
    crit: Option<Value>,
    /// `jwk`, `jku`, `x5u`, `x5c`: present or not.
    embedded: [bool; EMBEDDED.len()],
    /// The names of the other members, for the duplicate check.
    others: Vec<Name<'a>>,
}

/// The members that carry a key or a way to fetch one, in the order they
/// are reported.
const EMBEDDED: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

impl<'de> Deserialize<'de> for RawHeader<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeaderVisitor;
        impl<'de> Visitor<'de> for HeaderVisitor {
            type Value = RawHeader<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<RawHeader<'de>, A::Error> {
                let mut header = RawHeader::default();
                while let Some(MemberName(name)) = access.next_key::<MemberName<'de>>()? {
                    // The value is read before a duplicate is reported, as
                    // `StrictObject` does (same error position).
                    let duplicate = match &*name {
                        "alg" => set(&mut header.alg, access.next_value()?),
                        "kid" => set(&mut header.kid, access.next_value()?),
                        "typ" => set(&mut header.typ, access.next_value()?),
                        "crit" => set(&mut header.crit, access.next_value()?),
                        other => {
                            // Parsed as `Value`, not skipped: the same JSON
                            // is refused as when the header was a map.
                            access.next_value::<Value>()?;
                            if let Some(slot) = EMBEDDED.iter().position(|m| *m == other) {
                                std::mem::replace(&mut header.embedded[slot], true)
                            } else if header.others.contains(&name) {
                                true
                            } else {
                                header.others.push(name.clone());
                                false
                            }
                        }
                    };
                    if duplicate {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate member `{name}`"
                        )));
                    }
                }
                Ok(header)
            }
        }
        /// Stores a member's value; `true` if it was already there.
        fn set<T>(slot: &mut Option<T>, value: T) -> bool {
            slot.replace(value).is_some()
        }
        deserializer.deserialize_map(HeaderVisitor)
    }
}

fn check_header(
    header: RawHeader<'_>,
    allowed: &[SigningAlgorithm],
) -> Result<JoseHeader, JwsError> {
    let alg = match header.alg {
        Some(StrMember::Str(alg)) => alg,
        Some(StrMember::NotStr) => {
            return Err(JwsError::InvalidHeader("`alg` is not a string".into()));
        }
        None => return Err(JwsError::InvalidHeader("`alg` is missing".into())),
    };
    // `none`, `None`, `NONE`, HS256 and typos all fail here: they are not in
    // the set of nameable algorithms, let alone the allow-list.
    let alg = SigningAlgorithm::from_jose(&alg)
        .filter(|a| allowed.contains(a))
        .ok_or_else(|| JwsError::AlgorithmNotAllowed(alg.into_owned()))?;
    if let Some(crit) = header.crit {
        return Err(JwsError::CriticalHeader(crit.to_string()));
    }
    if let Some(member) = EMBEDDED
        .iter()
        .zip(header.embedded)
        .find_map(|(name, present)| present.then_some(*name))
    {
        return Err(JwsError::EmbeddedKey(member));
    }
    let string_member = |member: Option<StrMember<'_>>, name: &str| match member {
        None => Ok(None),
        Some(StrMember::Str(s)) => Ok(Some(s.into_owned())),
        Some(StrMember::NotStr) => {
            Err(JwsError::InvalidHeader(format!("`{name}` is not a string")))
        }
    };
    let kid = string_member(header.kid, "kid")?;
    let typ = string_member(header.typ, "typ")?;
    Ok(JoseHeader { alg, kid, typ })
}

#[cfg(test)]
mod tests;
