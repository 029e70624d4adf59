use super::*;
use crate::error::JwsError;
use serde_json::json;

// A real 2048-bit modulus is needed for the size check; generate one.
fn rsa_jwk(kid: &str) -> Value {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::KeyPair as _;
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let _ = pair.public_key().as_der();
    let components = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
           "n": crate::util::b64url(&components.n), "e": crate::util::b64url(&components.e)})
}

fn set(keys: Vec<Value>) -> KeySet {
    KeySet::parse(&serde_json::to_vec(&json!({ "keys": keys })).unwrap()).unwrap()
}

#[test]
fn selects_by_kid_and_alg() {
    let keys = set(vec![rsa_jwk("a"), rsa_jwk("b")]);
    assert!(
        matches!(keys.select(Some("b"), SigningAlgorithm::RS256), KeySelection::Found(k) if k.kid.as_deref() == Some("b"))
    );
    assert!(matches!(
        keys.select(Some("c"), SigningAlgorithm::RS256),
        KeySelection::NotFound
    ));
    assert!(matches!(
        keys.select(None, SigningAlgorithm::RS256),
        KeySelection::Ambiguous
    ));
    // An RS256 key is not an ES256 key, whatever the kid says.
    assert!(matches!(
        keys.select(Some("a"), SigningAlgorithm::ES256),
        KeySelection::NotFound
    ));
    // Its `alg` pins it to RS256.
    assert!(matches!(
        keys.select(Some("a"), SigningAlgorithm::PS256),
        KeySelection::NotFound
    ));
}

#[test]
fn skips_unusable_keys() {
    let mut enc = rsa_jwk("enc");
    enc["use"] = json!("enc");
    let mut oaep = rsa_jwk("oaep");
    oaep["alg"] = json!("RSA-OAEP");
    let oct = json!({"kty": "oct", "kid": "h", "k": "c2VjcmV0"});
    let small = json!({"kty": "RSA", "kid": "s", "n": "AQAB", "e": "AQAB"});
    let junk = json!({"kty": "XYZ"});
    let mut ops = rsa_jwk("ops");
    ops["key_ops"] = json!(["encrypt"]);
    let keys = set(vec![enc, oaep, oct, small, junk, ops, rsa_jwk("good")]);
    assert_eq!(keys.len(), 1);
    assert!(matches!(
        keys.select(None, SigningAlgorithm::RS256),
        KeySelection::Found(_)
    ));
}

#[tokio::test]
async fn failed_fetches_count_against_the_cooldown() {
    // Nothing listens on the discard port: every fetch fails at once.
    let uri = Url::parse("http://127.0.0.1:9/jwks").unwrap();
    let http = Http::new(Duration::from_secs(2), Duration::from_secs(2), 1024).unwrap();
    let cache = JwksCache::new(uri, http, Duration::from_secs(3600));
    for attempt in 0..20 {
        let error = cache
            .select(Some("k1"), SigningAlgorithm::RS256)
            .await
            .unwrap_err();
        assert!(
            matches!(error, JwsError::KeysUnavailable(_)),
            "{attempt}: {error:?}"
        );
    }
    assert_eq!(
        cache.fetch_count(),
        1,
        "one request per cooldown, even failing"
    );
}

#[test]
fn rejects_documents_without_keys() {
    assert!(KeySet::parse(b"{}").is_err());
    assert!(KeySet::parse(b"[]").is_err());
    assert!(KeySet::parse(br#"{"keys":[],"keys":[]}"#).is_err());
}
