//! Signing test tokens with a fresh RSA key, for the unit tests of every
//! token verifier.

use crate::jwks::{JwksCache, KeySet};
use crate::jws::b64url;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use serde_json::{Value, json};

pub(crate) struct Signer {
    encoding: jsonwebtoken::EncodingKey,
    pub(crate) jwk: Value,
}

impl Signer {
    pub(crate) fn rsa(kid: &str) -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'_>>::as_der(&pair).unwrap();
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        Self {
            encoding: jsonwebtoken::EncodingKey::from_rsa_der(&pkcs8_to_pkcs1(der.as_ref())),
            jwk: json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                        "n": b64url(&components.n), "e": b64url(&components.e)}),
        }
    }

    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(header).unwrap()),
            b64url(&serde_json::to_vec(claims).unwrap())
        );
        let signature = jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &self.encoding,
            jsonwebtoken::Algorithm::RS256,
        )
        .unwrap();
        format!("{input}.{signature}")
    }

    /// Signs `header` over an arbitrary payload (e.g. JSON with duplicate members).
    pub(crate) fn sign_raw(&self, header: &Value, payload: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(header).unwrap()),
            b64url(payload)
        );
        let signature = jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &self.encoding,
            jsonwebtoken::Algorithm::RS256,
        )
        .unwrap();
        format!("{input}.{signature}")
    }

    pub(crate) fn jwks(&self) -> JwksCache {
        let body = json!({ "keys": [self.jwk.clone()] });
        JwksCache::preloaded(KeySet::parse(&serde_json::to_vec(&body).unwrap()).unwrap())
    }
}

/// The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo.
fn pkcs8_to_pkcs1(der: &[u8]) -> Vec<u8> {
    fn header(input: &[u8]) -> (usize, usize) {
        let first = input[1] as usize;
        if first < 0x80 {
            (2, first)
        } else {
            let n = first & 0x7f;
            let len = input[2..2 + n]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (2 + n, len)
        }
    }
    let (outer, _) = header(der);
    let mut rest = &der[outer..];
    for _ in 0..2 {
        let (h, len) = header(rest);
        rest = &rest[h + len..];
    }
    let (h, len) = header(rest);
    rest[h..h + len].to_vec()
}

/// `value` with `changes` applied (a `null` removes the member).
pub(crate) fn with(mut value: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            value.as_object_mut().unwrap().remove(k);
        } else {
            value[k] = v.clone();
        }
    }
    value
}
