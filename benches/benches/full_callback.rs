//! The full callback as an application's handler runs it, as logins per
//! second with many logins in flight: open the sealed pending login, parse
//! and check the `form_post` callback, exchange the code over loopback HTTP
//! at the in-process dev provider, verify the ID token, read the user.
//!
//! Authorization codes are collected before each timed section by driving
//! the provider's sign-in form over HTTP (untimed). `bare` is the baseline:
//! the same token request from a bare pooled `reqwest` client with a JSON
//! parse and no verification, i.e. what the provider and the loopback HTTP
//! cost by themselves. The SDK is not the limit when `oidc-core` is close
//! to `bare`.
//!
//! Both run on one multi-threaded Tokio runtime that also serves the
//! provider, as in an application that embeds it (the machine has 2 cores).
//! Each benchmark gets a fresh provider: the dev provider keeps every code
//! and token it issued, and slows down as that store grows.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use oidc_benches::{LiveProvider, ReadyCallback, bare_exchange, finish_login};
use oidc_dev_provider::SigningAlg;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Logins in flight at once.
const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// Parallel sign-ins while collecting codes (untimed).
const COLLECTORS: usize = 8;

/// Runs `work` over `items` with `concurrency` tasks; returns the wall time.
async fn run_concurrently<T, F, Fut>(items: Vec<T>, concurrency: usize, work: F) -> Duration
where
    T: Send + Sync + 'static,
    F: Fn(Arc<Vec<T>>, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency.min(items.len()).max(1))
        .map(|_| {
            let items = Arc::clone(&items);
            let next = Arc::clone(&next);
            let work = work.clone();
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= items.len() {
                        break;
                    }
                    work(Arc::clone(&items), i).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a login task");
    }
    start.elapsed()
}

fn full_callback(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for provider_alg in [SigningAlg::RS256, SigningAlg::EdDSA] {
        let fresh = || Arc::new(runtime.block_on(LiveProvider::start(provider_alg)));
        let mut group = c.benchmark_group(format!("full_callback/{provider_alg}"));
        group
            .throughput(Throughput::Elements(1))
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for concurrency in CONCURRENCY {
            let live = fresh();
            group.bench_function(BenchmarkId::new("oidc-core", concurrency), |b| {
                b.to_async(&runtime).iter_custom(|iters| {
                    let live = Arc::clone(&live);
                    async move {
                        let ready: Vec<ReadyCallback> =
                            live.ready_callbacks(iters as usize, COLLECTORS).await;
                        let client = live.client.clone();
                        let key = live.sealing_key.clone();
                        run_concurrently(ready, concurrency, move |items, i| {
                            let client = client.clone();
                            let key = key.clone();
                            async move {
                                let user = finish_login(&client, &key, &items[i])
                                    .await
                                    .expect("the login completes");
                                black_box(user);
                            }
                        })
                        .await
                    }
                })
            });
            // The JWKS was fetched at most once (none if a filter skipped
            // the benchmark), whatever the load.
            assert!(live.client.jwks_fetch_count() <= 1);
            let live = fresh();
            let http = reqwest::Client::new();
            group.bench_function(BenchmarkId::new("bare", concurrency), |b| {
                b.to_async(&runtime).iter_custom(|iters| {
                    let live = Arc::clone(&live);
                    let http = http.clone();
                    async move {
                        let codes = live.bare_codes(iters as usize, COLLECTORS).await;
                        let endpoint = live.client.metadata().token_endpoint.clone();
                        run_concurrently(codes, concurrency, move |items, i| {
                            let http = http.clone();
                            let endpoint = endpoint.clone();
                            async move {
                                black_box(bare_exchange(&http, &endpoint, &items[i]).await);
                            }
                        })
                        .await
                    }
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, full_callback);
criterion_main!(benches);
