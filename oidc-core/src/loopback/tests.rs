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
