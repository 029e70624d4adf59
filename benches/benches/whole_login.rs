//! The whole login, as a website pays for it: `GET /login`, the provider's
//! sign-in, the `form_post` callback (unseal, parse, token request, ID
//! token verification, UserInfo, session write) and the first signed-in
//! page, measured in the application's own process.
//!
//! Three applications run side by side, each as its own process against
//! the same dev provider (in this process, Keycloak profile: a standard
//! provider whose token response has no inline `userinfo`, so every app
//! calls UserInfo): `examples/axum_login` (the SDK's web glue, memory
//! sessions), `openidconnect_app` (the same routes on `openidconnect` 4,
//! `benches/src/bin/openidconnect_app.rs`) and `floor_app` (the same routes
//! and stack with no OpenID Connect library and no checks at all: the
//! floor, `benches/src/bin/floor_app.rs`). A driver plays the users with
//! `oidc_dev_provider::testing::sign_in` (a cookie-keeping HTTP client),
//! N logins at a time.
//!
//! Per app, round and concurrency: the app process's CPU time (user and
//! system, `/proc/PID/stat`) per login, its peak resident memory
//! (`VmHWM`), logins per second, and the provider's requests per login by
//! endpoint (discovery and JWKS must stay at zero after the warm-up). The
//! apps alternate within each round; ratios are taken per round, and the
//! report gives medians with the spread (min–max).
//!
//! ```sh
//! benches/whole-login.sh                     # builds axum_login, then runs this
//! WHOLE_LOGIN_ROUNDS=5 WHOLE_LOGIN_LOGINS=300 WHOLE_LOGIN_CONCURRENCY=1,8,64 benches/whole-login.sh
//! WHOLE_LOGIN_PRELOAD=10000 benches/whole-login.sh   # first 10,000 sessions + pending logins per app
//! ```
//!
//! `AXUM_LOGIN_BIN`, `OPENIDCONNECT_APP_BIN` and `FLOOR_APP_BIN` replace an
//! app's binary (a wrapper script running it under `valgrind --tool=callgrind`
//! counts its instructions: apps stop on SIGINT, so the profiler writes
//! its data). Results are printed and written to
//! `$CARGO_TARGET_DIR/whole-login.json` (default `target/`). Without
//! `--bench` (as `cargo test --benches` runs it) the binary only checks its
//! arguments and exits.

use oidc_dev_provider::testing::{browser_client, sign_in};
use oidc_dev_provider::{DevClient, DevProvider, Profile};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use url::Url;

/// Linux's `USER_HZ`: the unit of `utime`/`stime` in `/proc/PID/stat`
/// (fixed at 100 by the kernel ABI whatever `CONFIG_HZ` is).
const TICKS_PER_SECOND: f64 = 100.0;
const SECRET: &str = "whole-login-secret";
const EMAIL: &str = "alice@example.com";
/// The apps' names in the report.
const OURS: &str = "oidc-core";
const THEIRS: &str = "openidconnect";
const FLOOR: &str = "floor (no checks)";

/// One application under test, running as its own process.
struct App {
    name: &'static str,
    child: Child,
    base: Url,
}

impl App {
    /// Starts `binary` with the `axum_login` environment and waits for its
    /// `listening on` line.
    fn start(name: &'static str, binary: &Path, issuer: &str, client_id: &str, port: u16) -> Self {
        let base = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("a loopback URL");
        let mut child = Command::new(binary)
            .env("OIDC_ISSUER", issuer)
            .env("OIDC_CLIENT_ID", client_id)
            .env("OIDC_CLIENT_SECRET", SECRET)
            .env("OIDC_REDIRECT_URI", format!("{base}callback"))
            .env("APP_ADDR", format!("127.0.0.1:{port}"))
            .env_remove("APP_REDIS_URL")
            .env_remove("APP_COOKIE_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("listening on") => break,
                Some(Ok(_)) => {}
                _ => panic!("{name} exited before listening"),
            }
        }
        // Keep draining stdout so the app never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { name, child, base }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User and system CPU time of the whole process so far, in seconds.
    fn cpu_seconds(&self) -> (f64, f64) {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))
            .expect("/proc/PID/stat of a running app");
        // Fields after the command name (which may hold spaces): state is
        // field 3, utime 14, stime 15.
        let after = &stat[stat.rfind(')').expect("a stat line") + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| fields[i].parse::<f64>().expect("a tick count");
        (ticks(11) / TICKS_PER_SECOND, ticks(12) / TICKS_PER_SECOND)
    }

    /// Peak resident set size so far, in MiB.
    fn peak_rss_mib(&self) -> f64 {
        self.status_mib("VmHWM:")
    }

    /// Resident set size now, in MiB.
    fn rss_mib(&self) -> f64 {
        self.status_mib("VmRSS:")
    }

    /// A memory line of `/proc/PID/status`, in MiB.
    fn status_mib(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/PID/status of a running app");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    }
}

