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
    let policy = JwksPolicy {
        cooldown: Duration::from_secs(3600),
        ..JwksPolicy::default()
    };
    let cache = JwksCache::new(uri, http, policy);
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

// ---- expiry and refetch rules, against a JWKS endpoint on loopback ----------------------

const RS256: SigningAlgorithm = SigningAlgorithm::RS256;

/// What the test endpoint answers.
struct Reply {
    status: u16,
    cache_control: Option<&'static str>,
    body: Vec<u8>,
}

/// A JWKS endpoint on loopback whose answer the test changes between
/// requests, counting the requests it serves.
struct Endpoint {
    url: Url,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicU64>,
}

impl Endpoint {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/jwks", listener.local_addr().unwrap())).unwrap();
        let reply = Arc::new(Mutex::new(Reply {
            status: 200,
            cache_control: None,
            body: b"{\"keys\":[]}".to_vec(),
        }));
        let hits = Arc::new(AtomicU64::new(0));
        let (served, counter) = (Arc::clone(&reply), Arc::clone(&hits));
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (served, counter) = (Arc::clone(&served), Arc::clone(&counter));
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        stream.readable().await.unwrap();
                        match stream.try_read(&mut buffer) {
                            Ok(0) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                            Err(_) => return,
                        }
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    let response = {
                        let reply = served.lock().unwrap();
                        let mut head = format!(
                            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                            reply.status,
                            reply.body.len()
                        );
                        if let Some(value) = reply.cache_control {
                            head.push_str(&format!("cache-control: {value}\r\n"));
                        }
                        head.push_str("\r\n");
                        let mut bytes = head.into_bytes();
                        bytes.extend_from_slice(&reply.body);
                        bytes
                    };
                    let mut data = &response[..];
                    while !data.is_empty() {
                        stream.writable().await.unwrap();
                        match stream.try_write(data) {
                            Ok(n) => data = &data[n..],
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                            Err(_) => return,
                        }
                    }
                });
            }
        });
        Self { url, reply, hits }
    }

    /// Serve these keys from now on.
    fn serve(&self, keys: &[&Value], cache_control: Option<&'static str>) {
        let mut reply = self.reply.lock().unwrap();
        reply.status = 200;
        reply.cache_control = cache_control;
        reply.body = serde_json::to_vec(&json!({ "keys": keys })).unwrap();
    }

    /// Answer 503 from now on.
    fn fail(&self) {
        self.reply.lock().unwrap().status = 503;
    }

    fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    fn cache(&self, cooldown: Duration) -> JwksCache {
        let http = Http::new(Duration::from_secs(5), Duration::from_secs(5), 64 * 1024).unwrap();
        let policy = JwksPolicy {
            cooldown,
            ..JwksPolicy::default()
        };
        JwksCache::new(self.url.clone(), http, policy)
    }
}

async fn found(cache: &JwksCache, kid: &str) -> bool {
    match cache.select(Some(kid), RS256).await.unwrap() {
        KeySelection::Found(key) => key.kid.as_deref() == Some(kid),
        KeySelection::NotFound => false,
        KeySelection::Ambiguous => panic!("ambiguous"),
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_after_max_age() {
    let (a, b) = (rsa_jwk("a"), rsa_jwk("b"));
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], Some("public, max-age=600"));
    let cache = endpoint.cache(Duration::from_secs(10));
    assert!(found(&cache, "a").await);
    // The provider withdraws `a`: within max-age it is still trusted,
    // without a request.
    endpoint.serve(&[&b], Some("public, max-age=600"));
    cache.clock().advance(Duration::from_secs(599));
    assert!(found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 1);
    // Past max-age the next verification refetches, and `a` is gone.
    cache.clock().advance(2 * SECOND);
    assert!(!found(&cache, "a").await, "a withdrawn key must not verify");
    assert_eq!(endpoint.hits(), 2);
    assert!(found(&cache, "b").await);
    assert_eq!(endpoint.hits(), 2, "the refetched keys are fresh");
    assert_eq!(cache.fetch_count(), 2);
}

#[tokio::test]
async fn without_max_age_keys_expire_after_the_default() {
    let a = rsa_jwk("a");
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], None);
    let cache = endpoint.cache(Duration::from_secs(10));
    assert!(found(&cache, "a").await);
    endpoint.serve(&[], None);
    cache.clock().advance(Duration::from_secs(3599));
    assert!(found(&cache, "a").await);
    cache.clock().advance(2 * SECOND);
    assert!(!found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 2);
}

