//! Shared state on Redis (feature `redis`), against a real `redis-server`
//! started per test: the session store, the single-use `state` and logout
//! `jti` registries across instances (two `Client`s on two connections
//! stand for two instances), the back-channel logout registry, expiry on
//! every key, and what an outage does (typed errors, 503).

use axum::Router;
use axum::routing::get;
use oidc_core::logout::{LoggedOut, LogoutRegistry, MemoryLogoutRegistry, SessionInfo};
use oidc_core::redis::{RedisOptions, RedisStore};
use oidc_core::replay::{ReplayKey, ReplayKind, ReplayStore};
use oidc_core::web::{Oidc, SignedIn, WhenSignedOut, redis_session_layer};
use oidc_core::{
    CallbackError, Client, LogoutTokenError, ResponseMode, SealingKey, StoreError, TokenError,
};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tests::browser::Browser;
use tests::dev_login::{UserAction, authorize, deliver};
use tests::fixture::{Fixture, Site, USER, round_trip, sign_in, sign_in_at};
use tests::logout_capture::capture_server;
use tests::redis::RedisServer;
use tests::registry_conformance::check_logout_registry;
use tower_sessions::SessionStore;
use tower_sessions::cookie::time::{Duration as TimeDuration, OffsetDateTime};
use tower_sessions::session::{Id, Record};

/// A raw connection, to look at what the SDK wrote.
async fn inspect(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Every key in Redis, with its remaining time to live in milliseconds.
async fn keys_with_ttl(server: &RedisServer) -> Vec<(String, i64)> {
    let mut connection = inspect(server).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut found = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        found.push((key, ttl));
    }
    found
}

/// Nothing grows without bound: every key the SDK wrote expires.
async fn assert_every_key_expires(server: &RedisServer) -> Vec<(String, i64)> {
    let keys = keys_with_ttl(server).await;
    for (key, ttl) in &keys {
        assert!(*ttl > 0, "{key} has no expiry (PTTL {ttl})");
        assert!(key.starts_with("oidc:"), "{key} has the prefix");
    }
    keys
}

fn ttl_of<'a>(keys: &'a [(String, i64)], prefix: &str) -> Vec<&'a (String, i64)> {
    keys.iter().filter(|(k, _)| k.starts_with(prefix)).collect()
}

/// A client of the fixture's provider sharing `redis`'s replay store: one
/// "instance" (each call opens its own connection).
async fn instance(fixture: &Fixture, server: &RedisServer) -> Client {
    let redis = RedisStore::connect(&server.url()).await.unwrap();
    fixture
        .client()
        .await
        .with_replay_store(Arc::new(redis.replay_store()))
}

fn token_requests(fixture: &Fixture, client: &Client) -> usize {
    fixture.count(client.metadata().token_endpoint.path())
}

fn record(expires_in: TimeDuration) -> Record {
    let mut data = std::collections::HashMap::new();
    data.insert("user".to_owned(), serde_json::json!({"sub": "alice"}));
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + expires_in,
    }
}

