//! The provider's signing keys: parsed once, cached until they expire
//! (`Cache-Control`, clamped), refetched on an unknown `kid` at a bounded
//! rate.

mod freshness;

pub(crate) use freshness::JwksPolicy;

use crate::config::SigningAlgorithm;
use crate::error::JwsError;
use crate::jose::jws::StrictObject;
use crate::provider::http::Http;
use crate::provider::trace::{self, step_span};
use aws_lc_rs::signature::{self as aws_signature, ParsedPublicKey, RsaPublicKeyComponents};
use freshness::{Clock, STALE_GRACE};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{DecodingKey, DecodingKeyKind};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};
use url::Url;

/// RSA keys shorter than this are ignored (RFC 8725 section 3.5; NIST).
const MIN_RSA_BITS: usize = 2048;
/// Signatures up to this size (decoded; RSA-8192 is 1024 bytes) are
/// decoded on the stack.
const SIGNATURE_BUFFER: usize = 1032;
/// At most this many keys are kept from one JWKS.
const MAX_KEYS: usize = 100;

/// The kind of a verification key, which decides the algorithms it can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl KeyKind {
    fn fits(self, alg: SigningAlgorithm) -> bool {
        use SigningAlgorithm as A;
        match self {
            Self::Rsa => matches!(
                alg,
                A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512
            ),
            Self::P256 => alg == A::ES256,
            Self::P384 => alg == A::ES384,
            Self::Ed25519 => alg == A::EdDSA,
        }
    }
}

/// One usable public key from the JWKS.
pub(crate) struct VerificationKey {
    kid: Option<String>,
    alg: Option<String>,
    kind: KeyKind,
    key: DecodingKey,
    /// The key parsed by aws-lc-rs, once per algorithm it has verified
    /// (indexed as [`SigningAlgorithm::ALL`]): parsing binds the padding and
    /// hash, and costs as much as a quarter of an RSA verification (the
    /// Montgomery context), so it is not redone per token. `None` if the key
    /// material does not parse.
    parsed: [OnceLock<Option<ParsedPublicKey>>; SigningAlgorithm::ALL.len()],
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl VerificationKey {
    fn accepts(&self, alg: SigningAlgorithm) -> bool {
        self.kind.fits(alg) && self.alg.as_deref().is_none_or(|a| a == alg.as_str())
    }

    /// Verifies a JWS signature (base64url) over the signing input, with
    /// the same aws-lc-rs algorithms `jsonwebtoken` uses (RSA keys of 2048
    /// to 8192 bits, fixed-size ECDSA signatures), on the cached parsed key.
    pub(crate) fn verify(
        &self,
        signing_input: &[u8],
        signature_b64: &str,
        alg: SigningAlgorithm,
    ) -> Result<(), JwsError> {
        let parsed = self.parsed(alg).ok_or(JwsError::BadSignature)?;
        // Decoded on the stack: no signature these algorithms accept is
        // longer than an RSA-8192 one (longer ones fail to verify as before).
        let mut buffer = [0u8; SIGNATURE_BUFFER];
        let mut heap = Vec::new();
        let signature = crate::jose::jws::decode_small(signature_b64, &mut buffer, &mut heap)
            .map_err(|_| JwsError::BadSignature)?;
        parsed
            .verify_sig(signing_input, signature)
            .map_err(|_| JwsError::BadSignature)
    }

    /// The key parsed for `alg`, parsed on first use.
    fn parsed(&self, alg: SigningAlgorithm) -> Option<&ParsedPublicKey> {
        let slot = SigningAlgorithm::ALL.iter().position(|a| *a == alg)?;
        self.parsed[slot]
            .get_or_init(|| parse_public_key(&self.key, alg))
            .as_ref()
    }
}

/// Parses a JWK's key material for one algorithm.
fn parse_public_key(key: &DecodingKey, alg: SigningAlgorithm) -> Option<ParsedPublicKey> {
    use SigningAlgorithm as A;
    match (key.kind(), alg) {
        (DecodingKeyKind::RsaModulusExponent { n, e }, _) => {
            let params: &'static aws_signature::RsaParameters = match alg {
                A::RS256 => &aws_signature::RSA_PKCS1_2048_8192_SHA256,
                A::RS384 => &aws_signature::RSA_PKCS1_2048_8192_SHA384,
                A::RS512 => &aws_signature::RSA_PKCS1_2048_8192_SHA512,
                A::PS256 => &aws_signature::RSA_PSS_2048_8192_SHA256,
                A::PS384 => &aws_signature::RSA_PSS_2048_8192_SHA384,
                A::PS512 => &aws_signature::RSA_PSS_2048_8192_SHA512,
                A::ES256 | A::ES384 | A::EdDSA => return None,
            };
            RsaPublicKeyComponents { n, e }
                .to_parsed_public_key(params)
                .ok()
        }
        (DecodingKeyKind::SecretOrDer(bytes), _) => {
            let algorithm: &'static dyn aws_signature::VerificationAlgorithm = match alg {
                A::ES256 => &aws_signature::ECDSA_P256_SHA256_FIXED,
                A::ES384 => &aws_signature::ECDSA_P384_SHA384_FIXED,
                A::EdDSA => &aws_signature::ED25519,
                _ => return None,
            };
            ParsedPublicKey::new(algorithm, bytes).ok()
        }
    }
}

