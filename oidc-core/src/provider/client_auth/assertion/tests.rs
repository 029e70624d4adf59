use super::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

const EC_JWK: &str = include_str!("../../../config/client_key/ec-p256.jwk.json");

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn parts(jwt: &str) -> (Value, Value, Vec<u8>) {
    let [header, claims, signature] = jwt.split('.').collect::<Vec<_>>()[..] else {
        panic!("three parts: {jwt}")
    };
    (
        decode(header),
        decode(claims),
        URL_SAFE_NO_PAD.decode(signature).unwrap(),
    )
}

fn check_claims(claims: &Value, audience: &str) {
    assert_eq!(claims["iss"], "my-client");
    assert_eq!(claims["sub"], "my-client");
    assert_eq!(claims["aud"], audience);
    let iat = claims["iat"].as_i64().unwrap();
    assert!((unix_now() - iat).abs() <= 5);
    assert_eq!(claims["exp"].as_i64().unwrap(), iat + 60);
    assert!(claims["jti"].as_str().unwrap().len() >= 32);
    assert_eq!(claims.as_object().unwrap().len(), 6, "{claims}");
}

#[test]
fn a_key_assertion_has_the_claims_and_header_of_rfc_7523() {
    let key = ClientKey::from_jwk(EC_JWK).unwrap();
    let jwt = sign_with_key(
        &key,
        SigningAlgorithm::ES256,
        "my-client",
        "https://op.example/token",
    )
    .unwrap();
    let (header, claims, signature) = parts(&jwt);
    assert_eq!(header, serde_json::json!({ "alg": "ES256", "kid": "ec-1" }));
    check_claims(&claims, "https://op.example/token");
    // The signature is over the first two parts, with the key's public half.
    let public = key.public_jwk();
    let point = [
        vec![4],
        URL_SAFE_NO_PAD
            .decode(public["x"].as_str().unwrap())
            .unwrap(),
        URL_SAFE_NO_PAD
            .decode(public["y"].as_str().unwrap())
            .unwrap(),
    ]
    .concat();
    let input = jwt.rsplit_once('.').unwrap().0;
    aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
        &point,
    )
    .verify(input.as_bytes(), &signature)
    .expect("the signature verifies");
}

#[test]
fn without_a_kid_the_header_has_only_alg() {
    let key = ClientKey::from_pem(include_str!("../../../config/client_key/ed25519.pem")).unwrap();
    let jwt = sign_with_key(
        &key,
        SigningAlgorithm::EdDSA,
        "my-client",
        "https://op.example",
    )
    .unwrap();
    assert_eq!(parts(&jwt).0, serde_json::json!({ "alg": "EdDSA" }));
    // A key refuses an algorithm it cannot sign.
    assert!(matches!(
        sign_with_key(
            &key,
            SigningAlgorithm::RS256,
            "my-client",
            "https://op.example"
        ),
        Err(TokenError::ClientAssertion(_))
    ));
}

#[test]
fn a_secret_assertion_is_hs256_with_the_secret() {
    let secret = ClientSecret::new("s3cret");
    let jwt = sign_with_secret(&secret, "my-client", "https://op.example").unwrap();
    let (header, claims, signature) = parts(&jwt);
    assert_eq!(header, serde_json::json!({ "alg": "HS256" }));
    check_claims(&claims, "https://op.example");
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"s3cret");
    let input = jwt.rsplit_once('.').unwrap().0;
    hmac::verify(&key, input.as_bytes(), &signature).expect("the tag verifies");
    assert!(!jwt.contains("s3cret"));
}

#[test]
fn every_assertion_has_its_own_jti() {
    let secret = ClientSecret::new("s3cret");
    let jti = || parts(&sign_with_secret(&secret, "c", "a").unwrap()).1["jti"].clone();
    assert_ne!(jti(), jti());
}
