//! The per-request work of a login that involves no network: building the
//! authorization URL (`client.login().redirect()`), parsing and checking the
//! callback (`Callback::from_form_post` + `receive`; the parse alone for a
//! real response and for the worst 32 KiB an attacker can send), and sealing and
//! opening the pending login (the cookie). The client is discovered once
//! against the in-process dev provider.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use oidc_benches::{BenchClock, LiveProvider};
use oidc_core::{Callback, PendingLogin};
use oidc_dev_provider::SigningAlg;
use std::hint::black_box;
use std::time::Duration;

fn flow(c: &mut Criterion<BenchClock>) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let live = runtime.block_on(LiveProvider::start(SigningAlg::RS256));
    let client = live.client.clone();
    let issuer = client.config().issuer().to_owned();
    let key = live.sealing_key.clone();

    let mut group = c.benchmark_group("flow");
    group.bench_function("authorization_url", |b| {
        b.iter(|| {
            let (request, login) = client.login().redirect().expect("redirect");
            black_box((request, login))
        })
    });

    // A fresh login per iteration (untimed): each login takes one callback.
    // A client remembers at most 100,000 live `state`s (beyond, the oldest
    // go and logins of the same second are refused as unverifiable), and
    // criterion runs more iterations than that: a new client every 50,000.
    let mut receiver = client.clone();
    let mut received = 0usize;
    group.bench_function("callback_parse_and_receive", |b| {
        b.iter_batched(
            || {
                received += 1;
                if received.is_multiple_of(50_000) {
                    receiver = runtime.block_on(live.fresh_client());
                }
                let (_request, login) = receiver.login().redirect().expect("redirect");
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("code", "SplxlOBeZQQYbYS6WxSbIA")
                    .append_pair("state", login.pending().state().secret())
                    .append_pair("iss", &issuer)
                    .finish();
                (login, body)
            },
            |(login, body)| {
                let callback = Callback::from_form_post(body.as_bytes()).expect("parses");
                login.receive(callback).expect("accepted")
            },
            BatchSize::SmallInput,
        )
    });

    // Parsing alone: a real response, and the worst 32 KiB an attacker can
    // send to the callback route (short distinct names, which a quadratic
    // duplicate check once made cost tens of milliseconds).
    let normal = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", "SplxlOBeZQQYbYS6WxSbIA")
        .append_pair("state", "af0ifjsldkj-8d3KXhGHOIA6f2xsYx0Yk7rXCt5Hx3M")
        .append_pair("iss", &issuer)
        .finish();
    let mut flood = String::with_capacity(32 * 1024);
    let mut i = 0u32;
    while flood.len() + 8 < 32 * 1024 {
        flood.push_str(&format!("{i:x}=&"));
        i += 1;
    }
    group.bench_function("callback_parse/normal", |b| {
        b.iter(|| Callback::from_form_post(black_box(normal.as_bytes())))
    });
    group.bench_function("callback_parse/worst_case_32k", |b| {
        b.iter(|| Callback::from_form_post(black_box(flood.as_bytes())))
    });

    let (_request, login) = client
        .login()
        .app_data("/account")
        .redirect()
        .expect("redirect");
    let pending = login.into_pending();
    let sealed = pending.seal(&key).expect("seals");
    group.bench_function("pending_seal", |b| {
        b.iter(|| black_box(&pending).seal(&key).expect("seals"))
    });
    group.bench_function("pending_open", |b| {
        b.iter(|| PendingLogin::unseal(black_box(&sealed), &key).expect("opens"))
    });
    group.finish();
    drop(live);
    drop(runtime);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .with_measurement(BenchClock::from_env())
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = flow
}
criterion_main!(benches);
