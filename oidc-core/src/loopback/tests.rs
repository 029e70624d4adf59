//! Unit tests of `loopback.rs`.

use super::*;

fn request(method: &str, target: &str, content_type: Option<&str>, body: &[u8]) -> Request {
    Request {
        method: method.into(),
        target: target.into(),
        content_type: content_type.map(Into::into),
        body: body.to_vec(),
    }
}

#[test]
fn only_the_logins_response_is_taken() {
    let ok = route(
        &request("GET", "/callback?code=c&state=s1", None, b""),
        "/callback",
        "s1",
    );
    assert_eq!(ok.0, 200);
    assert!(ok.3.is_some());
    let post = route(
        &request(
            "POST",
            "/callback",
            Some("application/x-www-form-urlencoded"),
            b"code=c&state=s1",
        ),
        "/callback",
        "s1",
    );
    assert_eq!(post.0, 200);
    assert_eq!(
        post.3.map(|c| c.received_by()),
        Some(crate::ResponseMode::FormPost)
    );
    for (req, status) in [
        (
            request("GET", "/callback?code=c&state=other", None, b""),
            400,
        ),
        (request("GET", "/callback?code=c", None, b""), 400),
        (
            request("GET", "/callback?state=s1&state=s1", None, b""),
            400,
        ),
        (request("GET", "/favicon.ico", None, b""), 404),
        (request("PUT", "/callback?state=s1", None, b""), 405),
        (
            request("POST", "/callback", Some("text/plain"), b"state=s1"),
            415,
        ),
    ] {
        let routed = route(&req, "/callback", "s1");
        assert_eq!(routed.0, status, "{}", req.target);
        assert!(routed.3.is_none());
    }
    let error = route(
        &request("GET", "/callback?error=access_denied&state=s1", None, b""),
        "/callback",
        "s1",
    );
    assert_eq!(error.1, "Sign-in did not complete");
    assert!(error.2.contains("access_denied"));
}

#[test]
fn pages_are_escaped() {
    let page = response(200, "<t>", "a & \"b\"");
    assert!(page.contains("&lt;t&gt;") && page.contains("a &amp; &quot;b&quot;"));
    assert!(
        page.contains("Cache-Control: no-store") && page.contains("Referrer-Policy: no-referrer")
    );
}

#[test]
fn durations_read_well() {
    assert_eq!(human(Duration::from_secs(300)), "5 minutes");
    assert_eq!(human(Duration::from_secs(60)), "1 minute");
    assert_eq!(human(Duration::from_secs(2)), "2 seconds");
    assert_eq!(human(Duration::from_secs(1)), "1 second");
    assert_eq!(human(Duration::from_secs(90)), "1 min 30 s");
}

#[tokio::test]
async fn only_loopback_addresses_bind() {
    let public = SocketAddr::from(([0, 0, 0, 0], 0));
    assert!(matches!(
        LoopbackServer::bind_to(public, "/cb").await,
        Err(LoopbackError::NotLoopback(_))
    ));
    let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    assert!(matches!(
        LoopbackServer::bind_to(local, "cb").await,
        Err(LoopbackError::InvalidPath(_))
    ));
    let server = LoopbackServer::bind().await.unwrap();
    assert_eq!(
        server.redirect_uri(),
        format!("http://127.0.0.1:{}/callback", server.local_addr().port())
    );
}