#[tokio::test]
async fn sessions_round_trip_through_redis_and_expire_with_their_record() {
    let server = RedisServer::start();
    let redis = RedisStore::connect(&server.url()).await.unwrap();
    let store = redis.session_store();

    let mut first = record(TimeDuration::minutes(10));
    store.create(&mut first).await.unwrap();
    let loaded = store.load(&first.id).await.unwrap().expect("stored");
    assert_eq!(loaded.data, first.data);
    assert_eq!(
        loaded.expiry_date.unix_timestamp(),
        first.expiry_date.unix_timestamp()
    );
    // Another instance (another connection) sees it.
    let other = RedisStore::connect(&server.url()).await.unwrap();
    assert!(
        other
            .session_store()
            .load(&first.id)
            .await
            .unwrap()
            .is_some()
    );

    let keys = assert_every_key_expires(&server).await;
    let [(key, ttl)] = ttl_of(&keys, "oidc:session:")[..] else {
        panic!("one session key: {keys:?}")
    };
    assert_eq!(key, &store.redis_key(&first.id));
    assert!(
        (9 * 60_000..=10 * 60_000).contains(ttl),
        "expires with its record: {ttl}"
    );

    // A save with a past expiry deletes.
    let mut expired = first.clone();
    expired.expiry_date = OffsetDateTime::now_utc() - TimeDuration::seconds(1);
    store.save(&expired).await.unwrap();
    assert_eq!(store.load(&first.id).await.unwrap(), None);

    // Redis drops a record at its expiry date.
    let mut short = record(TimeDuration::milliseconds(300));
    store.create(&mut short).await.unwrap();
    assert!(store.load(&short.id).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(store.load(&short.id).await.unwrap(), None);

    let mut gone = record(TimeDuration::minutes(1));
    store.create(&mut gone).await.unwrap();
    store.delete(&gone.id).await.unwrap();
    assert_eq!(store.load(&gone.id).await.unwrap(), None);
}

/// The callback of one login, delivered to several instances at once:
/// exactly one exchanges the code; the others are refused before they
/// spend it (today each instance's in-memory set accepts it).
#[tokio::test]
async fn a_callback_completes_once_across_instances() {
    let server = RedisServer::start();
    let fixture = Fixture::builder("app", "app-secret", "http://127.0.0.1:9/callback")
        .start()
        .await;
    let mut instances = Vec::new();
    for _ in 0..4 {
        instances.push(instance(&fixture, &server).await);
    }
    let key = SealingKey::generate().unwrap();
    let (login, delivered) = round_trip(
        &Browser::new(),
        instances[0].login(),
        UserAction::SignIn(USER),
    )
    .await;
    let sealed = login.into_pending().seal(&key).unwrap();
    let callback = delivered.callback().unwrap();
    fixture.clear_requests();

    let mut racing = tokio::task::JoinSet::new();
    for client in instances.clone() {
        let (sealed, key, callback) = (sealed.clone(), key.clone(), callback.clone());
        racing.spawn(async move {
            let login = client.resume_sealed(&sealed, &key).unwrap();
            // Each instance's own memory has not seen it.
            let login = login.receive(callback).expect("new on this instance");
            login.exchange().await.map(|_| ())
        });
    }
    let outcomes = racing.join_all().await;
    let completed = outcomes.iter().filter(|o| o.is_ok()).count();
    assert_eq!(completed, 1, "{outcomes:?}");
    for refused in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(
            matches!(refused, TokenError::Callback(CallbackError::AlreadyUsed)),
            "{refused:?}"
        );
    }
    assert_eq!(
        token_requests(&fixture, &instances[0]),
        1,
        "the code was sent once"
    );

    let keys = assert_every_key_expires(&server).await;
    let [(_, ttl)] = ttl_of(&keys, "oidc:used:state:")[..] else {
        panic!("one used state: {keys:?}")
    };
    // The login's lifetime (10 minutes by default) plus the skew margin.
    assert!(*ttl <= 11 * 60_000, "{ttl}");

    // Replayed later on an instance that already saw it: refused at once.
    let again = instances[1].resume_sealed(&sealed, &key).unwrap();
    assert_eq!(
        again.receive(callback).err(),
        Some(CallbackError::AlreadyUsed)
    );
}

/// A logout token for alice, from a provider that delivers to a capture
/// server.
async fn logout_token(fixture: &Fixture, client: &Client, seen: &Mutex<Vec<String>>) -> String {
    let _signed_in = sign_in(client).await.expect("signed in");
    fixture.backchannel_logout(&fixture.sub_of(USER)).await;
    seen.lock().unwrap().pop().expect("a logout token was sent")
}

#[tokio::test]
async fn a_logout_token_is_accepted_once_across_instances() {
    let server = RedisServer::start();
    let (capture, seen) = capture_server().await;
    let fixture = Fixture::builder("app", "app-secret", "http://127.0.0.1:9/callback")
        .client(|c| c.backchannel_logout_uri(capture))
        .start()
        .await;
    let (a, b) = (
        instance(&fixture, &server).await,
        instance(&fixture, &server).await,
    );
    let token = logout_token(&fixture, &a, &seen).await;

    let accepted = a.verify_logout_token(&token).await.expect("accepted on A");
    assert_eq!(
        b.verify_logout_token(&token).await.err(),
        Some(LogoutTokenError::Replayed),
        "replayed on B"
    );
    assert_eq!(
        a.verify_logout_token(&token).await.err(),
        Some(LogoutTokenError::Replayed)
    );
    let keys = assert_every_key_expires(&server).await;
    let [(_, ttl)] = ttl_of(&keys, "oidc:used:logout-jti:")[..] else {
        panic!("one used jti: {keys:?}")
    };
    // Kept while the token could be accepted (iat + max age, at most exp,
    // plus tolerance), plus the skew margin: minutes, not forever.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    assert!(
        *ttl / 1000 <= accepted.exp - now + 60 + 60,
        "{ttl} ms for a token expiring in {} s",
        accepted.exp - now
    );
}

