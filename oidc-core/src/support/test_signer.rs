//! Signing test tokens with fresh keys (RSA, P-256, P-384, Ed25519), for
//! the unit tests of every token verifier.

use crate::config::SigningAlgorithm;
use crate::jose::jwks::{JwksCache, KeySet};
use crate::util::b64url;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use serde_json::{Value, json};

pub(crate) struct Signer {
    encoding: jsonwebtoken::EncodingKey,
    alg: jsonwebtoken::Algorithm,
    pub(crate) jwk: Value,
}

impl Signer {
    /// An RS256 signer.
    pub(crate) fn rsa(kid: &str) -> Self {
        Self::new(SigningAlgorithm::RS256, kid)
    }

    /// A signer for `alg` with a fresh key of the matching type, whose JWK
    /// names `alg`.
    pub(crate) fn new(alg: SigningAlgorithm, kid: &str) -> Self {
        use SigningAlgorithm as A;
        use aws_lc_rs::signature::{
            ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
            Ed25519KeyPair,
        };
        let jwt_alg: jsonwebtoken::Algorithm = alg.as_str().parse().unwrap();
        let (encoding, mut jwk) = match alg {
            A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512 => {
                let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
                let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'_>>::as_der(&pair).unwrap();
                let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                (
                    jsonwebtoken::EncodingKey::from_rsa_der(&pkcs8_to_pkcs1(der.as_ref())),
                    json!({"kty": "RSA", "n": b64url(&components.n), "e": b64url(&components.e)}),
                )
            }
            A::ES256 | A::ES384 => {
                let (signing, crv) = if alg == A::ES256 {
                    (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256")
                } else {
                    (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384")
                };
                let pair = EcdsaKeyPair::generate(signing).unwrap();
                // The uncompressed point: 0x04 || x || y.
                let point = pair.public_key().as_ref()[1..].to_vec();
                let (x, y) = point.split_at(point.len() / 2);
                (
                    jsonwebtoken::EncodingKey::from_ec_der(pair.to_pkcs8v1().unwrap().as_ref()),
                    json!({"kty": "EC", "crv": crv, "x": b64url(x), "y": b64url(y)}),
                )
            }
            A::EdDSA => {
                let pair = Ed25519KeyPair::generate().unwrap();
                (
                    jsonwebtoken::EncodingKey::from_ed_der(pair.to_pkcs8v1().unwrap().as_ref()),
                    json!({"kty": "OKP", "crv": "Ed25519", "x": b64url(pair.public_key().as_ref())}),
                )
            }
        };
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        jwk["alg"] = json!(alg.as_str());
        Self {
            encoding,
            alg: jwt_alg,
            jwk,
        }
    }

    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(header).unwrap()),
            b64url(&serde_json::to_vec(claims).unwrap())
        );
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &self.encoding, self.alg).unwrap();
        format!("{input}.{signature}")
    }

    /// Signs `header` over an arbitrary payload (e.g. JSON with duplicate members).
    pub(crate) fn sign_raw(&self, header: &Value, payload: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(header).unwrap()),
            b64url(payload)
        );
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &self.encoding, self.alg).unwrap();
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
