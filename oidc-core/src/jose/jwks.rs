//! The provider's signing keys: parsed once, cached, refetched on an unknown
//! `kid` at a bounded rate.

use crate::config::SigningAlgorithm;
use crate::error::JwsError;
use crate::jose::jws::StrictObject;
use crate::provider::http::Http;
use aws_lc_rs::signature::{self as aws_signature, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{DecodingKey, DecodingKeyKind};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};
use url::Url;

/// RSA keys shorter than this are ignored (RFC 8725 section 3.5; NIST).
const MIN_RSA_BITS: usize = 2048;
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
        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| JwsError::BadSignature)?;
        parsed
            .verify_sig(signing_input, &signature)
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

/// The cached JWKS of a client, shared by all its clones.
#[derive(Debug)]
pub(crate) struct JwksCache {
    uri: Url,
    http: Http,
    cooldown: Duration,
    current: RwLock<Option<Arc<KeySet>>>,
    /// Single flight: one fetch at a time; others wait and reuse its result.
    fetching: tokio::sync::Mutex<()>,
    last_fetch: Mutex<Option<Instant>>,
    /// Why the last fetch failed, while no later fetch succeeded.
    last_error: Mutex<Option<String>>,
    generation: AtomicU64,
    fetches: AtomicU64,
}

impl JwksCache {
    pub(crate) fn new(uri: Url, http: Http, cooldown: Duration) -> Self {
        Self {
            uri,
            http,
            cooldown,
            current: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(()),
            last_fetch: Mutex::new(None),
            last_error: Mutex::new(None),
            generation: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
        }
    }

    /// A cache that already holds `keys` and will not refetch within the
    /// cooldown (unit tests).
    #[cfg(any(test, feature = "bench"))]
    pub(crate) fn preloaded(keys: KeySet) -> Self {
        #[allow(clippy::unwrap_used)]
        let uri = Url::parse("http://127.0.0.1:9/jwks").unwrap();
        #[allow(clippy::unwrap_used)]
        let http = Http::new(Duration::from_secs(1), Duration::from_secs(1), 1024).unwrap();
        let cache = Self::new(uri, http, Duration::from_secs(3600));
        *cache.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(keys));
        *cache.last_fetch.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        cache.generation.store(1, Ordering::Release);
        cache
    }

    /// How many times the JWKS was fetched (for tests and metrics).
    pub(crate) fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn cached(&self) -> (Option<Arc<KeySet>>, u64) {
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

    /// Finds the key for a header: from the cache, or after one refetch if
    /// the `kid` is unknown and the cooldown allows it.
    pub(crate) async fn select(
        &self,
        kid: Option<&str>,
        alg: SigningAlgorithm,
    ) -> Result<KeySelection, JwsError> {
        let (cached, generation) = self.cached();
        if let Some(keys) = &cached {
            match keys.select(kid, alg) {
                KeySelection::NotFound => {}
                found_or_ambiguous => return Ok(found_or_ambiguous),
            }
        }
        match self.refresh(generation).await? {
            Some(keys) => Ok(keys.select(kid, alg)),
            None => Ok(KeySelection::NotFound),
        }
    }

    /// Fetches the JWKS unless another task already did since `seen`, or the
    /// cooldown forbids it. Returns the newest keys, or `None` when no
    /// fetch was allowed.
    ///
    /// The cooldown counts from the start of the last fetch, successful or
    /// not: a flood of tokens with unknown `kid`s, or tokens arriving while
    /// the JWKS endpoint fails, cause at most one request per cooldown.
    /// Within the cooldown after a failed fetch, the failure is reported
    /// again without a request.
    async fn refresh(&self, seen: u64) -> Result<Option<Arc<KeySet>>, JwsError> {
        let _flight = self.fetching.lock().await;
        let (cached, generation) = self.cached();
        if generation != seen {
            return Ok(cached);
        }
        let last = *self.last_fetch.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|at| at.elapsed() < self.cooldown) {
            let failure = self
                .last_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            return match (cached, failure) {
                (None, Some(reason)) => Err(JwsError::KeysUnavailable(format!(
                    "{reason} (not retried for {:?})",
                    self.cooldown
                ))),
                _ => Ok(None),
            };
        }
        *self.last_fetch.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = self.fetch().await;
        let mut last_error = self.last_error.lock().unwrap_or_else(|p| p.into_inner());
        match fetched {
            Ok(keys) => {
                *last_error = None;
                let keys = Arc::new(keys);
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&keys));
                self.generation.fetch_add(1, Ordering::Release);
                Ok(Some(keys))
            }
            Err(error) => {
                if let JwsError::KeysUnavailable(reason) = &error {
                    *last_error = Some(reason.clone());
                }
                Err(error)
            }
        }
    }

    /// One request to the JWKS endpoint.
    async fn fetch(&self) -> Result<KeySet, JwsError> {
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
        KeySet::parse(&response.body)
    }
}

#[cfg(test)]
mod tests;