#[tokio::test]
async fn the_logout_registry_follows_the_same_rules_in_memory_and_on_redis() {
    let server = RedisServer::start();
    let memory = MemoryLogoutRegistry::default();
    check_logout_registry(&memory, "https://op.example").await;

    let redis = RedisStore::connect(&server.url()).await.unwrap();
    let registry = redis.logout_registry(Duration::from_secs(3600));
    check_logout_registry(&registry, "https://op.example").await;

    let keys = assert_every_key_expires(&server).await;
    assert!(!ttl_of(&keys, "oidc:logout:").is_empty());
    for (key, ttl) in &keys {
        // The retention (an hour) plus the margin, counted from the logout.
        assert!(*ttl <= 3_600_000 + 60_000, "{key}: {ttl}");
        assert!(!key.contains("u1") && !key.contains("s1"), "{key}");
    }
}

#[tokio::test]
async fn a_logout_recorded_by_one_instance_ends_the_session_on_another() {
    let server = RedisServer::start();
    let a = RedisStore::connect(&server.url()).await.unwrap();
    let b = RedisStore::connect(&server.url()).await.unwrap();
    let day = Duration::from_secs(24 * 3600);
    let (on_a, on_b) = (a.logout_registry(day), b.logout_registry(day));
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let session = SessionInfo::new("https://op.example", "alice", Some("sid-1"), now_ms - 5_000);
    assert!(!on_a.is_logged_out(session).await.unwrap());
    on_b.record(LoggedOut::new(
        "https://op.example",
        None,
        Some("sid-1".into()),
        now_ms,
    ))
    .await
    .unwrap();
    assert!(on_a.is_logged_out(session).await.unwrap(), "seen by A");
    // A MemoryLogoutRegistry per instance would not have seen it.
    let alone = MemoryLogoutRegistry::default();
    assert!(!alone.is_logged_out(session).await.unwrap());
}

fn is_outage(error: &StoreError) -> bool {
    matches!(error, StoreError::Unavailable(_) | StoreError::Timeout(_))
}

#[tokio::test]
async fn a_redis_outage_is_a_typed_error_and_never_lets_a_replay_through() {
    let mut server = RedisServer::start();
    let (capture, seen) = capture_server().await;
    let fixture = Fixture::builder("app", "app-secret", "http://127.0.0.1:9/callback")
        .client(|c| c.backchannel_logout_uri(capture))
        .start()
        .await;
    let options = RedisOptions::default().timeout(Duration::from_millis(500));
    let redis = RedisStore::connect_with(&server.url(), options)
        .await
        .unwrap();
    let client = fixture
        .client()
        .await
        .with_replay_store(Arc::new(redis.replay_store()));
    let token = logout_token(&fixture, &client, &seen).await;
    let (login, delivered) =
        round_trip(&Browser::new(), client.login(), UserAction::SignIn(USER)).await;

    server.stop();
    fixture.clear_requests();
    let started = Instant::now();

    let login = login.receive(delivered.callback().unwrap()).unwrap();
    match login.exchange().await {
        Err(TokenError::Callback(CallbackError::StoreUnavailable(error))) => {
            assert!(is_outage(&error), "{error:?}")
        }
        other => panic!("refused for the outage: {:?}", other.map(|_| ())),
    }
    assert_eq!(
        token_requests(&fixture, &client),
        0,
        "the code was not spent"
    );

    match client.verify_logout_token(&token).await {
        Err(e @ LogoutTokenError::StoreUnavailable(_)) => assert!(e.is_store_unavailable()),
        other => panic!("refused for the outage: {other:?}"),
    }
    let replay = redis.replay_store();
    let some_key = ReplayKey::new(ReplayKind::State, &[b"x"]);
    let first = replay.first_use(&some_key, 0).await;
    assert!(
        matches!(&first, Err(e) if is_outage(e)),
        "never a first use: {first:?}"
    );
    let registry = redis.logout_registry(Duration::from_secs(60));
    let session = SessionInfo::new("https://op.example", "alice", None, 0);
    assert!(registry.is_logged_out(session).await.is_err());
    assert!(
        registry
            .record(LoggedOut::new(
                "https://op.example",
                Some("a".into()),
                None,
                0
            ))
            .await
            .is_ok(),
        "an already-expired logout is not even written"
    );
    assert!(redis.session_store().load(&Id::default()).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "each command is bounded by the timeout: {:?}",
        started.elapsed()
    );

    // Connecting to a server that is down fails at start-up.
    let refused = RedisStore::connect(&server.url()).await.err();
    assert!(matches!(&refused, Some(e) if is_outage(e)), "{refused:?}");
    let bad = RedisStore::connect("http://:secret@example.com")
        .await
        .err();
    match bad {
        Some(e @ StoreError::InvalidUrl(_)) => assert!(!e.to_string().contains("secret")),
        other => panic!("{other:?}"),
    }
}

/// `GET /me`: the signed-in user's `sub`.
async fn me(user: SignedIn) -> String {
    user.sub().to_owned()
}

