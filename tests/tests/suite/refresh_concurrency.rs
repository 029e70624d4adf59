//! The web glue's refresh under concurrency (issue 14, item 1): many
//! parallel requests of one session whose access token has expired, on one
//! instance and on two instances sharing one session store, against the dev
//! provider, which rotates refresh tokens and revokes the whole grant when
//! a rotated-out one is presented again (RFC 9700 4.14.2). Also: which
//! refresh failures sign the user out (the grant is gone, or the refreshed
//! ID token fails verification) and which keep the session with a stale
//! access token (the provider is down or slow).

use axum::Router;
use axum::routing::get;
use oidc_core::web::{MemoryStore, Oidc, SESSION_COOKIE, WhenSignedOut};
use oidc_core::{ClientConfig, ResponseMode};
use oidc_dev_provider::{Edit, Endpoint, Fault, HttpFault};
use reqwest::StatusCode;
use std::time::Duration;
use tests::browser::{Browser, Page};
use tests::fixture::{Fixture, Site};
use tests::refresh_probe::{self, PARALLEL, me};
use tower_sessions::SessionManagerLayer;
use tower_sessions::cookie::SameSite;

/// A provider and `instances` copies of one application (each its own
/// `Oidc`, so its own refresh coordination) sharing one session store, as
/// several processes behind a load balancer share Redis.
struct Deployment {
    provider: Fixture,
    bases: Vec<String>,
    redirect_uri: String,
}

/// What `GET /me` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    SignedIn {
        access_token: String,
        expired: bool,
        refresh_token: String,
    },
    SignedOut,
}

impl Seen {
    fn access_token(&self) -> &str {
        match self {
            Seen::SignedIn { access_token, .. } => access_token,
            Seen::SignedOut => panic!("signed out"),
        }
    }
}

async fn deploy(instances: usize, configure: impl Fn(ClientConfig) -> ClientConfig) -> Deployment {
    let mut sites = Vec::new();
    for _ in 0..instances {
        sites.push(Site::bind().await);
    }
    let redirect_uri = sites[0].url("/callback");
    let provider = Fixture::builder("web", "web-secret", &redirect_uri)
        .start()
        .await;
    let store = MemoryStore::new(1_000);
    let mut bases = Vec::new();
    for site in sites {
        let config = configure(provider.config().response_mode(ResponseMode::FormPost));
        let oidc: Oidc = Oidc::discover(config)
            .await
            .unwrap()
            .when_signed_out(WhenSignedOut::Unauthorized);
        let sessions = SessionManagerLayer::new(store.clone())
            .with_name(SESSION_COOKIE)
            .with_same_site(SameSite::Lax)
            .with_http_only(true)
            .with_secure(true);
        let app = Router::new()
            .route("/me", get(me))
            .merge(oidc.routes())
            .layer(sessions)
            .with_state(oidc);
        bases.push(site.serve(app));
    }
    Deployment {
        provider,
        bases,
        redirect_uri,
    }
}

/// What a `GET /me` page says.
fn read(page: &Page) -> Seen {
    match page.status() {
        StatusCode::OK => {
            let lines: Vec<&str> = page.body().split('\n').collect();
            Seen::SignedIn {
                access_token: lines[0].to_owned(),
                expired: lines[1] == "expired",
                refresh_token: lines[2].to_owned(),
            }
        }
        StatusCode::UNAUTHORIZED => Seen::SignedOut,
        other => panic!("GET /me answered {other}: {}", page.body()),
    }
}

impl Deployment {
    /// [`refresh_probe::sign_in_expiring`] at the first instance.
    async fn sign_in_expiring(&self, browser: &Browser) {
        let login = format!("{}/login", self.bases[0]);
        refresh_probe::sign_in_expiring(&self.provider, browser, &login, &self.redirect_uri).await;
    }

    async fn me(&self, browser: &Browser, instance: usize) -> Seen {
        let url = format!("{}/me", self.bases[instance]);
        read(&browser.get(url).await.unwrap())
    }

    /// `GET /me` from `instances[i]` for each i, all at once.
    async fn me_in_parallel(&self, browser: &Browser, instances: &[usize]) -> Vec<Seen> {
        let urls = instances
            .iter()
            .map(|&instance| format!("{}/me", self.bases[instance]))
            .collect();
        let pages = refresh_probe::get_all(browser, urls).await;
        pages.iter().map(read).collect()
    }

    /// How many token requests (refreshes, after `sign_in_expiring`).
    fn refreshes(&self) -> usize {
        self.provider.count("/token")
    }

    async fn provider_accepts(&self, access_token: &str) -> bool {
        refresh_probe::provider_accepts(&self.provider, access_token).await
    }
}

/// Twenty parallel requests of one session with an expired access token:
/// one refresh at the provider, nobody signed out, every handler got the
/// refreshed tokens, and the provider still honours them (no reuse of a
/// rotated refresh token revoked the grant). Before single flight, every
/// request spent the same refresh token: one won, the others presented a
/// used token, the provider revoked the grant, and the user was signed out.
#[tokio::test]
async fn parallel_requests_refresh_once_and_all_get_the_new_tokens() {
    let site = deploy(1, |c| c).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    // The refresh takes a while, so that every request arrives during it.
    site.provider.inject(
        Fault::http(
            Endpoint::Token,
            HttpFault::Delay(Duration::from_millis(300)),
        )
        .once(),
    );
    let seen = site.me_in_parallel(&browser, &[0; PARALLEL]).await;
    assert_eq!(site.refreshes(), 1, "{seen:?}");
    let first = seen[0].clone();
    assert!(
        matches!(first, Seen::SignedIn { expired: false, .. }),
        "{first:?}"
    );
    for other in &seen {
        assert_eq!(other, &first, "every request saw the one refresh's tokens");
    }
    assert!(site.provider_accepts(first.access_token()).await);
    // Later requests use the stored tokens without refreshing again.
    assert_eq!(site.me(&browser, 0).await, first);
    assert_eq!(site.refreshes(), 1);
}