impl Drop for App {
    /// Stops the app the way Ctrl-C does (both apps shut down gracefully on
    /// SIGINT, so a profiler wrapping one gets to write its data), and kills
    /// it if it has not exited after five seconds.
    fn drop(&mut self) {
        let interrupted = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if interrupted {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One measurement: `logins` complete logins of one app at `concurrency`.
#[derive(Debug, Clone, serde::Serialize)]
struct Sample {
    app: &'static str,
    round: usize,
    concurrency: usize,
    logins: usize,
    cpu_ms_per_login: f64,
    /// The part of `cpu_ms_per_login` spent in the kernel (sockets,
    /// scheduling).
    system_ms_per_login: f64,
    peak_rss_mib: f64,
    logins_per_second: f64,
    provider_requests_per_login: BTreeMap<String, f64>,
}

/// Runs `count` complete logins, `concurrency` at a time, each in a fresh
/// cookie jar, and checks that each ends on the page showing the user.
/// (`sign_in` parses pages with `scraper`, whose documents are not `Send`:
/// the driver's tasks share one thread; the apps run in their own
/// processes.)
async fn logins(app: &App, count: usize, concurrency: usize) {
    let login_url = app.base.join("login").expect("the login URL");
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    let local = tokio::task::LocalSet::new();
    for _ in 0..concurrency.min(count) {
        let (login_url, next) = (login_url.clone(), Arc::clone(&next));
        tasks.spawn_local_on(
            async move {
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let client = browser_client().expect("an HTTP client");
                    let page = sign_in(&client, &login_url, EMAIL)
                        .await
                        .unwrap_or_else(|e| panic!("a login at {login_url} failed: {e}"));
                    assert!(
                        page.status.is_success() && page.body.contains(EMAIL),
                        "the login did not end on the signed-in page: {} {}",
                        page.status,
                        page.body
                    );
                }
            },
            &local,
        );
    }
    local
        .run_until(async {
            while let Some(done) = tasks.join_next().await {
                done.expect("a login task");
            }
        })
        .await;
}

/// Starts `count` logins that never finish (`GET /login`, the provider
/// never visited), 64 at a time, each in a fresh cookie jar.
async fn login_starts(app: &App, count: usize) {
    let login_url = app.base.join("login").expect("the login URL");
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count.min(64) {
        let (login_url, next) = (login_url.clone(), Arc::clone(&next));
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                // A new jar per login: each is another browser.
                let client = browser_client().expect("an HTTP client");
                let response = client
                    .get(login_url.clone())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("GET {login_url} failed: {e}"));
                assert!(
                    response.status().is_redirection()
                        && response.headers().contains_key("set-cookie"),
                    "GET {login_url} did not start a login: {}",
                    response.status()
                );
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a login-start task");
    }
}

/// The scale setting: `count` signed-in sessions and `count` pending
/// logins per app before the measured rounds, with each app's resident
/// memory before and after (`VmRSS`), per session kept.
async fn preload_apps(apps: &[App], count: usize) {
    println!("\npreloading {count} signed-in sessions and {count} pending logins per app");
    println!(
        "| app | RSS before MiB | RSS after MiB | KiB per session + pending login | preload CPU ms per login |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for app in apps {
        let before = app.rss_mib();
        let cpu = app.cpu_seconds();
        logins(app, count, 8).await;
        login_starts(app, count).await;
        let after = app.rss_mib();
        let cpu_after = app.cpu_seconds();
        let cpu_ms = (cpu_after.0 + cpu_after.1 - cpu.0 - cpu.1) * 1000.0 / count as f64;
        println!(
            "| {} | {before:.1} | {after:.1} | {:.2} | {cpu_ms:.3} |",
            app.name,
            (after - before) * 1024.0 / count as f64,
        );
    }
}

/// The provider's requests since the last clear, per endpoint, divided by
/// `logins`.
fn provider_requests(provider: &DevProvider, logins: usize) -> BTreeMap<String, f64> {
    let issuer_path = provider.issuer().path().trim_end_matches('/').to_owned();
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    for request in provider.requests() {
        let endpoint = request
            .path
            .strip_prefix(&issuer_path)
            .unwrap_or(&request.path);
        let name = match endpoint {
            p if p.ends_with("/.well-known/openid-configuration") => "discovery",
            p if p.ends_with("/certs") || p.ends_with("/jwks") => "jwks",
            p if p.ends_with("/token") => "token",
            p if p.ends_with("/userinfo") => "userinfo",
            _ => "pages",
        };
        *counts.entry(name.to_owned()).or_default() += 1.0;
    }
    for value in counts.values_mut() {
        *value /= logins as f64;
    }
    for name in ["discovery", "jwks", "token", "userinfo"] {
        counts.entry(name.to_owned()).or_insert(0.0);
    }
    counts
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn spread(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo test --benches` runs bench targets without `--bench`:
        // compiling is the check there.
        return;
    }
    let rounds = env_number("WHOLE_LOGIN_ROUNDS", 5).max(1);
    let per_round = env_number("WHOLE_LOGIN_LOGINS", 1000).max(1);
    let preload = env_number("WHOLE_LOGIN_PRELOAD", 0);
    let concurrency: Vec<usize> = std::env::var("WHOLE_LOGIN_CONCURRENCY")
        .unwrap_or_else(|_| "1,8".into())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .filter(|&c| c > 0)
        .collect();
    let ours_binary = std::env::var_os("AXUM_LOGIN_BIN").map_or_else(
        || target_dir().join("release/examples/axum_login"),
        PathBuf::from,
    );
    assert!(
        ours_binary.is_file(),
        "{} is missing: run benches/whole-login.sh (it builds \
         `cargo build --release -p examples --example axum_login` first), or set AXUM_LOGIN_BIN",
        ours_binary.display()
    );
    let theirs_binary = std::env::var_os("OPENIDCONNECT_APP_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_openidconnect_app")),
        PathBuf::from,
    );
    let floor_binary = std::env::var_os("FLOOR_APP_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_floor_app")),
        PathBuf::from,
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        let (ours_port, theirs_port, floor_port) = (free_port(), free_port(), free_port());
        let provider = DevProvider::builder()
            .profile(Profile::Keycloak)
            .client(
                DevClient::confidential("ours", SECRET)
                    .redirect_uri(format!("http://127.0.0.1:{ours_port}/callback")),
            )
            .client(
                DevClient::confidential("theirs", SECRET)
                    .redirect_uri(format!("http://127.0.0.1:{theirs_port}/callback")),
            )
            .client(
                DevClient::confidential("floor", SECRET)
                    .redirect_uri(format!("http://127.0.0.1:{floor_port}/callback")),
            )
            .start()
            .await
            .expect("the dev provider");
        let issuer = provider.issuer_str().to_owned();
        let apps = [
            App::start(OURS, &ours_binary, &issuer, "ours", ours_port),
            App::start(
                THEIRS,
                &theirs_binary,
                &issuer,
                "theirs",
                theirs_port,
            ),
            App::start(FLOOR, &floor_binary, &issuer, "floor", floor_port),
        ];
        // Warm-up: discovery is done at start; the first logins fetch the
        // JWKS and fill connection pools. Not measured.
        for app in &apps {
            logins(app, 20, 4).await;
        }
        if preload > 0 {
            preload_apps(&apps, preload).await;
        }
        println!(
            "whole login: {rounds} rounds × {per_round} logins per app and concurrency {concurrency:?}; \
             app CPU from /proc (10 ms ticks); provider in the driver process"
        );
        let mut samples = Vec::new();
        for round in 1..=rounds {
            for &c in &concurrency {
                for app in &apps {
                    provider.clear_requests();
                    let cpu = app.cpu_seconds();
                    let started = Instant::now();
                    logins(app, per_round, c).await;
                    let wall = started.elapsed();
                    let (user, system) = app.cpu_seconds();
                    let (user, system) = (user - cpu.0, system - cpu.1);
                    let sample = Sample {
                        app: app.name,
                        round,
                        concurrency: c,
                        logins: per_round,
                        cpu_ms_per_login: (user + system) * 1000.0 / per_round as f64,
                        system_ms_per_login: system * 1000.0 / per_round as f64,
                        peak_rss_mib: app.peak_rss_mib(),
                        logins_per_second: per_round as f64 / wall.as_secs_f64(),
                        provider_requests_per_login: provider_requests(&provider, per_round),
                    };
                    println!(
                        "round {round} c={c:<3} {:<14} {:>7.3} ms CPU/login ({:.3} system)  {:>6.1} MiB peak  {:>7.1} logins/s  provider/login {:?}",
                        sample.app,
                        sample.cpu_ms_per_login,
                        sample.system_ms_per_login,
                        sample.peak_rss_mib,
                        sample.logins_per_second,
                        sample.provider_requests_per_login
                    );
                    samples.push(sample);
                }
            }
            // The provider keeps every code and token it issued; a fresh
            // start per round would change the apps' pools, so it stays.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        report(&samples, &concurrency, rounds);
        let path = target_dir().join("whole-login.json");
        match serde_json::to_string_pretty(&samples) {
            Ok(json) => match std::fs::write(&path, json) {
                Ok(()) => println!("samples written to {}", path.display()),
                Err(e) => eprintln!("could not write {}: {e}", path.display()),
            },
            Err(e) => eprintln!("could not serialise the samples: {e}"),
        }
    });
}

/// Medians over rounds, and the per-round ratios oidc-core / openidconnect.
fn report(samples: &[Sample], concurrency: &[usize], rounds: usize) {
    println!(
        "\n| concurrency | app | CPU ms/login (median, min–max) | of which system | peak RSS MiB | logins/s | discovery+JWKS per login |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for &c in concurrency {
        for app in [OURS, THEIRS, FLOOR] {
            let of: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.app == app && s.concurrency == c)
                .collect();
            let mut cpu: Vec<f64> = of.iter().map(|s| s.cpu_ms_per_login).collect();
            let (lo, hi) = spread(&cpu);
            let mut system: Vec<f64> = of.iter().map(|s| s.system_ms_per_login).collect();
            let rss = of.iter().map(|s| s.peak_rss_mib).fold(0.0, f64::max);
            let mut rate: Vec<f64> = of.iter().map(|s| s.logins_per_second).collect();
            let background: f64 = of
                .iter()
                .map(|s| {
                    s.provider_requests_per_login["discovery"]
                        + s.provider_requests_per_login["jwks"]
                })
                .sum();
            println!(
                "| {c} | {app} | {:.3} ({lo:.3}–{hi:.3}) | {:.3} | {rss:.1} | {:.1} | {background:.3} |",
                median(&mut cpu),
                median(&mut system),
                median(&mut rate),
            );
        }
    }
    println!(
        "\n| concurrency | CPU ratio {OURS} / {THEIRS} (median of {rounds} rounds, min–max) | peak RSS ratio | CPU {OURS} / floor | CPU {THEIRS} / floor |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for &c in concurrency {
        let ratios = |a: &str, b: &str| -> Vec<f64> {
            let of = |app: &str, round: usize| {
                samples
                    .iter()
                    .find(|s| s.app == app && s.concurrency == c && s.round == round)
            };
            (1..=rounds)
                .filter_map(|r| Some(of(a, r)?.cpu_ms_per_login / of(b, r)?.cpu_ms_per_login))
                .collect()
        };
        let shown = |mut values: Vec<f64>| {
            let (lo, hi) = spread(&values);
            format!("{:.2} ({lo:.2}–{hi:.2})", median(&mut values))
        };
        let rss = |app: &str| {
            samples
                .iter()
                .filter(|s| s.app == app && s.concurrency == c)
                .map(|s| s.peak_rss_mib)
                .fold(0.0, f64::max)
        };
        println!(
            "| {c} | {} | {:.2} | {} | {} |",
            shown(ratios(OURS, THEIRS)),
            rss(OURS) / rss(THEIRS),
            shown(ratios(OURS, FLOOR)),
            shown(ratios(THEIRS, FLOOR)),
        );
    }
}
