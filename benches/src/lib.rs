//! Fixtures shared by the benchmarks: signing keys and ID tokens for RS256,
//! ES256 and EdDSA with their JWKS, the raw aws-lc-rs keys (the floor), and
//! the dev provider with a way to collect authorization codes outside the
//! timed sections.
//!
//! `cargo bench -p oidc-benches` runs everything; see BENCHMARKS.md at the
//! root of the repository for the results and how to read them.

pub mod comparison_app;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use oidc_core::{Callback, Client, ClientConfig, ResponseMode, SealingKey};
use oidc_dev_provider::{DevClient, DevProvider, SigningAlg};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tests::browser::Browser;
use tests::dev_login::{Delivered, UserAction, authorize};

/// The clock of the single-threaded benchmarks: the benchmark thread's CPU
/// time (`CLOCK_THREAD_CPUTIME_ID`) by default, so that time the thread
/// spends descheduled on a busy machine is not counted; wall-clock time with
/// `BENCH_CLOCK=wall`. Reported like criterion's wall time (nanoseconds).
#[derive(Debug, Clone, Copy)]
pub struct BenchClock {
    wall: bool,
}

impl BenchClock {
    /// The clock `BENCH_CLOCK` selects (`cpu`, the default, or `wall`).
    pub fn from_env() -> Self {
        Self {
            wall: std::env::var("BENCH_CLOCK").is_ok_and(|v| v == "wall"),
        }
    }
}

/// A start time on either clock.
#[derive(Debug, Clone, Copy)]
pub enum ClockStart {
    /// Thread CPU time.
    Cpu(cpu_time::ThreadTime),
    /// Wall-clock time.
    Wall(std::time::Instant),
}

static WALL_TIME: WallTime = WallTime;

impl Measurement for BenchClock {
    type Intermediate = ClockStart;
    type Value = Duration;

    fn start(&self) -> ClockStart {
        if self.wall {
            ClockStart::Wall(std::time::Instant::now())
        } else {
            ClockStart::Cpu(cpu_time::ThreadTime::now())
        }
    }

    fn end(&self, start: ClockStart) -> Duration {
        match start {
            ClockStart::Cpu(start) => start.elapsed(),
            ClockStart::Wall(start) => start.elapsed(),
        }
    }

    fn add(&self, v1: &Duration, v2: &Duration) -> Duration {
        *v1 + *v2
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL_TIME.formatter()
    }
}

/// The issuer of the synthetic tokens.
pub const ISSUER: &str = "https://login.example.com";
/// The client the synthetic tokens are for.
pub const CLIENT_ID: &str = "bench-client";
/// Its secret (the openidconnect verifier wants one for a confidential client).
pub const CLIENT_SECRET: &str = "bench-secret";
/// The nonce in the synthetic tokens.
pub const NONCE: &str = "Q2hhbmdlIG1lIGZvciBlYWNoIGxvZ2luIQ";
/// The access token whose `at_hash` the synthetic tokens carry.
pub const ACCESS_TOKEN: &str = "eyJhY2Nlc3MiOiJ0b2tlbiJ9.not-a-real-access-token.for-at-hash";
/// The redirect URI registered at the dev provider.
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// The algorithms benchmarked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 SHA-256, 2048-bit key.
    Rs256,
    /// ECDSA P-256 SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl Alg {
    /// Every benchmarked algorithm.
    pub const ALL: [Alg; 3] = [Alg::Rs256, Alg::Es256, Alg::EdDsa];

    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// The oidc-core algorithm.
    pub fn sdk(self) -> oidc_core::SigningAlgorithm {
        match self {
            Alg::Rs256 => oidc_core::SigningAlgorithm::RS256,
            Alg::Es256 => oidc_core::SigningAlgorithm::ES256,
            Alg::EdDsa => oidc_core::SigningAlgorithm::EdDSA,
        }
    }

    /// The aws-lc-rs verification algorithm jsonwebtoken uses for it.
    pub fn aws_lc(self) -> &'static dyn signature::VerificationAlgorithm {
        match self {
            Alg::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Alg::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            Alg::EdDsa => &signature::ED25519,
        }
    }

    fn at_hash_digest(self) -> &'static aws_lc_rs::digest::Algorithm {
        match self {
            Alg::Rs256 | Alg::Es256 => &aws_lc_rs::digest::SHA256,
            Alg::EdDsa => &aws_lc_rs::digest::SHA512,
        }
    }
}

