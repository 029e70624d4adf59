//! Starts and stops the Node fixture `tests/interop/provider.mjs` (panva's
//! certified `oidc-provider`) for one test. See `tests/interop/README.md`
//! for its process contract: it prints `ISSUER=http://127.0.0.1:<port>` on
//! stdout once listening, everything else on stderr.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long one start of the fixture may take to print its issuer. A bound on
/// waiting, not a performance check: the suite starts one Node process per
/// test, and on a loaded 2-core machine loading oidc-provider took over 30 s.
const START_TIMEOUT: Duration = Duration::from_secs(75);
/// Starts tried before a test fails. In CI a Node process once printed
/// oidc-provider's import-time warning and then nothing for 120 s while the
/// other processes of the same suite started in seconds: a stalled process is
/// killed and replaced rather than failing the test.
const START_ATTEMPTS: u32 = 3;
/// The fixture's stderr kept for failure messages.
const MAX_LOG: usize = 64 * 1024;

/// A running provider process, killed when dropped (also when the test
/// panics).
pub struct OidcProvider {
    child: Child,
    issuer: String,
    port: u16,
    redirect_uris: Vec<String>,
    /// `AUTH_METHODS` of the fixture; empty for oidc-provider's default list.
    auth_methods: Vec<String>,
    /// `EXTRA_CLIENTS_JSON` of the fixture; empty for none.
    extra_clients: String,
    log: Arc<Mutex<String>>,
}

impl OidcProvider {
    /// Starts a provider on a free port whose clients accept `redirect_uris`.
    /// It publishes oidc-provider's default `token_endpoint_auth_methods_supported`
    /// (both `client_secret_basic` and `client_secret_post`, among others).
    pub fn start(redirect_uris: &[&str]) -> Self {
        Self::start_with_auth_methods(redirect_uris, &[])
    }

    /// [`OidcProvider::start`], for a provider that supports (and publishes)
    /// only these token endpoint authentication methods; the default
    /// clients registered for another method are left out.
    pub fn start_with_auth_methods(redirect_uris: &[&str], auth_methods: &[&str]) -> Self {
        Self::start_with(redirect_uris, auth_methods, "")
    }

    /// [`OidcProvider::start`], with more clients registered besides the
    /// default ones: `extra_clients` is a JSON array of client metadata
    /// objects (each merged over the fixture's client defaults), e.g. a
    /// `private_key_jwt` client with its public `jwks`.
    pub fn start_with_extra_clients(redirect_uris: &[&str], extra_clients: &str) -> Self {
        Self::start_with(redirect_uris, &[], extra_clients)
    }

