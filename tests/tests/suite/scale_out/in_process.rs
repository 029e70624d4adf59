//! Two instances in one process (each its own `Oidc`, its own Redis
//! connection, so its own in-process coordination) sharing one Redis: the
//! refresh lock across instances, and a session store outage.

use axum::Router;
use axum::routing::get;
use oidc_core::error::StoreError;
use oidc_core::logout::BoxFuture;
use oidc_core::redis::RedisStore;
use oidc_core::web::{Oidc, RefreshLock, WhenSignedOut, memory_session_layer, redis_session_layer};
use oidc_core::{ClientConfig, ResponseMode};
use oidc_dev_provider::{Endpoint, Fault, HttpFault};
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tests::browser::Browser;
use tests::fixture::{Fixture, Site};
use tests::redis::RedisServer;
use tests::refresh_probe::{self, PARALLEL, me};

/// The provider, Redis, and `instances` copies of the app on it.
struct Deployment {
    provider: Fixture,
    redis: RedisServer,
    bases: Vec<String>,
    redirect_uri: String,
}

async fn deploy(instances: usize) -> Deployment {
    deploy_with(instances, None).await
}

/// With `lock`: one instance on the in-memory session store with that
/// refresh lock instead of Redis's (Redis runs, unused).
async fn deploy_with(instances: usize, lock: Option<Arc<dyn RefreshLock>>) -> Deployment {
    let redis = RedisServer::start();
    let mut sites = Vec::new();
    for _ in 0..instances {
        sites.push(Site::bind().await);
    }
    let redirect_uri = sites[0].url("/callback");
    let provider = Fixture::builder("web", "web-secret", &redirect_uri)
        .start()
        .await;
    let mut bases = Vec::new();
    for site in sites {
        // Each instance its own connection, as separate processes have.
        let store = RedisStore::connect(&redis.url()).await.unwrap();
        let config: ClientConfig = provider.config().response_mode(ResponseMode::FormPost);
        let oidc: Oidc = Oidc::discover(config)
            .await
            .unwrap()
            .when_signed_out(WhenSignedOut::Unauthorized);
        let app = Router::new().route("/me", get(me)).merge(oidc.routes());
        let app = match &lock {
            None => app
                .layer(redis_session_layer(&store))
                .with_state(oidc.with_redis(&store)),
            Some(lock) => app
                .layer(memory_session_layer())
                .with_state(oidc.refresh_lock(Arc::clone(lock))),
        };
        bases.push(site.serve(app));
    }
    Deployment {
        provider,
        redis,
        bases,
        redirect_uri,
    }
}

/// What `GET /me` answered: (access token, expired, refresh token), or
/// `None` when signed out.
type Seen = Option<(String, bool, String)>;

fn read(status: StatusCode, body: &str) -> Seen {
    match status {
        StatusCode::OK => {
            let lines: Vec<&str> = body.split('\n').collect();
            Some((
                lines[0].to_owned(),
                lines[1] == "expired",
                lines[2].to_owned(),
            ))
        }
        StatusCode::UNAUTHORIZED => None,
        other => panic!("GET /me answered {other}: {body}"),
    }
}

impl Deployment {
    /// [`refresh_probe::sign_in_expiring`] at the first instance.
    async fn sign_in_expiring(&self, browser: &Browser) {
        let login = format!("{}/login", self.bases[0]);
        refresh_probe::sign_in_expiring(&self.provider, browser, &login, &self.redirect_uri).await;
    }

    async fn me_in_parallel(&self, browser: &Browser, instances: &[usize]) -> Vec<Seen> {
        let urls = instances
            .iter()
            .map(|&instance| format!("{}/me", self.bases[instance]))
            .collect();
        let pages = refresh_probe::get_all(browser, urls).await;
        pages
            .iter()
            .map(|page| read(page.status(), page.body()))
            .collect()
    }

    async fn provider_accepts(&self, access_token: &str) -> bool {
        refresh_probe::provider_accepts(&self.provider, access_token).await
    }
}