/// The usable keys of one JWKS document.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    keys: Vec<Arc<VerificationKey>>,
}

/// The outcome of looking a key up.
#[derive(Debug)]
pub(crate) enum KeySelection {
    Found(Arc<VerificationKey>),
    Ambiguous,
    NotFound,
}

impl KeySet {
    /// Parses a JWKS, keeping only public signature keys this client can use.
    /// Unknown or unusable keys are skipped rather than failing the set, so
    /// a provider adding (say) an encryption key does not break logins.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, JwsError> {
        let document: StrictObject = serde_json::from_slice(body)
            .map_err(|e| JwsError::KeysUnavailable(format!("invalid JSON: {e}")))?;
        let Some(Value::Array(entries)) = document.0.get("keys") else {
            return Err(JwsError::KeysUnavailable("no `keys` array".into()));
        };
        let keys = entries
            .iter()
            .take(MAX_KEYS)
            .filter_map(usable_key)
            .map(Arc::new)
            .collect();
        Ok(Self { keys })
    }

    /// The number of usable keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Picks the key for a token header. With a `kid`, the key with that id;
    /// without one, the only key that fits the algorithm.
    pub(crate) fn select(&self, kid: Option<&str>, alg: SigningAlgorithm) -> KeySelection {
        let mut fitting = self
            .keys
            .iter()
            .filter(|k| k.accepts(alg))
            .filter(|k| kid.is_none() || k.kid.as_deref() == kid);
        match (fitting.next(), fitting.next()) {
            (Some(key), None) => KeySelection::Found(Arc::clone(key)),
            (Some(_), Some(_)) => KeySelection::Ambiguous,
            (None, _) => KeySelection::NotFound,
        }
    }
}

fn usable_key(entry: &Value) -> Option<VerificationKey> {
    let jwk: Jwk = serde_json::from_value(entry.clone()).ok()?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    if jwk
        .common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify))
    {
        return None;
    }
    let kind = match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            let n =
                base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &rsa.n)
                    .ok()?;
            let bits = n.iter().skip_while(|b| **b == 0).count() * 8;
            if bits < MIN_RSA_BITS {
                return None;
            }
            KeyKind::Rsa
        }
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => KeyKind::P256,
            EllipticCurve::P384 => KeyKind::P384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
            EllipticCurve::Ed25519 => KeyKind::Ed25519,
            _ => return None,
        },
        // Symmetric keys never verify provider signatures.
        _ => return None,
    };
    // The raw `alg` member, compared by name (the parsed enum also lists
    // encryption algorithms, which make the key unusable for signatures).
    let alg = entry.get("alg").and_then(Value::as_str).map(str::to_owned);
    if let Some(name) = &alg {
        let fits = SigningAlgorithm::from_jose(name).is_some_and(|a| kind.fits(a));
        if !fits {
            return None;
        }
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(VerificationKey {
        kid: jwk.common.key_id,
        alg,
        kind,
        key,
        parsed: Default::default(),
    })
}

/// One fetched key set and until when it may be trusted.
#[derive(Debug)]
struct Cached {
    keys: Arc<KeySet>,
    /// The start of its fetch plus the response's lifetime.
    expires_at: Instant,
}