enum Private {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

/// A signing key, its public JWK and its raw public key bytes.
pub struct Signer {
    alg: Alg,
    private: Private,
    /// The public key as a JWK (with `kid`, `use` and `alg`).
    pub jwk: Value,
    /// The public key as aws-lc-rs takes it (RSA: DER RSAPublicKey; P-256:
    /// uncompressed point; Ed25519: 32 bytes).
    pub public_key: Vec<u8>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Signer {
    /// A fresh key for `alg` with this `kid`.
    pub fn generate(alg: Alg, kid: &str) -> Self {
        match alg {
            Alg::Rs256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key");
                let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                let jwk = json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                                 "n": b64(&components.n), "e": b64(&components.e)});
                let public_key = pair.public_key().as_ref().to_vec();
                Self {
                    alg,
                    private: Private::Rsa(pair),
                    jwk,
                    public_key,
                }
            }
            Alg::Es256 => {
                let pair = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
                    .expect("P-256 key");
                let point = pair.public_key().as_ref().to_vec();
                let jwk = json!({"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256",
                                 "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
                Self {
                    alg,
                    private: Private::Ec(pair),
                    jwk,
                    public_key: point,
                }
            }
            Alg::EdDsa => {
                let pair = Ed25519KeyPair::generate().expect("Ed25519 key");
                let x = pair.public_key().as_ref().to_vec();
                let jwk = json!({"kty": "OKP", "kid": kid, "use": "sig", "alg": "EdDSA",
                                 "crv": "Ed25519", "x": b64(&x)});
                Self {
                    alg,
                    private: Private::Ed(pair),
                    jwk,
                    public_key: x,
                }
            }
        }
    }

    /// The key's algorithm.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The pre-parsed aws-lc-rs public key (the floor's key).
    pub fn parsed_public_key(&self) -> ParsedPublicKey {
        ParsedPublicKey::new(self.alg.aws_lc(), &self.public_key).expect("public key parses")
    }

    /// Signs `claims` into a compact JWS with `kid` and `typ: JWT`.
    pub fn sign(&self, claims: &Value) -> String {
        let kid = self.jwk["kid"].as_str().unwrap_or_default();
        let header = json!({"alg": self.alg.name(), "kid": kid, "typ": "JWT"});
        let input = format!(
            "{}.{}",
            b64(&serde_json::to_vec(&header).expect("JSON")),
            b64(&serde_json::to_vec(claims).expect("JSON"))
        );
        let signature = match &self.private {
            Private::Rsa(pair) => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut out,
                )
                .expect("RSA signs");
                out
            }
            Private::Ec(pair) => pair
                .sign(&SystemRandom::new(), input.as_bytes())
                .expect("ECDSA signs")
                .as_ref()
                .to_vec(),
            Private::Ed(pair) => pair.sign(input.as_bytes()).as_ref().to_vec(),
        };
        format!("{input}.{}", b64(&signature))
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The claims of an ID token like the dev provider's (and most providers'):
/// `iss`, `sub`, `aud`, `exp`, `iat`, `auth_time`, `nonce`, `email`,
/// `email_verified`, `at_hash`, `sid`. Valid for an hour from now.
pub fn id_token_claims(alg: Alg) -> Value {
    let now = now();
    let hash = aws_lc_rs::digest::digest(alg.at_hash_digest(), ACCESS_TOKEN.as_bytes());
    let at_hash = b64(&hash.as_ref()[..hash.as_ref().len() / 2]);
    json!({
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT_ID,
        "exp": now + 3600,
        "iat": now,
        "auth_time": now - 5,
        "nonce": NONCE,
        "email": "alice@example.com",
        "email_verified": true,
        "at_hash": at_hash,
        "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
    })
}

/// One key per algorithm, a token signed by each, and the JWKS with all three.
pub struct TokenFixture {
    /// The signers, in [`Alg::ALL`] order.
    pub signers: Vec<Signer>,
    /// `{"keys": [...]}` with the three public keys.
    pub jwks_json: Vec<u8>,
}

impl TokenFixture {
    /// Generates the keys.
    pub fn new() -> Self {
        let signers: Vec<Signer> = Alg::ALL
            .iter()
            .map(|alg| Signer::generate(*alg, &format!("{}-key", alg.name())))
            .collect();
        let jwks = json!({ "keys": signers.iter().map(|s| s.jwk.clone()).collect::<Vec<_>>() });
        Self {
            signers,
            jwks_json: serde_json::to_vec(&jwks).expect("JSON"),
        }
    }