#[tokio::test]
async fn serves_requests_and_times_out() {
    let server = LoopbackServer::bind().await.unwrap();
    let addr = server.local_addr();
    let state: Arc<str> = "s1".into();
    let send = |raw: &'static str| async move {
        let stream = TcpStream::connect(addr).await.unwrap();
        write_all(&stream, raw.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = read_some(&stream, &mut chunk).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8(answer).unwrap()
    };
    let waiting = server.wait_for(Arc::clone(&state), Duration::from_secs(10));
    let browser = async {
        // An idle connection (a browser's preconnect) does not block others.
        let _idle = TcpStream::connect(addr).await.unwrap();
        let stray = send("GET /callback?code=x&state=nope HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(stray.starts_with("HTTP/1.1 400"), "{stray}");
        let body = "code=c1&state=s1";
        let raw = format!(
            "POST /callback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let page = send(Box::leak(raw.into_boxed_str())).await;
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains("You can close this tab"), "{page}");
    };
    let (callback, ()) = tokio::join!(waiting, browser);
    let callback = callback.unwrap();
    assert_eq!(callback.state(), Some("s1"));
    assert_eq!(callback.received_by(), crate::ResponseMode::FormPost);

    let timed_out = server.wait_for(state, Duration::from_millis(50)).await;
    assert!(matches!(timed_out, Err(LoopbackError::Timeout(_))));
}

/// A callback request carrying `state=s1`, as a browser sends it.
const CALLBACK: &str = "GET /callback?code=c1&state=s1 HTTP/1.1\r\nHost: x\r\n\r\n";

/// Issue 13 item 10: a timeout too long to be a point in time waits
/// without limit instead of panicking on the deadline's arithmetic.
#[tokio::test]
async fn an_enormous_timeout_waits_without_panicking() {
    let server = LoopbackServer::bind().await.unwrap();
    let waiting = server.wait_for("s1".into(), Duration::MAX);
    tokio::pin!(waiting);
    let early = tokio::time::timeout(Duration::from_millis(100), &mut waiting).await;
    assert!(early.is_err(), "still waiting: {early:?}");
    // And it still takes the response.
    let browser = TcpStream::connect(server.local_addr()).await.unwrap();
    write_all(&browser, CALLBACK.as_bytes()).await.unwrap();
    let callback = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("served")
        .unwrap();
    assert_eq!(callback.state(), Some("s1"));
}

/// Issue 13 item 10: connections beyond the cap wait in the system's queue
/// until one being served ends, then are served in turn.
#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    let server = LoopbackServer::bind().await.unwrap();
    let addr = server.local_addr();
    let waiting = server.wait_for("s1".into(), Duration::from_secs(30));
    tokio::pin!(waiting);
    let mut idle = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    // The server runs while `waiting` is polled: let it take them all.
    let _ = tokio::time::timeout(Duration::from_millis(300), &mut waiting).await;
    let browser = TcpStream::connect(addr).await.unwrap();
    write_all(&browser, CALLBACK.as_bytes()).await.unwrap();
    let served = tokio::time::timeout(Duration::from_millis(300), &mut waiting).await;
    assert!(served.is_err(), "one connection too many was served");
    // One idle connection closes: the browser's turn.
    drop(idle.pop());
    let callback = tokio::time::timeout(Duration::from_secs(5), &mut waiting)
        .await
        .expect("served once a connection ended")
        .unwrap();
    assert_eq!(callback.state(), Some("s1"));
}

#[test]
fn accept_errors_are_classified() {
    use io::ErrorKind as Kind;
    for kind in [
        Kind::ConnectionAborted,
        Kind::ConnectionReset,
        Kind::Interrupted,
    ] {
        assert_eq!(classify(&kind.into()), AcceptFailure::Connection, "{kind}");
    }
    assert_eq!(classify(&Kind::OutOfMemory.into()), AcceptFailure::Shortage);
    assert_eq!(classify(&Kind::InvalidInput.into()), AcceptFailure::Fatal);
    #[cfg(unix)]
    {
        let os = io::Error::from_raw_os_error;
        assert_eq!(classify(&os(libc::EMFILE)), AcceptFailure::Shortage);
        assert_eq!(classify(&os(libc::ENFILE)), AcceptFailure::Shortage);
        assert_eq!(classify(&os(libc::ECONNABORTED)), AcceptFailure::Connection);
        assert_eq!(classify(&os(libc::EPROTO)), AcceptFailure::Connection);
        assert_eq!(classify(&os(libc::EBADF)), AcceptFailure::Fatal);
        assert_eq!(classify(&os(libc::EINVAL)), AcceptFailure::Fatal);
    }
}

/// Tells [`out_of_descriptors_child`] it runs in its own process.
#[cfg(unix)]
const CHILD: &str = "OIDC_CORE_LOOPBACK_OUT_OF_DESCRIPTORS_CHILD";

/// Issue 13 item 10: a transient `accept()` error (here EMFILE, the process
/// out of file descriptors) does not end the sign-in. The limit is lowered
/// in a child process, since it holds for every thread of the process.
#[cfg(unix)]
#[test]
fn running_out_of_file_descriptors_does_not_end_the_wait() {
    let name = "loopback::tests::out_of_descriptors_child";
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--ignored", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the child test ran: {stdout}");
}

#[cfg(unix)]
#[tokio::test]
#[ignore = "run in a child process by running_out_of_file_descriptors_does_not_end_the_wait: it lowers the process's file descriptor limit"]
async fn out_of_descriptors_child() {
    use std::os::fd::AsRawFd;
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let server = LoopbackServer::bind().await.unwrap();
    let browser = TcpStream::connect(server.local_addr()).await.unwrap();
    write_all(&browser, CALLBACK.as_bytes()).await.unwrap();
    // `open` returns the lowest free descriptor, so every one below it is in
    // use: with the limit just above it, accepting needs this one back.
    let spare = std::fs::File::open("/dev/null").unwrap();
    let lowest_free = u64::try_from(spare.as_raw_fd()).unwrap();
    let (_, hard) = rlimit::Resource::NOFILE.get().unwrap();
    rlimit::Resource::NOFILE.set(lowest_free + 1, hard).unwrap();
    assert!(
        std::fs::File::open("/dev/null").is_err(),
        "out of descriptors"
    );

    let waiting = server.wait_for("s1".into(), Duration::from_secs(10));
    let freeing = async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(spare);
    };
    let (callback, ()) = tokio::join!(waiting, freeing);
    assert_eq!(callback.unwrap().state(), Some("s1"));
}