/// Why a key lookup needs the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Nothing was fetched yet (or every fetch failed).
    Cold,
    /// The cached keys are past their lifetime.
    Expired,
    /// The cached keys are fresh but lack the token's `kid`.
    UnknownKid,
}

/// The cached JWKS of a client, shared by all its clones, and of the
/// access token verifier: ID, access and logout tokens all find their key
/// here, so all three follow the same expiry and refetch rules.
///
/// - Fresh keys (within the lifetime [`JwksPolicy::lifetime`] gives) are
///   used without a request.
/// - Expired keys are refetched by the next verification that needs them.
///   If that refetch fails, they are still served for [`STALE_GRACE`]
///   after expiring, with a new attempt at most once per cooldown; then
///   refused ([`JwsError::KeysUnavailable`]).
/// - An unknown `kid` causes a refetch unless another refetch an unknown
///   `kid` caused started within the cooldown. The first fetch and the
///   refetches of expired keys do not count: a provider that rotates its
///   keys moments after the application fetched them is followed at once.
/// - After a failed fetch, whatever caused it, nothing is requested within
///   the cooldown; the failure is reported again instead.
/// - One fetch at a time: concurrent verifications wait for it and use its
///   result.
#[derive(Debug)]
pub(crate) struct JwksCache {
    uri: Url,
    http: Http,
    policy: JwksPolicy,
    clock: Clock,
    current: RwLock<Option<Arc<Cached>>>,
    /// Single flight: one fetch at a time; others wait and reuse its result.
    fetching: tokio::sync::Mutex<()>,
    /// The start of the last fetch an unknown `kid` caused.
    last_kid_refetch: Mutex<Option<Instant>>,
    /// When and why the last fetch failed, while no later fetch succeeded.
    last_failure: Mutex<Option<(Instant, String)>>,
    /// Counts successful fetches: tells a waiting task that keys arrived.
    generation: AtomicU64,
    fetches: AtomicU64,
}

impl JwksCache {
    pub(crate) fn new(uri: Url, http: Http, policy: JwksPolicy) -> Self {
        Self {
            uri,
            http,
            policy,
            clock: Clock::default(),
            current: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
            last_kid_refetch: Mutex::new(None),
            last_failure: Mutex::new(None),
            generation: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
        }
    }

    /// A cache that already holds `keys`, fresh for the default lifetime,
    /// and that refetches for no unknown `kid` within the (hour-long)
    /// cooldown: its endpoint does not exist (unit tests and benches).
    #[cfg(any(test, feature = "bench", feature = "fuzzing"))]
    pub(crate) fn preloaded(keys: KeySet) -> Self {
        #[allow(clippy::unwrap_used)]
        let uri = Url::parse("http://127.0.0.1:9/jwks").unwrap();
        #[allow(clippy::unwrap_used)]
        let http = Http::new(Duration::from_secs(1), Duration::from_secs(1), 1024).unwrap();
        let policy = JwksPolicy {
            cooldown: Duration::from_secs(3600),
            ..JwksPolicy::default()
        };
        let cache = Self::new(uri, http, policy);
        let now = cache.clock.now();
        cache.store(keys, now + policy.default_max_age);
        *cache
            .last_kid_refetch
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(now);
        cache
    }

    /// How many times the JWKS was fetched (for tests and metrics).
    pub(crate) fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The cache's clock (unit tests move it).
    #[cfg(test)]
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    fn cached(&self) -> (Option<Arc<Cached>>, u64) {
        // Read the generation first: if a fetch lands in between, we see the
        // new keys with an old generation and at worst fetch once more.
        let generation = self.generation.load(Ordering::Acquire);
        let keys = self
            .current
            .read()
            .map(|guard| guard.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone());
        (keys, generation)
    }

    fn store(&self, keys: KeySet, expires_at: Instant) -> Arc<KeySet> {
        let keys = Arc::new(keys);
        let cached = Arc::new(Cached {
            keys: Arc::clone(&keys),
            expires_at,
        });
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(cached);
        self.generation.fetch_add(1, Ordering::Release);
        keys
    }