    /// The signer for `alg`.
    pub fn signer(&self, alg: Alg) -> &Signer {
        self.signers
            .iter()
            .find(|s| s.alg == alg)
            .expect("a signer per algorithm")
    }

    /// The oidc-core client configuration these tokens are for.
    pub fn config(&self) -> ClientConfig {
        client_config()
    }
}

/// The oidc-core client configuration the synthetic tokens are for (all
/// three algorithms allowed).
pub fn client_config() -> ClientConfig {
    ClientConfig::for_issuer(ISSUER)
        .client_id(CLIENT_ID)
        .redirect_uri("https://app.example.com/callback")
        .client_secret(CLIENT_SECRET)
        .allowed_algorithms(Alg::ALL.map(Alg::sdk))
}

impl Default for TokenFixture {
    fn default() -> Self {
        Self::new()
    }
}

/// Splits a compact JWS into its signing input and decoded signature.
pub fn signing_input_and_signature(token: &str) -> (&str, Vec<u8>) {
    let (input, signature) = token.rsplit_once('.').expect("three parts");
    (input, URL_SAFE_NO_PAD.decode(signature).expect("base64url"))
}

/// A JWKS of `count` keys (the same RSA public key under `count` kids,
/// `k0` .. `k{count-1}`): key lookup does not depend on the key material.
pub fn jwks_with(count: usize, signer: &Signer) -> Vec<u8> {
    let keys: Vec<Value> = (0..count)
        .map(|i| {
            let mut jwk = signer.jwk.clone();
            jwk["kid"] = json!(format!("k{i}"));
            jwk
        })
        .collect();
    serde_json::to_vec(&json!({ "keys": keys })).expect("JSON")
}

/// The dev provider with one confidential client, and an oidc-core client
/// discovered against it.
pub struct LiveProvider {
    /// The in-process provider.
    pub provider: DevProvider,
    /// The SDK client (discovery done, JWKS not yet fetched).
    pub client: Client,
    /// The key that seals pending logins.
    pub sealing_key: SealingKey,
}

/// A login ready for its callback: the sealed pending login (the cookie)
/// and the `form_post` body the browser delivers.
#[derive(Debug, Clone)]
pub struct ReadyCallback {
    /// The sealed pending login.
    pub sealed: String,
    /// The urlencoded `form_post` body (`code`, `state`, `iss`).
    pub body: String,
}

impl LiveProvider {
    /// Starts the provider (tokens signed with `alg`, codes valid for 10
    /// minutes) and discovers it.
    pub async fn start(alg: SigningAlg) -> Self {
        let provider = DevProvider::builder()
            .client(DevClient::confidential(CLIENT_ID, CLIENT_SECRET).redirect_uri(REDIRECT_URI))
            .signing_alg(alg)
            .code_ttl(Duration::from_secs(600))
            .start()
            .await
            .expect("the dev provider starts");
        let sdk_alg = match alg {
            SigningAlg::RS256 => oidc_core::SigningAlgorithm::RS256,
            SigningAlg::ES256 => oidc_core::SigningAlgorithm::ES256,
            SigningAlg::EdDSA => oidc_core::SigningAlgorithm::EdDSA,
        };
        let config = ClientConfig::for_issuer(provider.issuer_str())
            .client_id(CLIENT_ID)
            .redirect_uri(REDIRECT_URI)
            .client_secret(CLIENT_SECRET)
            .response_mode(ResponseMode::FormPost)
            .allowed_algorithms([sdk_alg]);
        let client = Client::discover(config).await.expect("discovery");
        Self {
            provider,
            client,
            sealing_key: SealingKey::generate().expect("a sealing key"),
        }
    }

    /// Another client of the same configuration, discovered anew: its own
    /// single-use `state` set, for benchmarks that receive more logins
    /// than one set holds (100,000 live `state`s per client).
    pub async fn fresh_client(&self) -> Client {
        Client::discover(self.client.config().clone())
            .await
            .expect("discovery")
    }

