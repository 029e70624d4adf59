use super::*;
use SigningAlgorithm as A;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ED25519, RSA_PKCS1_2048_8192_SHA256,
    RSA_PSS_2048_8192_SHA256, UnparsedPublicKey, VerificationAlgorithm,
};

const RSA_PEM: &str = include_str!("rsa.pem");
const RSA_PKCS1_PEM: &str = include_str!("rsa-pkcs1.pem");
const RSA_JWK: &str = include_str!("rsa.jwk.json");
const EC_PEM: &str = include_str!("ec-p256.pem");
const EC_SEC1_PEM: &str = include_str!("ec-p256-sec1.pem");
const EC_JWK: &str = include_str!("ec-p256.jwk.json");
const EC384_PEM: &str = include_str!("ec-p384.pem");
const EC384_JWK: &str = include_str!("ec-p384.jwk.json");
const ED_PEM: &str = include_str!("ed25519.pem");
const ED_JWK: &str = include_str!("ed25519.jwk.json");

fn verification(alg: A) -> &'static dyn VerificationAlgorithm {
    match alg {
        A::RS256 => &RSA_PKCS1_2048_8192_SHA256,
        A::PS256 => &RSA_PSS_2048_8192_SHA256,
        A::ES256 => &ECDSA_P256_SHA256_FIXED,
        A::ES384 => &ECDSA_P384_SHA384_FIXED,
        A::EdDSA => &ED25519,
        other => panic!("not a client key algorithm: {other}"),
    }
}

/// The public key bytes aws-lc-rs verifies with, from the public JWK.
fn public_key_bytes(jwk: &Value) -> Vec<u8> {
    let field = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    match jwk["kty"].as_str().unwrap() {
        "RSA" => rsa_public_der(&field("n"), &field("e")),
        "EC" => [vec![4], field("x"), field("y")].concat(),
        _ => field("x"),
    }
}

/// A PKCS#1 `RSAPublicKey` (SEQUENCE of two INTEGERs), DER.
fn rsa_public_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn len(n: usize) -> Vec<u8> {
        match n {
            0..=127 => vec![n as u8],
            128..=255 => vec![0x81, n as u8],
            _ => vec![0x82, (n >> 8) as u8, n as u8],
        }
    }
    fn integer(bytes: &[u8]) -> Vec<u8> {
        let mut value = bytes.to_vec();
        if value[0] & 0x80 != 0 {
            value.insert(0, 0);
        }
        [vec![2], len(value.len()), value].concat()
    }
    let body = [integer(n), integer(e)].concat();
    [vec![0x30], len(body.len()), body].concat()
}

/// Signs with every algorithm of the key and checks each signature with
/// the public JWK: the key, its algorithms and its public half agree.
fn signs_and_verifies(key: &ClientKey, expected: &[A]) {
    assert_eq!(key.algorithms(), expected);
    let public = public_key_bytes(&key.public_jwk());
    for alg in expected {
        let signature = key.sign(*alg, b"header.claims").unwrap();
        UnparsedPublicKey::new(verification(*alg), &public)
            .verify(b"header.claims", &signature)
            .unwrap_or_else(|_| panic!("{alg} signature verifies"));
        assert!(
            UnparsedPublicKey::new(verification(*alg), &public)
                .verify(b"header.claimz", &signature)
                .is_err()
        );
    }
}

#[test]
fn rsa_keys_sign_rs256_and_ps256() {
    for pem in [RSA_PEM, RSA_PKCS1_PEM] {
        signs_and_verifies(&ClientKey::from_pem(pem).unwrap(), &[A::RS256, A::PS256]);
    }
    let jwk = ClientKey::from_jwk(RSA_JWK).unwrap();
    assert_eq!(jwk.key_id(), Some("rsa-1"));
    signs_and_verifies(&jwk, &[A::RS256, A::PS256]);
    // The same key, whichever way it was read.
    let pem = ClientKey::from_pem(RSA_PEM).unwrap().kid("rsa-1");
    assert_eq!(pem.public_jwk(), jwk.public_jwk());
}

#[test]
fn ec_keys_sign_es256_or_es384_by_curve() {
    for pem in [EC_PEM, EC_SEC1_PEM] {
        signs_and_verifies(&ClientKey::from_pem(pem).unwrap(), &[A::ES256]);
    }
    let jwk = ClientKey::from_jwk(EC_JWK).unwrap();
    signs_and_verifies(&jwk, &[A::ES256]);
    assert_eq!(
        ClientKey::from_pem(EC_PEM)
            .unwrap()
            .kid("ec-1")
            .public_jwk(),
        jwk.public_jwk()
    );
    signs_and_verifies(&ClientKey::from_pem(EC384_PEM).unwrap(), &[A::ES384]);
    let jwk = ClientKey::from_jwk(EC384_JWK).unwrap();
    assert_eq!(jwk.public_jwk()["crv"], "P-384");
    signs_and_verifies(&jwk, &[A::ES384]);
}