/// The web glue on Redis: sessions in Redis with a day's expiry; with
/// Redis down, a callback and a back-channel logout answer 503 (and the
/// provider's retry succeeds once Redis is back).
#[tokio::test]
async fn the_web_glue_keeps_sessions_in_redis_and_answers_503_without_it() {
    let mut server = RedisServer::start();
    let (capture, seen) = capture_server().await;
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let fixture = Fixture::builder("web", "web-secret", &redirect_uri)
        .client(|c| c.backchannel_logout_uri(capture))
        .start()
        .await;
    let redis = RedisStore::connect_with(
        &server.url(),
        RedisOptions::default().timeout(Duration::from_millis(500)),
    )
    .await
    .unwrap();
    let oidc: Oidc = Oidc::discover(fixture.config().response_mode(ResponseMode::FormPost))
        .await
        .unwrap()
        .with_redis(&redis)
        .when_signed_out(WhenSignedOut::Unauthorized)
        .backchannel_logout_path("/backchannel-logout");
    let app = Router::new()
        .route("/me", get(me))
        .merge(oidc.routes())
        .layer(redis_session_layer(&redis))
        .with_state(oidc);
    let base = site.serve(app);

    let alice = Browser::new();
    let arrival = sign_in_at(
        &alice,
        &format!("{base}/login"),
        &redirect_uri,
        UserAction::SignIn(USER),
    )
    .await;
    assert_eq!(
        arrival.page.status(),
        StatusCode::SEE_OTHER,
        "{}",
        arrival.page.body()
    );
    let me_page = alice.get(format!("{base}/me")).await.unwrap();
    assert_eq!(me_page.status(), StatusCode::OK);
    assert_eq!(me_page.body(), fixture.sub_of(USER));
    let keys = assert_every_key_expires(&server).await;
    let [(_, ttl)] = ttl_of(&keys, "oidc:session:")[..] else {
        panic!("one session: {keys:?}")
    };
    assert!(*ttl > 23 * 3600 * 1000, "a day of inactivity: {ttl}");
    assert_eq!(ttl_of(&keys, "oidc:used:state:").len(), 1);

    // A logout token for alice, held back; a second login, held back.
    fixture.backchannel_logout(&fixture.sub_of(USER)).await;
    let token = seen.lock().unwrap().pop().expect("a logout token");
    let bob = Browser::new();
    let start = bob.get(format!("{base}/login")).await.unwrap();
    let (delivered, _) = authorize(
        &bob,
        &start.location().unwrap(),
        &redirect_uri,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();

    server.stop();
    let callback = deliver(&bob, &redirect_uri, &delivered).await.unwrap();
    assert_eq!(
        callback.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        callback.body()
    );
    let post_token = || async {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(format!("{base}/backchannel-logout"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("logout_token", &token)
                    .finish(),
            )
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(post_token().await, StatusCode::SERVICE_UNAVAILABLE);
    // Alice is not shown as signed in while her session cannot be read.
    let unreadable = alice.get(format!("{base}/me")).await.unwrap();
    assert!(
        unreadable.status().is_server_error(),
        "{}",
        unreadable.status()
    );

    // Redis is back (empty): the provider's retry is accepted.
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut status = post_token().await;
    while status != StatusCode::OK && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        status = post_token().await;
    }
    assert_eq!(status, StatusCode::OK, "the retry after the outage");
}

/// A flood of logins fills an instance's bounded memory of used `state`s,
/// which then cannot vouch for a pending login and refuses it
/// (`ReplayUnverifiable`); with a shared store, the shared store decides
/// instead, and the login completes.
#[tokio::test]
async fn a_full_local_set_leaves_the_decision_to_the_shared_store() {
    let server = RedisServer::start();
    let fixture = Fixture::builder("app", "app-secret", "http://127.0.0.1:9/callback")
        .start()
        .await;
    let client = instance(&fixture, &server).await;
    let (login, delivered) =
        round_trip(&Browser::new(), client.login(), UserAction::SignIn(USER)).await;
    // One callback more than the set's capacity (100,000) received on this
    // instance: the soonest-expiring eighth is forgotten, and the real
    // login expires no later than those.
    let issuer = client.config().issuer().to_owned();
    for _ in 0..=100_000 {
        let (_, started) = client.login().redirect().unwrap();
        let pending = started.into_pending();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("state", pending.state().secret())
            .append_pair("code", "c")
            .append_pair("iss", &issuer)
            .finish();
        let callback = oidc_core::Callback::from_form_post(query.as_bytes()).unwrap();
        let _received = client.resume(pending).unwrap().receive(callback).unwrap();
    }
    let login = login
        .receive(delivered.callback().unwrap())
        .expect("the shared store decides");
    let _signed_in = login.exchange().await.expect("first use across instances");
}