    fn start_with(redirect_uris: &[&str], auth_methods: &[&str], extra_clients: &str) -> Self {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let (redirect_uris, auth_methods) = (owned(redirect_uris), owned(auth_methods));
        let mut failures = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            match Self::try_spawn(0, &redirect_uris, &auth_methods, extra_clients) {
                Ok(provider) => return provider,
                Err(e @ SpawnError::Fatal(_)) => panic!("{e}"),
                Err(SpawnError::Stalled(e)) => {
                    eprintln!("interop provider start {attempt}/{START_ATTEMPTS} stalled: {e}");
                    failures.push(e);
                }
            }
        }
        panic!(
            "the interop provider did not start in {START_ATTEMPTS} attempts:\n{}",
            failures.join("\n---\n")
        )
    }

    /// The issuer, `http://127.0.0.1:<port>` (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Stops the provider and starts a new process **on the same port** (so
    /// the issuer, and every endpoint URL, stay the same). The new process
    /// has new signing keys with new `kid`s and has forgotten every session,
    /// code and token.
    pub fn restart(&mut self) {
        self.kill();
        // The port was just released; retry briefly in case the OS is slow.
        let mut attempt = 0;
        let fresh = loop {
            attempt += 1;
            match Self::try_spawn(
                self.port,
                &self.redirect_uris,
                &self.auth_methods,
                &self.extra_clients,
            ) {
                Ok(fresh) => break fresh,
                Err(e) if attempt < 10 => {
                    eprintln!("restart on port {} failed, retrying: {e}", self.port);
                    thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("could not restart the provider on port {}: {e}", self.port),
            }
        };
        assert_eq!(fresh.issuer, self.issuer, "the restarted issuer differs");
        // Replacing `self` drops the old (already dead) process handle.
        *self = fresh;
    }

    /// The provider's stderr so far (for failure messages).
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn try_spawn(
        port: u16,
        redirect_uris: &[String],
        auth_methods: &[String],
        extra_clients: &str,
    ) -> Result<Self, SpawnError> {
        let dir = fixture_dir();
        let node_modules = dir.join("node_modules").join("oidc-provider");
        if !node_modules.is_dir() {
            return Err(SpawnError::Fatal(format!(
                "the interop provider's dependencies are not installed ({} is missing).\n\
                 Run `npm ci --prefix tests/interop` from the workspace root (needs Node.js >= 20), \
                 then run the interop tests again.",
                node_modules.display()
            )));
        }
        let node = std::env::var_os("NODE").unwrap_or_else(|| "node".into());
        let mut command = Command::new(&node);
        if auth_methods.is_empty() {
            command.env_remove("AUTH_METHODS");
        } else {
            command.env("AUTH_METHODS", auth_methods.join(","));
        }
        if extra_clients.is_empty() {
            command.env_remove("EXTRA_CLIENTS_JSON");
        } else {
            command.env("EXTRA_CLIENTS_JSON", extra_clients);
        }
        let mut child = command
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("REDIRECT_URIS", redirect_uris.join(","))
            .env_remove("CLIENTS_JSON")
            .env_remove("BACKCHANNEL_LOGOUT_URI")
            .env_remove("POST_LOGOUT_REDIRECT_URIS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                SpawnError::Fatal(format!(
                    "could not run `{}` for the interop provider: {e}. Install Node.js >= 20 \
                     (or point the NODE environment variable at it) and run \
                     `npm ci --prefix tests/interop`.",
                    node.to_string_lossy()
                ))
            })?;

        // stderr: kept (bounded) for failure messages; echoed when
        // INTEROP_VERBOSE is set.
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            let verbose = std::env::var_os("INTEROP_VERBOSE").is_some();
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if verbose {
                        eprintln!("[oidc-provider] {line}");
                    }
                    let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
                    if log.len() < MAX_LOG {
                        log.push_str(&line);
                        log.push('\n');
                    }
                }
            });
        }

        // stdout: the ISSUER line, then drained until the process exits.
        let (issuer_tx, issuer_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    if let Some(issuer) = line.trim_end().strip_prefix("ISSUER=") {
                        let _ = issuer_tx.send(issuer.to_owned());
                        break;
                    }
                    line.clear();
                }
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
            });
        }

        let deadline = Instant::now() + START_TIMEOUT;
        let issuer = loop {
            match issuer_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(issuer) => break issuer,
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {
                    if let Ok(Some(status)) = child.try_wait() {
                        thread::sleep(Duration::from_millis(100)); // let stderr drain
                        return Err(SpawnError::Fatal(format!(
                            "the interop provider exited ({status}) before printing its issuer; \
                             its stderr:\n{}",
                            log.lock().unwrap_or_else(|p| p.into_inner())
                        )));
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // stdout closed without an ISSUER line: the process ended
                    // (e.g. its modules are missing), which no retry mends.
                    let status = child.wait();
                    thread::sleep(Duration::from_millis(100)); // let stderr drain
                    return Err(SpawnError::Fatal(format!(
                        "the interop provider closed its stdout ({status:?}) before printing \
                         its issuer; its stderr:\n{}",
                        log.lock().unwrap_or_else(|p| p.into_inner())
                    )));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // What the process was doing, for the next time it stalls.
                    let state = process_state(child.id());
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(SpawnError::Stalled(format!(
                        "the interop provider printed no ISSUER line within {START_TIMEOUT:?}; \
                         {state}; its stderr:\n{}",
                        log.lock().unwrap_or_else(|p| p.into_inner())
                    )));
                }
            }
        };
        let port = issuer
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
            .ok_or_else(|| {
                SpawnError::Fatal(format!("unexpected issuer line `ISSUER={issuer}`"))
            })?;
        if !issuer.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SpawnError::Fatal(format!(
                "the provider is not on loopback: {issuer}"
            )));
        }
        Ok(Self {
            child,
            issuer,
            port,
            redirect_uris: redirect_uris.to_vec(),
            auth_methods: auth_methods.to_vec(),
            extra_clients: extra_clients.to_owned(),
            log,
        })
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Why a provider process did not start.
enum SpawnError {
    /// It cannot start here (missing dependencies, crashed, wrong output).
    Fatal(String),
    /// It is running but printed nothing in time: worth a fresh process.
    Stalled(String),
}

impl std::fmt::Display for SpawnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpawnError::Fatal(e) | SpawnError::Stalled(e) => f.write_str(e),
        }
    }
}

/// The scheduler state and kernel wait channel of each thread of `pid`
/// (Linux `/proc`), or a note that it could not be read.
fn process_state(pid: u32) -> String {
    let read = |path: String| std::fs::read_to_string(path).unwrap_or_default();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return format!("process {pid}: /proc not readable");
    };
    let threads: Vec<String> = tasks
        .filter_map(Result::ok)
        .map(|task| {
            let tid = task.file_name().to_string_lossy().into_owned();
            let status = read(format!("/proc/{pid}/task/{tid}/status"));
            let field = |name: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(str::trim)
                    .unwrap_or("?")
                    .to_owned()
            };
            let wchan = read(format!("/proc/{pid}/task/{tid}/wchan"));
            format!("{} {} wchan={wchan}", field("Name:"), field("State:"))
        })
        .collect();
    format!("process {pid} threads: [{}]", threads.join(", "))
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.kill();
    }
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}