    /// Starts `count` logins and signs in at the provider's form for each,
    /// `parallel` at a time, returning what each callback receives. Not timed.
    pub async fn ready_callbacks(&self, count: usize, parallel: usize) -> Vec<ReadyCallback> {
        let client = self.client.clone();
        let key = self.sealing_key.clone();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..parallel.max(1) {
            let client = client.clone();
            let key = key.clone();
            let next = Arc::clone(&next);
            tasks.push(tokio::spawn(async move {
                let browser = Browser::new();
                let mut out = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count {
                    let (request, login) = client.login().redirect().expect("login starts");
                    let (delivered, _page) = authorize(
                        &browser,
                        request.url(),
                        REDIRECT_URI,
                        UserAction::SignIn("alice@example.com"),
                    )
                    .await
                    .expect("the provider answers");
                    let Delivered::FormPost(body) = delivered else {
                        panic!("expected a form_post response, got {delivered:?}");
                    };
                    let sealed = login.into_pending().seal(&key).expect("seals");
                    out.push(ReadyCallback { sealed, body });
                }
                out
            }));
        }
        let mut all = Vec::with_capacity(count);
        for task in tasks {
            all.extend(task.await.expect("collector task"));
        }
        all
    }
}

/// Finishes one login as an application's callback handler does: open the
/// cookie, check the callback, exchange the code, verify, read the user.
pub async fn finish_login(
    client: &Client,
    key: &SealingKey,
    ready: &ReadyCallback,
) -> Result<(String, Option<String>), oidc_core::Error> {
    let login = client.resume_sealed(&ready.sealed, key)?;
    let login = login.receive(Callback::from_form_post(ready.body.as_bytes())?)?;
    let login = login.exchange().await?;
    Ok((login.sub().to_owned(), login.email().map(str::to_owned)))
}

/// An authorization code obtained without the SDK, with the PKCE verifier
/// it is bound to: the input of the bare-client baseline.
#[derive(Debug, Clone)]
pub struct BareCode {
    /// The authorization code.
    pub code: String,
    /// The PKCE verifier of the request that obtained it.
    pub verifier: String,
}

fn random_b64() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("randomness");
    b64(&bytes)
}

impl LiveProvider {
    /// Like [`LiveProvider::ready_callbacks`], but with an authorization
    /// request built by hand (same parameters as the SDK's), so that the
    /// baseline knows the PKCE verifier. Not timed.
    pub async fn bare_codes(&self, count: usize, parallel: usize) -> Vec<BareCode> {
        let endpoint = self.client.metadata().authorization_endpoint.clone();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..parallel.max(1) {
            let endpoint = endpoint.clone();
            let next = Arc::clone(&next);
            tasks.push(tokio::spawn(async move {
                let browser = Browser::new();
                let mut out = Vec::new();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count {
                    let verifier = random_b64();
                    let challenge = b64(aws_lc_rs::digest::digest(
                        &aws_lc_rs::digest::SHA256,
                        verifier.as_bytes(),
                    )
                    .as_ref());
                    let mut url = endpoint.clone();
                    url.query_pairs_mut()
                        .append_pair("response_type", "code")
                        .append_pair("client_id", CLIENT_ID)
                        .append_pair("redirect_uri", REDIRECT_URI)
                        .append_pair("scope", "openid email")
                        .append_pair("state", &random_b64())
                        .append_pair("nonce", &random_b64())
                        .append_pair("code_challenge", &challenge)
                        .append_pair("code_challenge_method", "S256")
                        .append_pair("response_mode", "form_post");
                    let (delivered, _page) = authorize(
                        &browser,
                        &url,
                        REDIRECT_URI,
                        UserAction::SignIn("alice@example.com"),
                    )
                    .await
                    .expect("the provider answers");
                    let code = delivered
                        .params()
                        .into_iter()
                        .find(|(name, _)| name == "code")
                        .map(|(_, value)| value)
                        .expect("a code");
                    out.push(BareCode { code, verifier });
                }
                out
            }));
        }
        let mut all = Vec::with_capacity(count);
        for task in tasks {
            all.extend(task.await.expect("collector task"));
        }
        all
    }
}

/// The baseline: the same token request with a bare pooled `reqwest`
/// client and a JSON parse of the response, no verification at all.
pub async fn bare_exchange(
    http: &reqwest::Client,
    token_endpoint: &url::Url,
    code: &BareCode,
) -> Value {
    let response = http
        .post(token_endpoint.clone())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", code.verifier.as_str()),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("the token request is sent");
    assert!(response.status().is_success(), "{}", response.status());
    let body = response.bytes().await.expect("a body");
    serde_json::from_slice(&body).expect("JSON")
}