#[test]
fn ed25519_keys_sign_eddsa() {
    signs_and_verifies(&ClientKey::from_pem(ED_PEM).unwrap(), &[A::EdDSA]);
    let jwk = ClientKey::from_jwk(ED_JWK).unwrap();
    assert_eq!(jwk.key_id(), Some("ed-1"));
    signs_and_verifies(&jwk, &[A::EdDSA]);
    assert_eq!(
        jwk.public_jwk()["x"],
        ClientKey::from_pem(ED_PEM).unwrap().public_jwk()["x"]
    );
}

#[test]
fn a_jwk_alg_restricts_the_key() {
    let mut jwk: Value = serde_json::from_str(RSA_JWK).unwrap();
    jwk["alg"] = "PS256".into();
    let key = ClientKey::from_jwk(&jwk.to_string()).unwrap();
    assert_eq!(key.algorithms(), [A::PS256]);
    assert!(key.sign(A::RS256, b"x").is_err());
    assert_eq!(key.public_jwk()["alg"], "PS256");
    jwk["alg"] = "ES256".into();
    assert!(matches!(
        ClientKey::from_jwk(&jwk.to_string()),
        Err(ConfigError::InvalidClientKey(reason)) if reason.contains("does not fit")
    ));
}

#[test]
fn the_public_jwk_has_no_private_member() {
    for key in [RSA_JWK, EC_JWK, ED_JWK] {
        let public = ClientKey::from_jwk(key).unwrap().public_jwk();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(public.get(private).is_none(), "{private} in {public}");
        }
    }
}

#[test]
fn bad_keys_are_config_errors() {
    let public_pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";
    let weak = include_str!("rsa-1024.pem");
    let truncated = &RSA_PEM[..RSA_PEM.len() / 2];
    let encrypted =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
    let garbage = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
    let cases: [(&str, &str); 6] = [
        ("", "no PEM block"),
        (public_pem, "not the private key"),
        (weak, "RSA key is rejected"),
        (truncated, "no `-----END PRIVATE KEY-----` line"),
        (encrypted, "encrypted"),
        (garbage, "not an RSA, EC P-256"),
    ];
    for (pem, expected) in cases {
        match ClientKey::from_pem(pem) {
            Err(ConfigError::InvalidClientKey(reason)) => {
                assert!(reason.contains(expected), "{reason:?} for {expected:?}")
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
    let mut public_jwk: Value = serde_json::from_str(EC_JWK).unwrap();
    public_jwk.as_object_mut().unwrap().remove("d");
    let mut wrong_point: Value = serde_json::from_str(EC_JWK).unwrap();
    wrong_point["x"] = serde_json::from_str::<Value>(EC384_JWK).unwrap()["y"].clone();
    let jwks = [
        ("[]".to_owned(), "not a JSON object"),
        (
            r#"{"kty":"oct","k":"c2VjcmV0"}"#.to_owned(),
            "unsupported JWK key type",
        ),
        (public_jwk.to_string(), "public key"),
        (wrong_point.to_string(), "rejected"),
        (
            r#"{"kty":"OKP","crv":"X25519","d":"AA","x":"AA"}"#.to_owned(),
            "unsupported OKP curve",
        ),
    ];
    for (jwk, expected) in jwks {
        match ClientKey::from_jwk(&jwk) {
            Err(ConfigError::InvalidClientKey(reason)) => {
                assert!(reason.contains(expected), "{reason:?} for {expected:?}")
            }
            other => panic!("{expected}: {other:?}"),
        }
    }
}

#[test]
fn debug_shows_only_the_algorithms_and_kid() {
    let key = ClientKey::from_jwk(RSA_JWK).unwrap();
    let shown = format!("{key:?}");
    assert_eq!(
        shown,
        r#"ClientKey { algorithms: [RS256, PS256], kid: Some("rsa-1"), .. }"#
    );
    let jwk: Value = serde_json::from_str(RSA_JWK).unwrap();
    for member in ["d", "p", "q", "n"] {
        let value = jwk[member].as_str().unwrap();
        assert!(!shown.contains(&value[..16]), "{member} shown");
    }
}
