//! The client's private signing key for `private_key_jwt` (RFC 7523,
//! OpenID Connect Core 1.0 section 9): read from PEM or from a private
//! JWK, bound to the JWS algorithms its type allows, and never printed.

use crate::config::SigningAlgorithm;
use crate::error::ConfigError;
use crate::util::b64url;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair as _, RSA_PKCS1_SHA256, RSA_PSS_SHA256,
    RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

/// The smallest RSA key accepted for signing assertions, in bits (RFC 7518
/// section 3.3: 2048 or larger).
const MIN_RSA_BITS: usize = 2048;

/// The client's private key for `private_key_jwt`: RSA (RS256 or PS256,
/// as the provider allows), EC P-256 (ES256), EC P-384 (ES384) or Ed25519
/// (EdDSA). The algorithm follows from the key; its public half is what
/// the provider has registered for the client (see [`ClientKey::public_jwk`]).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use oidc_core::{ClientConfig, ClientKey};
/// let pem = std::fs::read_to_string("client-key.pem")?;
/// // A PKCS#8 PEM file as `openssl genpkey` writes it (also PKCS#1
/// // `RSA PRIVATE KEY` and SEC1 `EC PRIVATE KEY`), or a private JWK.
/// let key = ClientKey::from_pem(&pem)?.kid("2026-12");
/// let config = ClientConfig::for_issuer("https://login.example.com")
///     .client_id("my-client-id")
///     .redirect_uri("https://app.example.com/callback")
///     .private_key(key);
/// assert!(config.validate().is_ok());
/// # Ok(()) }
/// ```
///
/// `Debug` shows only the algorithms and the `kid`. Clones share the key.
#[derive(Clone)]
pub struct ClientKey {
    key: Arc<KeyPair>,
    /// The algorithms the key signs, in order of preference.
    algorithms: Vec<SigningAlgorithm>,
    kid: Option<String>,
}

enum KeyPair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair, &'static str),
    Ed25519(Ed25519KeyPair),
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientKey")
            .field("algorithms", &self.algorithms)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn invalid(reason: impl Into<String>) -> ConfigError {
    ConfigError::InvalidClientKey(reason.into())
}