/// Two instances sharing one session store, each coordinating only its own
/// requests: the first refresh is slow, so the other instance refreshes
/// with the same (now spent) refresh token meanwhile and the provider
/// answers `invalid_grant`. That instance reads the session again and
/// finds the winner's tokens instead of signing the user out.
///
/// The provider revoked the grant on the reuse, so the winner's tokens are
/// dead at the provider: only a lock shared by the instances (Redis)
/// prevents the second refresh; this test covers what a store without one
/// still guarantees.
#[tokio::test]
async fn two_instances_sharing_a_store_never_sign_the_user_out() {
    let site = deploy(2, |c| c).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.provider.inject(
        Fault::http(
            Endpoint::Token,
            HttpFault::Delay(Duration::from_millis(500)),
        )
        .once(),
    );
    let first = {
        let browser = browser.clone();
        let url = format!("{}/me", site.bases[0]);
        tokio::spawn(async move { browser.get(url).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let instances: Vec<usize> = (0..PARALLEL).map(|i| i % 2).collect();
    let seen = site.me_in_parallel(&browser, &instances).await;
    assert_eq!(first.await.unwrap().status(), StatusCode::OK);
    // The second instance refreshed too (the path under test), once: its
    // other requests waited for it and then read the winner's tokens.
    assert_eq!(site.refreshes(), 2, "one refresh per instance");
    let winner = seen[0].clone();
    assert!(
        matches!(winner, Seen::SignedIn { expired: false, .. }),
        "{winner:?}"
    );
    for other in &seen {
        assert_eq!(other, &winner, "every request saw the winner's tokens");
    }
    assert_eq!(site.me(&browser, 1).await, winner);
    assert_eq!(site.me(&browser, 0).await, winner);
}

/// The provider is down (503 with `temporarily_unavailable`): the session
/// stays, the handler gets the stale access token and can tell, the
/// requests that waited for the failed refresh do not ask again each, and
/// for a few seconds no request waits for the provider at all.
#[tokio::test]
async fn a_provider_outage_keeps_the_session_with_a_stale_token() {
    let site = deploy(1, |c| c).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.provider.inject(Fault::http(
        Endpoint::Token,
        HttpFault::OAuthError {
            status: 503,
            error: "temporarily_unavailable".into(),
            description: None,
        },
    ));
    site.provider.inject(Fault::http(
        Endpoint::Token,
        HttpFault::Delay(Duration::from_millis(300)),
    ));
    let seen = site.me_in_parallel(&browser, &[0; PARALLEL]).await;
    assert_eq!(
        site.refreshes(),
        1,
        "the waiters took the failure as theirs"
    );
    for each in &seen {
        assert!(
            matches!(each, Seen::SignedIn { expired: true, .. }),
            "{each:?}"
        );
        assert_eq!(each, &seen[0]);
    }
    // Refreshes pause for a while: the next request answers at once.
    let started = std::time::Instant::now();
    assert_eq!(site.me(&browser, 0).await, seen[0]);
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(site.refreshes(), 1);
}

/// A token request that times out keeps the session too.
#[tokio::test]
async fn a_refresh_timeout_keeps_the_session() {
    let site = deploy(1, |c| c.http_timeout(Duration::from_millis(500))).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.provider
        .inject(Fault::http(Endpoint::Token, HttpFault::Delay(Duration::from_secs(2))).once());
    assert!(matches!(
        site.me(&browser, 0).await,
        Seen::SignedIn { expired: true, .. }
    ));
}

/// The provider says the grant is gone (`invalid_grant`: revoked, expired,
/// the user logged out there): the user is signed out, once and for all.
#[tokio::test]
async fn invalid_grant_signs_the_user_out() {
    let site = deploy(1, |c| c).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.provider.inject(
        Fault::http(
            Endpoint::Token,
            HttpFault::OAuthError {
                status: 400,
                error: "invalid_grant".into(),
                description: Some("The grant was revoked.".into()),
            },
        )
        .once(),
    );
    assert_eq!(site.me(&browser, 0).await, Seen::SignedOut);
    assert_eq!(site.refreshes(), 1);
    assert_eq!(site.me(&browser, 0).await, Seen::SignedOut);
    assert_eq!(
        site.refreshes(),
        1,
        "the session is gone: nothing to refresh"
    );
}

/// A refreshed ID token that fails verification (here: another `sub`,
/// OpenID Connect Core 12.2) signs the user out: it is not a transient
/// failure.
#[tokio::test]
async fn a_refreshed_id_token_that_fails_verification_signs_the_user_out() {
    let site = deploy(1, |c| c).await;
    let browser = Browser::new();
    site.sign_in_expiring(&browser).await;
    site.provider
        .inject(Fault::id_claim(Edit::set("sub", "someone-else")).once());
    assert_eq!(site.me(&browser, 0).await, Seen::SignedOut);
    assert_eq!(site.me(&browser, 0).await, Seen::SignedOut);
}