/// Twenty parallel requests of one session with an expired access token,
/// split across two instances sharing Redis, while the refresh is slow:
/// exactly one refresh at the provider (the instances share the refresh
/// lock), nobody signed out, every request saw the same fresh tokens, and
/// the grant is alive (a second refresh with the spent token would have
/// made the provider revoke it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_redis_refresh_once() {
    let site = deploy(2).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.provider.inject(
        Fault::http(
            Endpoint::Token,
            HttpFault::Delay(Duration::from_millis(500)),
        )
        .once(),
    );
    let instances: Vec<usize> = (0..PARALLEL).map(|i| i % 2).collect();
    let seen = site.me_in_parallel(&browser, &instances).await;
    assert_eq!(site.provider.count("/token"), 1, "refreshes");
    let first = seen[0].clone().expect("signed in");
    assert!(!first.1, "the access token is fresh");
    for other in &seen {
        assert_eq!(
            other.as_ref(),
            Some(&first),
            "every request saw the one refresh's tokens"
        );
    }
    assert!(site.provider_accepts(&first.0).await, "the grant is alive");
    // Later requests on either instance use the stored tokens.
    let again = site.me_in_parallel(&browser, &[0, 1]).await;
    assert_eq!(again, vec![Some(first.clone()), Some(first)]);
    assert_eq!(site.provider.count("/token"), 1);
}

/// A refresh lock that someone else always holds (or that fails).
struct Unavailable {
    fails: bool,
}

impl RefreshLock for Unavailable {
    fn try_acquire<'a>(
        &'a self,
        _key: &'a str,
        _holder: &'a str,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        let answer = if self.fails {
            Err(StoreError::Unavailable("connection refused".into()))
        } else {
            Ok(false)
        };
        Box::pin(std::future::ready(answer))
    }

    fn release<'a>(
        &'a self,
        _key: &'a str,
        _holder: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Another instance holds the refresh lock and never saves new tokens (it
/// died mid-refresh): the request waits a bounded time, then answers with
/// the stale access token; nobody spends the refresh token, nobody is
/// signed out. A failing lock answers at once, the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_elsewhere_or_failing_keeps_the_session_with_a_stale_token() {
    for fails in [false, true] {
        let site = deploy_with(1, Some(Arc::new(Unavailable { fails }))).await;
        let browser = Browser::new();
        site.sign_in_expiring(&browser).await;
        let started = Instant::now();
        let seen = site.me_in_parallel(&browser, &[0, 0]).await;
        let waited = started.elapsed();
        for each in &seen {
            let (_, expired, _) = each.as_ref().expect("still signed in");
            assert!(expired, "the stale access token");
        }
        assert_eq!(site.provider.count("/token"), 0, "no refresh");
        if fails {
            assert!(waited < Duration::from_secs(2), "{waited:?}");
        } else {
            assert!(
                (Duration::from_secs(4)..Duration::from_secs(15)).contains(&waited),
                "bounded: {waited:?}"
            );
        }
    }
}

/// The Redis refresh lock: one holder at a time, released only by its
/// holder, gone by itself after its ttl, and always with an expiry.
#[tokio::test]
async fn the_redis_refresh_lock_has_one_holder_and_expires() {
    let server = RedisServer::start();
    let a = RedisStore::connect(&server.url()).await.unwrap();
    let b = RedisStore::connect(&server.url()).await.unwrap();
    let (lock_a, lock_b) = (a.refresh_lock(), b.refresh_lock());
    let ttl = Duration::from_millis(400);
    assert!(lock_a.try_acquire("k", "holder-a", ttl).await.unwrap());
    assert!(!lock_b.try_acquire("k", "holder-b", ttl).await.unwrap());
    assert!(lock_b.try_acquire("other", "holder-b", ttl).await.unwrap());
    // Only the holder releases it.
    lock_b.release("k", "holder-b").await.unwrap();
    assert!(!lock_b.try_acquire("k", "holder-b", ttl).await.unwrap());
    let mut connection = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let pttl: i64 = redis::cmd("PTTL")
        .arg(lock_a.redis_key("k"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(0 < pttl && pttl <= 400, "{pttl}");
    lock_a.release("k", "holder-a").await.unwrap();
    assert!(lock_b.try_acquire("k", "holder-b", ttl).await.unwrap());
    // A holder that never releases (it died) loses it after the ttl.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(lock_a.try_acquire("k", "holder-a", ttl).await.unwrap());
}

/// Redis down: a signed-in request answers 503 with a fixed message (the
/// store's error, which may name its address, is only logged), never a 500
/// with the error's text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_store_outage_answers_503_with_a_fixed_message() {
    let mut site = deploy(1).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.redis.stop();
    let page = browser.get(format!("{}/me", site.bases[0])).await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body()
    );
    assert_eq!(
        page.body(),
        "The session store is unavailable. Try again in a moment."
    );
    assert_eq!(
        page.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}