#[tokio::test]
async fn no_store_keys_are_kept_for_the_minimum() {
    let a = rsa_jwk("a");
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], Some("no-store"));
    let cache = endpoint.cache(Duration::from_secs(10));
    for _ in 0..5 {
        assert!(found(&cache, "a").await);
    }
    assert_eq!(endpoint.hits(), 1, "not a request per token");
    cache.clock().advance(Duration::from_secs(61));
    assert!(found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 2);
}

#[tokio::test]
async fn the_cooldown_counts_from_the_last_refetch_an_unknown_kid_caused() {
    let (a, b, c) = (rsa_jwk("a"), rsa_jwk("b"), rsa_jwk("c"));
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], Some("max-age=86400"));
    let cache = endpoint.cache(Duration::from_secs(3600));
    assert!(found(&cache, "a").await);
    // The provider rotates seconds after the first fetch: the new kid is
    // fetched at once, not an hour later.
    endpoint.serve(&[&a, &b], Some("max-age=86400"));
    cache.clock().advance(2 * SECOND);
    assert!(found(&cache, "b").await, "the rotated key is fetched");
    assert_eq!(endpoint.hits(), 2);
    // That refetch starts the cooldown: unknown kids cause no request now.
    endpoint.serve(&[&a, &b, &c], Some("max-age=86400"));
    for kid in ["c", "x", "y"] {
        assert!(!found(&cache, kid).await);
    }
    assert_eq!(endpoint.hits(), 2);
    cache.clock().advance(Duration::from_secs(3600));
    assert!(found(&cache, "c").await, "after the cooldown");
    assert_eq!(endpoint.hits(), 3);
}

#[tokio::test]
async fn expiry_refetches_do_not_start_the_cooldown() {
    let (a, b) = (rsa_jwk("a"), rsa_jwk("b"));
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], Some("max-age=600"));
    let cache = endpoint.cache(Duration::from_secs(3600));
    assert!(found(&cache, "a").await);
    cache.clock().advance(Duration::from_secs(601));
    assert!(found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 2, "refetched on expiry");
    endpoint.serve(&[&a, &b], Some("max-age=600"));
    assert!(found(&cache, "b").await, "an unknown kid still refetches");
    assert_eq!(endpoint.hits(), 3);
}

#[tokio::test]
async fn expired_keys_are_served_for_a_grace_period_while_the_refetch_fails() {
    let a = rsa_jwk("a");
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], Some("max-age=600"));
    let cache = endpoint.cache(Duration::from_secs(10));
    assert!(found(&cache, "a").await);
    endpoint.fail();
    cache.clock().advance(Duration::from_secs(601));
    assert!(found(&cache, "a").await, "stale, within the grace period");
    assert_eq!(endpoint.hits(), 2);
    // Within the cooldown after the failure: no new attempt.
    assert!(found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 2);
    // After it: one more attempt, failing again.
    cache.clock().advance(Duration::from_secs(11));
    assert!(found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 3);
    // Past max-age plus the grace period the keys are refused.
    cache.clock().advance(STALE_GRACE);
    let error = cache.select(Some("a"), RS256).await.unwrap_err();
    assert!(
        matches!(&error, JwsError::KeysUnavailable(m) if m.contains("expired") && m.contains("503")),
        "{error:?}"
    );
    assert_eq!(endpoint.hits(), 4);
    let again = cache.select(Some("a"), RS256).await.unwrap_err();
    assert!(matches!(again, JwsError::KeysUnavailable(_)), "{again:?}");
    assert_eq!(endpoint.hits(), 4, "still one attempt per cooldown");
    // The provider recovers: the next attempt restores the keys.
    endpoint.serve(&[&a], Some("max-age=600"));
    cache.clock().advance(Duration::from_secs(11));
    assert!(found(&cache, "a").await);
    assert_eq!(endpoint.hits(), 5);
}

#[tokio::test]
async fn concurrent_verifications_of_expired_keys_fetch_once() {
    let a = rsa_jwk("a");
    let endpoint = Endpoint::start().await;
    endpoint.serve(&[&a], Some("max-age=600"));
    let cache = Arc::new(endpoint.cache(Duration::from_secs(10)));
    assert!(found(&cache, "a").await);
    cache.clock().advance(Duration::from_secs(601));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { found(&cache, "a").await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap());
    }
    assert_eq!(endpoint.hits(), 2, "one refetch for all of them");
}