impl ClientKey {
    /// Reads an unencrypted private key from PEM: `PRIVATE KEY` (PKCS#8:
    /// RSA, EC P-256 or P-384, Ed25519), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1). Text around the PEM block is ignored.
    pub fn from_pem(pem: &str) -> Result<Self, ConfigError> {
        let (label, der) = pem_block(pem)?;
        let key = match label.as_str() {
            "PRIVATE KEY" => from_pkcs8(&der)?,
            "RSA PRIVATE KEY" => KeyPair::Rsa(
                RsaKeyPair::from_der(&der)
                    .map_err(|e| invalid(format!("the PKCS#1 RSA key is rejected: {e}")))?,
            ),
            "EC PRIVATE KEY" => from_ec_der(&der)
                .ok_or_else(|| invalid("the SEC1 EC key is not a valid P-256 or P-384 key"))?,
            "ENCRYPTED PRIVATE KEY" => {
                return Err(invalid(
                    "the PEM key is encrypted: decrypt it first (openssl pkcs8 -nocrypt)",
                ));
            }
            "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => {
                return Err(invalid(format!(
                    "the PEM holds a {}, not the private key",
                    label.to_lowercase()
                )));
            }
            other => return Err(invalid(format!("unsupported PEM block `{other}`"))),
        };
        Self::new(key, None, None)
    }

    /// Reads a private JWK (RFC 7517, a JSON object): `kty` `RSA` (with
    /// its CRT members `p`, `q`, `dp`, `dq`, `qi`), `EC` (`crv` `P-256` or
    /// `P-384`) or `OKP` (`crv` `Ed25519`). Its `kid` becomes the key's
    /// `kid`; an `alg` member restricts the key to that algorithm.
    pub fn from_jwk(jwk: &str) -> Result<Self, ConfigError> {
        let jwk: Map<String, Value> = serde_json::from_str(jwk)
            .map_err(|e| invalid(format!("the JWK is not a JSON object: {e}")))?;
        let key = match member(&jwk, "kty")? {
            "RSA" => rsa_from_jwk(&jwk)?,
            "EC" => ec_from_jwk(&jwk)?,
            "OKP" => ed25519_from_jwk(&jwk)?,
            other => return Err(invalid(format!("unsupported JWK key type `{other}`"))),
        };
        let kid = match jwk.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(invalid("the JWK's `kid` is not a string")),
        };
        let alg = match jwk.get("alg") {
            None => None,
            Some(Value::String(alg)) => Some(alg.as_str()),
            Some(_) => return Err(invalid("the JWK's `alg` is not a string")),
        };
        Self::new(key, kid, alg)
    }

    fn new(key: KeyPair, kid: Option<String>, alg: Option<&str>) -> Result<Self, ConfigError> {
        let mut algorithms = match &key {
            KeyPair::Rsa(rsa) => {
                let bits = rsa.public_modulus_len() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(invalid(format!(
                        "the RSA key has {bits} bits: at least {MIN_RSA_BITS} are needed"
                    )));
                }
                vec![SigningAlgorithm::RS256, SigningAlgorithm::PS256]
            }
            KeyPair::Ec(_, "P-256") => vec![SigningAlgorithm::ES256],
            KeyPair::Ec(..) => vec![SigningAlgorithm::ES384],
            KeyPair::Ed25519(_) => vec![SigningAlgorithm::EdDSA],
        };
        if let Some(alg) = alg {
            if !algorithms.iter().any(|a| a.as_str() == alg) {
                return Err(invalid(format!(
                    "the JWK's `alg` `{alg}` does not fit the key (it signs {})",
                    names(&algorithms)
                )));
            }
            algorithms.retain(|a| a.as_str() == alg);
        }
        Ok(Self {
            key: Arc::new(key),
            algorithms,
            kid,
        })
    }

    /// Sets the `kid` sent in the assertion's header, so the provider
    /// finds the key among the client's registered ones (replaces the
    /// JWK's `kid`).
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The `kid`, if known.
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWS algorithms this key can sign, in order of preference; the
    /// client uses the first the provider lists in
    /// `token_endpoint_auth_signing_alg_values_supported`.
    pub fn algorithms(&self) -> &[SigningAlgorithm] {
        &self.algorithms
    }

    /// The public half as a JWK (with `kid` when known, and `alg` when
    /// the key signs only one algorithm): what to register with the provider
    /// (in the client's `jwks`).
    pub fn public_jwk(&self) -> Value {
        let mut jwk = match &*self.key {
            KeyPair::Rsa(rsa) => {
                let public = rsa.public_key();
                serde_json::json!({
                    "kty": "RSA",
                    "n": b64url(public.modulus().big_endian_without_leading_zero()),
                    "e": b64url(public.exponent().big_endian_without_leading_zero()),
                })
            }
            KeyPair::Ec(ec, crv) => {
                // The uncompressed point: 0x04 || x || y.
                let coordinates = ec.public_key().as_ref().get(1..).unwrap_or_default();
                let (x, y) = coordinates.split_at(coordinates.len() / 2);
                serde_json::json!({ "kty": "EC", "crv": crv, "x": b64url(x), "y": b64url(y) })
            }
            KeyPair::Ed25519(ed) => serde_json::json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": b64url(ed.public_key().as_ref()),
            }),
        };
        jwk["use"] = "sig".into();
        if let Some(kid) = &self.kid {
            jwk["kid"] = kid.as_str().into();
        }
        if let [alg] = self.algorithms.as_slice() {
            jwk["alg"] = alg.as_str().into();
        }
        jwk
    }

    /// The JWS signature of `message` with `alg` (one of [`Self::algorithms`]).
    pub(crate) fn sign(&self, alg: SigningAlgorithm, message: &[u8]) -> Result<Vec<u8>, String> {
        if !self.algorithms.contains(&alg) {
            return Err(format!("the client key cannot sign {alg}"));
        }
        let failed = |_| format!("signing with {alg} failed");
        match (&*self.key, alg) {
            (KeyPair::Rsa(rsa), SigningAlgorithm::RS256 | SigningAlgorithm::PS256) => {
                let padding = if alg == SigningAlgorithm::RS256 {
                    &RSA_PKCS1_SHA256
                } else {
                    &RSA_PSS_SHA256
                };
                let mut signature = vec![0; rsa.public_modulus_len()];
                rsa.sign(padding, &SystemRandom::new(), message, &mut signature)
                    .map_err(failed)?;
                Ok(signature)
            }
            (KeyPair::Ec(ec, _), _) => Ok(ec
                .sign(&SystemRandom::new(), message)
                .map_err(failed)?
                .as_ref()
                .to_vec()),
            (KeyPair::Ed25519(ed), _) => {
                Ok(ed.try_sign(message).map_err(failed)?.as_ref().to_vec())
            }
            (KeyPair::Rsa(_), _) => Err(format!("the client key cannot sign {alg}")),
        }
    }
}

