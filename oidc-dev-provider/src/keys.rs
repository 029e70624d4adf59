//! Signing keys: generated in memory at start (and on rotation), never read
//! from or written to disk.
//!
//! The provider always holds one key per [`SigningAlg`] (RSA 2048, EC P-256,
//! Ed25519). Key ids are RFC 7638 JWK thumbprints, so a rotation always
//! yields new `kid`s.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{DecodingKey, EncodingKey};

use crate::config::SigningAlg;

/// Key generation failed (the crypto library refused; should not happen).
#[derive(Debug, thiserror::Error)]
#[error("could not generate the {alg} signing key: {reason}")]
pub(crate) struct KeyGenError {
    alg: SigningAlg,
    reason: String,
}

/// One signing key pair.
pub(crate) struct SigningKey {
    pub(crate) alg: SigningAlg,
    pub(crate) kid: String,
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
    pub(crate) jwk: Jwk,
    /// The public key as PEM (SubjectPublicKeyInfo), for RSA keys: the
    /// secret of the algorithm-confusion fault.
    pub(crate) public_pem: Option<String>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generate a fresh key for `alg`.
    pub(crate) fn generate(alg: SigningAlg) -> Result<Self, KeyGenError> {
        let err = |reason: String| KeyGenError { alg, reason };
        let mut public_pem = None;
        let encoding = match alg {
            SigningAlg::RS256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048)
                    .map_err(|e| err(format!("RSA generation: {e}")))?;
                let pkcs8 = pair
                    .as_der()
                    .map_err(|e| err(format!("PKCS#8 export: {e}")))?;
                let spki = aws_lc_rs::signature::KeyPair::public_key(&pair)
                    .as_der()
                    .map_err(|e| err(format!("public key export: {e}")))?;
                public_pem = Some(pem("PUBLIC KEY", spki.as_ref()));
                // jsonwebtoken's aws-lc backend wants the PKCS#1 RSAPrivateKey.
                let pkcs1 = pkcs8_private_key(pkcs8.as_ref())
                    .ok_or_else(|| err("malformed PKCS#8 document".into()))?;
                EncodingKey::from_rsa_der(pkcs1)
            }
            SigningAlg::ES256 => {
                let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(|e| err(format!("P-256 generation: {e}")))?;
                let pkcs8 = pair
                    .to_pkcs8v1()
                    .map_err(|e| err(format!("PKCS#8 export: {e}")))?;
                EncodingKey::from_ec_der(pkcs8.as_ref())
            }
            SigningAlg::EdDSA => {
                let pair = Ed25519KeyPair::generate()
                    .map_err(|e| err(format!("Ed25519 generation: {e}")))?;
                let pkcs8 = pair
                    .to_pkcs8v1()
                    .map_err(|e| err(format!("PKCS#8 export: {e}")))?;
                EncodingKey::from_ed_der(pkcs8.as_ref())
            }
        };
        let mut jwk = Jwk::from_encoding_key(&encoding, alg.jwt_alg())
            .map_err(|e| err(format!("public JWK: {e}")))?;
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| err(format!("thumbprint: {e}")))?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding =
            DecodingKey::from_jwk(&jwk).map_err(|e| err(format!("decoding key: {e}")))?;
        Ok(SigningKey {
            alg,
            kid,
            encoding,
            decoding,
            jwk,
            public_pem,
        })
    }
}

/// PEM armour (RFC 7468) around DER.
fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The provider's current keys: one per algorithm.
#[derive(Debug)]
pub(crate) struct KeySet {
    keys: Vec<SigningKey>,
}

impl KeySet {
    /// Generate one key per algorithm.
    pub(crate) fn generate() -> Result<Self, KeyGenError> {
        let keys = SigningAlg::ALL
            .into_iter()
            .map(SigningKey::generate)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KeySet { keys })
    }

    /// The key that signs tokens with `alg`.
    pub(crate) fn for_alg(&self, alg: SigningAlg) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.alg == alg)
    }

    /// The key with this `kid`.
    pub(crate) fn by_kid(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// The public JWKS document.
    pub(crate) fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(|k| k.jwk.clone()).collect(),
        }
    }
}

/// Extract the `privateKey` OCTET STRING of a PKCS#8 `PrivateKeyInfo`
/// (RFC 5208): `SEQUENCE { INTEGER, SEQUENCE, OCTET STRING, ... }`.
fn pkcs8_private_key(der: &[u8]) -> Option<&[u8]> {
    let (tag, body, _) = der_tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _version, rest) = der_tlv(body)?;
    if tag != 0x02 {
        return None;
    }
    let (tag, _algorithm, rest) = der_tlv(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, key, _) = der_tlv(rest)?;
    (tag == 0x04).then_some(key)
}

/// Read one DER tag-length-value: returns (tag, value, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(n);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    Some((tag, value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_distinct_keys_that_sign_and_verify() {
        let set = KeySet::generate().expect("keys");
        let jwks = set.jwks();
        assert_eq!(jwks.keys.len(), 3);
        for alg in SigningAlg::ALL {
            let key = set.for_alg(alg).expect("key for alg");
            let msg = b"header.claims";
            let sig = jsonwebtoken::crypto::sign(msg, &key.encoding, alg.jwt_alg()).expect("sign");
            let ok = jsonwebtoken::crypto::verify(&sig, msg, &key.decoding, alg.jwt_alg())
                .expect("verify");
            assert!(ok, "{alg} signature verifies");
            assert!(set.by_kid(&key.kid).is_some());
        }
        let other = KeySet::generate().expect("keys");
        for alg in SigningAlg::ALL {
            assert_ne!(
                set.for_alg(alg).map(|k| &k.kid),
                other.for_alg(alg).map(|k| &k.kid)
            );
        }
    }

    #[test]
    fn der_parser_rejects_garbage() {
        assert!(pkcs8_private_key(&[]).is_none());
        assert!(pkcs8_private_key(&[0x30, 0x85, 0, 0, 0, 0, 0]).is_none());
        assert!(pkcs8_private_key(&[0x30, 0x02, 0x02, 0x00]).is_none());
    }
}