    /// Finds the key for a header: from fresh cached keys, or after a
    /// refetch when the keys expired or the `kid` is unknown (see the
    /// type's documentation for when a refetch is allowed).
    pub(crate) async fn select(
        &self,
        kid: Option<&str>,
        alg: SigningAlgorithm,
    ) -> Result<KeySelection, JwsError> {
        let (cached, generation) = self.cached();
        if let Some(cached) = &cached
            && self.clock.now() < cached.expires_at
        {
            match cached.keys.select(kid, alg) {
                KeySelection::NotFound => {}
                found_or_ambiguous => return Ok(found_or_ambiguous),
            }
        }
        match self.refresh(generation).await? {
            Some(keys) => Ok(keys.select(kid, alg)),
            None => Ok(KeySelection::NotFound),
        }
    }

    /// Fetches the JWKS unless another task already did since `seen` or the
    /// rules forbid it now. Returns the keys to choose from (`None`: none
    /// usable, the key is unknown).
    async fn refresh(&self, seen: u64) -> Result<Option<Arc<KeySet>>, JwsError> {
        let _flight = self.fetching.lock().await;
        let (cached, generation) = self.cached();
        if generation != seen {
            // Fetched while this task waited: as new as keys get.
            return Ok(cached.map(|c| Arc::clone(&c.keys)));
        }
        let now = self.clock.now();
        let need = match &cached {
            None => Need::Cold,
            Some(c) if now >= c.expires_at => Need::Expired,
            Some(_) => Need::UnknownKid,
        };
        let cooldown = self.policy.cooldown;
        let recent_failure = self
            .last_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|(at, _)| now.saturating_duration_since(*at) < cooldown);
        if let Some((_, reason)) = recent_failure {
            let reason = format!("{reason} (not retried for {cooldown:?})");
            return match need {
                Need::Cold => Err(JwsError::KeysUnavailable(reason)),
                Need::Expired => self.stale(cached.as_deref(), now, &reason),
                Need::UnknownKid => Ok(None),
            };
        }
        if need == Need::UnknownKid {
            let mut last = self
                .last_kid_refetch
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|at| now.saturating_duration_since(at) < cooldown) {
                return Ok(None);
            }
            *last = Some(now);
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        match self.fetch().await {
            Ok((keys, lifetime)) => {
                *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = None;
                // Counted from the start of the request: never longer than
                // the provider meant.
                let expires_at = now.checked_add(lifetime).unwrap_or(now);
                Ok(Some(self.store(keys, expires_at)))
            }
            Err(error) => {
                let reason = match &error {
                    JwsError::KeysUnavailable(reason) => reason.clone(),
                    other => other.to_string(),
                };
                *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some((now, reason.clone()));
                match need {
                    Need::Expired => {
                        tracing::warn!(
                            jwks_uri = %crate::provider::http::display_url(&self.uri),
                            %reason,
                            "refetching the expired JWKS failed; its keys are served for the grace period"
                        );
                        self.stale(cached.as_deref(), now, &reason)
                    }
                    Need::Cold | Need::UnknownKid => Err(error),
                }
            }
        }
    }

    /// Expired keys whose refetch failed: still served within the grace
    /// period, refused after it.
    fn stale(
        &self,
        cached: Option<&Cached>,
        now: Instant,
        reason: &str,
    ) -> Result<Option<Arc<KeySet>>, JwsError> {
        match cached {
            Some(cached) if now < cached.expires_at.checked_add(STALE_GRACE).unwrap_or(now) => {
                Ok(Some(Arc::clone(&cached.keys)))
            }
            _ => Err(JwsError::KeysUnavailable(format!(
                "the cached keys expired and refetching them failed: {reason}"
            ))),
        }
    }

    /// One request to the JWKS endpoint: the keys and how long they are fresh.
    async fn fetch(&self) -> Result<(KeySet, Duration), JwsError> {
        let span = step_span!("oidc.jwks_fetch", trace::host(&self.uri));
        trace::timed(span, self.fetch_untimed()).await
    }

    async fn fetch_untimed(&self) -> Result<(KeySet, Duration), JwsError> {
        let response = self
            .http
            .get(&self.uri, None)
            .await
            .map_err(|e| JwsError::KeysUnavailable(e.to_string()))?;
        if response.status != 200 {
            return Err(JwsError::KeysUnavailable(format!(
                "HTTP status {}",
                response.status
            )));
        }
        if !response.is_json() {
            return Err(JwsError::KeysUnavailable("the response is not JSON".into()));
        }
        let keys = KeySet::parse(&response.body)?;
        Ok((keys, self.policy.lifetime(&response.headers)))
    }
}

#[cfg(test)]
mod tests;
