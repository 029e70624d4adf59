//! Running the workspace's programs (the example apps, the dev provider
//! binary) as real processes from tests, the way a user runs them.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A child process killed when dropped (also when the test panics).
#[derive(Debug)]
pub struct Running {
    child: Child,
    /// The line the program printed to say it was ready.
    pub ready_line: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The target directory's profile folder (`target/debug`) this test runs
/// from: test binaries live in its `deps/` subfolder.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

/// The path of a built example (`target/<profile>/examples/NAME`), building
/// it first if it is missing (a plain `cargo test` at the workspace root
/// builds examples; `cargo test -p tests` alone does not).
pub fn example(name: &str) -> PathBuf {
    let path = profile_dir().join("examples").join(name);
    if !path.exists() {
        build(&["--example", name, "-p", "examples"]);
    }
    path
}

/// The path of a built binary (`target/<profile>/NAME`), building it if missing.
pub fn binary(package: &str, name: &str) -> PathBuf {
    let path = profile_dir().join(name);
    if !path.exists() {
        build(&["--bin", name, "-p", package]);
    }
    path
}

fn build(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .arg("build")
        .args(args)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build {args:?} failed");
}

/// Starts `program` with exactly `env` (plus PATH and RUST_LOG) and waits up
/// to 60 s for a stdout line containing `ready`.
pub fn start(program: &PathBuf, args: &[&str], env: &[(&str, String)], ready: &str) -> Running {
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, receiver) = mpsc::channel();
    let ready = ready.to_owned();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent && line.contains(&ready) {
                let _ = sender.send(line);
                sent = true;
            }
        }
    });
    let mut running = Running {
        child,
        ready_line: String::new(),
    };
    match receiver.recv_timeout(Duration::from_secs(60)) {
        Ok(line) => running.ready_line = line,
        Err(_) => {
            let status = running.child.try_wait().ok().flatten();
            panic!(
                "{} did not become ready (exit status: {status:?})",
                program.display()
            );
        }
    }
    running
}

/// A free TCP port on 127.0.0.1 (bound then released: racy in theory,
/// fine for tests that start their servers right away).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
