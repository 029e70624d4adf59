//! Discovery and the JWKS are fetched once per client, also when many logins
//! finish at the same moment on a cold key cache (the JWKS fetch is single
//! flight), and the token requests reuse pooled connections.

use oidc_benches::{LiveProvider, finish_login};
use oidc_dev_provider::SigningAlg;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logins_fetch_discovery_and_keys_once() {
    const LOGINS: usize = 48;
    let live = Arc::new(LiveProvider::start(SigningAlg::EdDSA).await);
    let ready = live.ready_callbacks(LOGINS, 8).await;
    let discoveries = live
        .provider
        .requests()
        .iter()
        .filter(|r| r.path == "/.well-known/openid-configuration")
        .count();
    assert_eq!(discoveries, 1, "discovery once, when the client was made");
    live.provider.clear_requests();

    // Every login finishes at once; none has found the keys cached yet.
    let start = Arc::new(tokio::sync::Barrier::new(LOGINS));
    let tasks: Vec<_> = ready
        .into_iter()
        .map(|ready| {
            let live = Arc::clone(&live);
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                finish_login(&live.client, &live.sealing_key, &ready).await
            })
        })
        .collect();
    for task in tasks {
        let (sub, email) = task.await.unwrap().expect("the login completes");
        assert!(!sub.is_empty());
        assert_eq!(email.as_deref(), Some("alice@example.com"));
    }

    let requests = live.provider.requests();
    let count = |path: &str| requests.iter().filter(|r| r.path == path).count();
    assert_eq!(count("/.well-known/openid-configuration"), 0);
    assert_eq!(
        count("/jwks"),
        1,
        "one JWKS fetch for {LOGINS} concurrent logins"
    );
    assert_eq!(count("/token"), LOGINS);
    assert_eq!(requests.len(), LOGINS + 1, "nothing else: {requests:?}");
    assert_eq!(live.client.jwks_fetch_count(), 1);
}