fn names(algorithms: &[SigningAlgorithm]) -> String {
    algorithms
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The label and bytes of the first PEM block.
fn pem_block(pem: &str) -> Result<(String, Vec<u8>), ConfigError> {
    let start = pem
        .find("-----BEGIN ")
        .ok_or_else(|| invalid("no PEM block (-----BEGIN ...-----) found"))?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let (label, rest) = rest
        .split_once("-----")
        .ok_or_else(|| invalid("the PEM header is malformed"))?;
    let end = format!("-----END {label}-----");
    let (body, _) = rest
        .split_once(&end)
        .ok_or_else(|| invalid(format!("the PEM block has no `{end}` line")))?;
    if body.contains(':') {
        return Err(invalid(
            "the PEM key is encrypted (it has headers): decrypt it first",
        ));
    }
    let body: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD
        .decode(body)
        .map_err(|_| invalid("the PEM body is not valid base64"))?;
    Ok((label.to_owned(), der))
}

fn from_pkcs8(der: &[u8]) -> Result<KeyPair, ConfigError> {
    let rsa = match RsaKeyPair::from_pkcs8(der) {
        Ok(rsa) => return Ok(KeyPair::Rsa(rsa)),
        Err(e) => e,
    };
    if let Ok(ed) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        return Ok(KeyPair::Ed25519(ed));
    }
    from_ec_der(der).ok_or_else(|| match rsa.to_string().as_str() {
        // An RSA key aws-lc-rs refuses (e.g. fewer than 2048 bits).
        "TooSmall" | "TooLarge" => invalid(format!("the RSA key is rejected: {rsa}")),
        _ => invalid("the PKCS#8 key is not an RSA, EC P-256, EC P-384 or Ed25519 private key"),
    })
}

/// An EC key from PKCS#8 or SEC1 DER, on the first curve that accepts it.
fn from_ec_der(der: &[u8]) -> Option<KeyPair> {
    let curves: [(&'static EcdsaSigningAlgorithm, &'static str); 2] = [
        (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
        (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
    ];
    curves.into_iter().find_map(|(alg, crv)| {
        EcdsaKeyPair::from_private_key_der(alg, der)
            .ok()
            .map(|k| KeyPair::Ec(k, crv))
    })
}

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<&'a str, ConfigError> {
    match jwk.get(name) {
        Some(Value::String(value)) => Ok(value),
        Some(_) => Err(invalid(format!("the JWK's `{name}` is not a string"))),
        None => Err(invalid(format!("the JWK has no `{name}` member"))),
    }
}

fn bytes(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>, ConfigError> {
    URL_SAFE_NO_PAD
        .decode(member(jwk, name)?)
        .map_err(|_| invalid(format!("the JWK's `{name}` is not base64url")))
}

fn private_member(jwk: &Map<String, Value>) -> Result<Vec<u8>, ConfigError> {
    if !jwk.contains_key("d") {
        return Err(invalid(
            "the JWK has no `d`: it is a public key, the client needs the private one",
        ));
    }
    bytes(jwk, "d")
}

fn rsa_from_jwk(jwk: &Map<String, Value>) -> Result<KeyPair, ConfigError> {
    let d = private_member(jwk)?;
    let components = KeyPairComponents {
        public_key: PublicKeyComponents {
            n: bytes(jwk, "n")?,
            e: bytes(jwk, "e")?,
        },
        d,
        p: bytes(jwk, "p")?,
        q: bytes(jwk, "q")?,
        dP: bytes(jwk, "dp")?,
        dQ: bytes(jwk, "dq")?,
        qInv: bytes(jwk, "qi")?,
    };
    RsaKeyPair::from_components(&components)
        .map(KeyPair::Rsa)
        .map_err(|e| invalid(format!("the RSA JWK is rejected: {e}")))
}

fn ec_from_jwk(jwk: &Map<String, Value>) -> Result<KeyPair, ConfigError> {
    let (alg, crv): (&'static EcdsaSigningAlgorithm, &'static str) = match member(jwk, "crv")? {
        "P-256" => (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
        "P-384" => (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
        other => return Err(invalid(format!("unsupported EC curve `{other}`"))),
    };
    let d = private_member(jwk)?;
    let mut point = vec![0x04];
    point.extend(bytes(jwk, "x")?);
    point.extend(bytes(jwk, "y")?);
    EcdsaKeyPair::from_private_key_and_public_key(alg, &d, &point)
        .map(|k| KeyPair::Ec(k, crv))
        .map_err(|e| invalid(format!("the EC JWK is rejected: {e}")))
}

fn ed25519_from_jwk(jwk: &Map<String, Value>) -> Result<KeyPair, ConfigError> {
    match member(jwk, "crv")? {
        "Ed25519" => {}
        other => return Err(invalid(format!("unsupported OKP curve `{other}`"))),
    }
    let d = private_member(jwk)?;
    Ed25519KeyPair::from_seed_and_public_key(&d, &bytes(jwk, "x")?)
        .map(KeyPair::Ed25519)
        .map_err(|e| invalid(format!("the Ed25519 JWK is rejected: {e}")))
}

#[cfg(test)]
mod tests;
