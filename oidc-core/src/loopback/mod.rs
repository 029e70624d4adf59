//! Apps: sign-in for native and command-line applications with a loopback
//! redirect (RFC 8252, OAuth 2.0 for Native Apps).
//!
//! A native app cannot keep a client secret and has no web server. It
//! listens on the loopback interface on a free port, sends the user's
//! browser to the provider with `redirect_uri=http://127.0.0.1:PORT/callback`,
//! and receives the authorization response on that port. PKCE (always sent
//! by this crate) protects the code; the client is public
//! ([`AuthMethod::None`](crate::AuthMethod::None)).
//!
//! [`LoopbackServer`] is that listener: [`bind`](LoopbackServer::bind) it
//! first (the redirect URI contains its port), configure the client with
//! its [`redirect_uri`](LoopbackServer::redirect_uri), start the login, open
//! the browser, then [`receive`](LoopbackServer::receive) the response.
//!
//! ```no_run
//! use oidc_core::loopback::{DEFAULT_TIMEOUT, LoopbackServer};
//! use oidc_core::{AuthMethod, Client, ClientConfig, ResponseMode};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = LoopbackServer::bind().await?; // 127.0.0.1, a free port
//! let client = Client::discover(
//!     ClientConfig::for_issuer("https://login.example.com")
//!         .client_id("my-cli")
//!         .redirect_uri(server.redirect_uri())
//!         .auth_method(AuthMethod::None) // a public client: PKCE, no secret
//!         .response_mode(ResponseMode::Query),
//! )
//! .await?;
//! let (request, login) = client.login().redirect()?;
//! println!("Sign in at {}", request.url()); // or open the browser
//!
//! let login = tokio::select! {
//!     received = server.receive(login, DEFAULT_TIMEOUT) => received?,
//!     _ = tokio::signal::ctrl_c() => return Err("cancelled".into()),
//! };
//! let login = login.exchange().await?;
//! println!("signed in as {} ({:?})", login.sub(), login.email());
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! - Binds loopback addresses only (`127.0.0.1` by default; RFC 8252
//!   section 8.3 recommends the IP literal over `localhost`).
//! - Serves both response modes: `GET /callback?code=...` (`query`) and a
//!   `POST /callback` form (`form_post`). Which one the login expects is
//!   checked by [`Login::receive`](crate::Login::receive).
//! - Only a response carrying the login's `state` ends the wait: another
//!   local program or web page sending requests to the port gets a 400 page
//!   and cannot disturb or end the sign-in. Other paths get 404 (browsers
//!   ask for `/favicon.ico`).
//! - The browser gets a small page ("you can close this tab"), with
//!   `Cache-Control: no-store` and `Referrer-Policy: no-referrer` (the URL
//!   carries the code).
//! - Every connection has a 10 s deadline and size limits (8 KiB of
//!   headers, 32 KiB of body); the whole wait has the timeout you pass
//!   ([`DEFAULT_TIMEOUT`]: 5 minutes), reported as
//!   [`LoopbackError::Timeout`]. A timeout too long to be a point in time
//!   (`Duration::MAX`) waits without limit.
//! - At most 16 connections are served at once; more wait their turn in
//!   the system's queue, so a program holding connections open delays the
//!   browser by one connection deadline at most.
//! - A connection that fails before it is accepted (reset, aborted), or the
//!   system running out of file descriptors or buffers for a moment, does
//!   not end the wait: the listener logs it, pauses 100 ms for a shortage,
//!   and goes on. Only a listener that can no longer accept is
//!   [`LoopbackError::Accept`].
//! - Cancel (e.g. Ctrl-C) by dropping the future, as `tokio::select!` does.
//!
//! Providers must accept any port for a registered loopback redirect URI
//! (RFC 8252 section 7.3): register `http://127.0.0.1/callback`.

use crate::error::CallbackError;
use crate::flow::{Callback, CodeReceived, Login, Redirected};
use crate::util::{ct_eq, is_form_urlencoded};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long [`LoopbackServer::receive`] waits, in the examples: 5 minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The deadline for one browser connection to send its request.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(10);
/// The largest request head accepted.
const MAX_HEAD_BYTES: usize = 8 * 1024;
/// The largest request body accepted (an authorization response is small).
const MAX_BODY_BYTES: usize = 32 * 1024;
/// The most connections served at once. Further ones wait in the system's
/// accept queue, first come first served: a local program opening
/// connections cannot grow tasks and memory without bound, nor get ahead
/// of the browser's connection.
const MAX_CONNECTIONS: usize = 16;
/// The pause after the system ran out of file descriptors or buffers to
/// accept a connection: retrying at once would spin until some are freed.
const SHORTAGE_BACKOFF: Duration = Duration::from_millis(100);

/// Receiving the authorization response on the loopback interface failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoopbackError {
    /// The address is not a loopback address: the redirect must never be
    /// reachable from the network.
    #[error("{0} is not a loopback address: bind 127.0.0.1 or [::1]")]
    NotLoopback(SocketAddr),
    /// The callback path does not start with `/`.
    #[error("the callback path `{0}` must start with `/`")]
    InvalidPath(String),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// The listener can no longer accept connections. One connection
    /// failing, or a momentary shortage of file descriptors, is not this
    /// error: the wait goes on.
    #[error("the loopback listener failed: {0}")]
    Accept(io::Error),
    /// No response for this login arrived in time.
    #[error(
        "no sign-in response arrived within {}: the browser was closed or the sign-in abandoned; run the command again to retry",
        human(*.0)
    )]
    Timeout(Duration),
    /// The response arrived but was refused (see [`CallbackError`]; the
    /// user cancelling is [`CallbackError::Provider`] with `access_denied`).
    #[error(transparent)]
    Callback(#[from] CallbackError),
}

fn human(duration: Duration) -> String {
    let secs = duration.as_secs();
    match (secs / 60, secs % 60) {
        (0, 1) => "1 second".into(),
        (0, s) => format!("{s} seconds"),
        (1, 0) => "1 minute".into(),
        (m, 0) => format!("{m} minutes"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// A listener on the loopback interface that receives one login's
/// authorization response. See the [module documentation](self).
#[derive(Debug)]
pub struct LoopbackServer {
    listener: TcpListener,
    path: Arc<str>,
    redirect_uri: String,
}

impl LoopbackServer {
    /// Listens on `127.0.0.1` on a free port, for `/callback`.
    pub async fn bind() -> Result<Self, LoopbackError> {
        Self::bind_to(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), "/callback").await
    }

    /// Listens on `addr` (a loopback address; port 0 for any free port)
    /// for the callback `path`.
    pub async fn bind_to(addr: SocketAddr, path: &str) -> Result<Self, LoopbackError> {
        if !addr.ip().is_loopback() {
            return Err(LoopbackError::NotLoopback(addr));
        }
        if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
            return Err(LoopbackError::InvalidPath(path.to_owned()));
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| LoopbackError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| LoopbackError::Bind { addr, source })?;
        Ok(Self {
            listener,
            path: path.into(),
            redirect_uri: format!("http://{local}{path}"),
        })
    }

    /// The redirect URI to configure the client with:
    /// `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        // The listener is bound: local_addr only fails on a closed socket.
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// Waits up to `timeout` for the authorization response of `login`,
    /// answers the browser with a "you can close this tab" page, and checks
    /// the response with [`Login::receive`] (state, `iss`, response mode,
    /// provider errors). Then call [`Login::exchange`].
    pub async fn receive(
        &self,
        login: Login<Redirected>,
        timeout: Duration,
    ) -> Result<Login<CodeReceived>, LoopbackError> {
        let state: Arc<str> = login.pending().state().secret().into();
        let callback = self.wait_for(state, timeout).await?;
        Ok(login.receive(callback)?)
    }

    async fn wait_for(
        &self,
        state: Arc<str>,
        timeout: Duration,
    ) -> Result<Callback, LoopbackError> {
        // `None`: the timeout reaches past any point in time; no deadline.
        let deadline = Instant::now().checked_add(timeout);
        let expired = sleep_until(deadline);
        tokio::pin!(expired);
        let mut connections = JoinSet::new();
        // Set while accepting pauses after a shortage of descriptors.
        let mut paused_until: Option<Instant> = None;
        loop {
            let accepting = paused_until.is_none() && connections.len() < MAX_CONNECTIONS;
            tokio::select! {
                accepted = self.listener.accept(), if accepting => match accepted {
                    Ok((stream, _)) => {
                        let path = Arc::clone(&self.path);
                        let state = Arc::clone(&state);
                        connections.spawn(async move {
                            tokio::time::timeout(CONNECTION_DEADLINE, serve(stream, &path, &state))
                                .await
                                .ok()
                                .flatten()
                        });
                    }
                    Err(error) => match classify(&error) {
                        AcceptFailure::Connection => {
                            tracing::debug!(%error, "a connection failed before it was accepted");
                        }
                        AcceptFailure::Shortage => {
                            tracing::warn!(%error, "cannot accept a connection now; retrying shortly");
                            paused_until = Some(Instant::now() + SHORTAGE_BACKOFF);
                        }
                        AcceptFailure::Fatal => return Err(LoopbackError::Accept(error)),
                    },
                },
                () = sleep_until(paused_until), if paused_until.is_some() => paused_until = None,
                Some(done) = connections.join_next(), if !connections.is_empty() => {
                    if let Ok(Some(callback)) = done {
                        return Ok(callback);
                    }
                }
                () = &mut expired => return Err(LoopbackError::Timeout(timeout)),
            }
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// What a failed `accept()` means for the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcceptFailure {
    /// One incoming connection failed (Linux also reports the new socket's
    /// pending network errors here): accept the next one.
    Connection,
    /// The system is short of descriptors or buffers: retry after a pause.
    Shortage,
    /// The listening socket itself is unusable: give up.
    Fatal,
}

fn classify(error: &io::Error) -> AcceptFailure {
    use io::ErrorKind as Kind;
    match error.kind() {
        Kind::ConnectionAborted
        | Kind::ConnectionReset
        | Kind::ConnectionRefused
        | Kind::Interrupted
        | Kind::WouldBlock
        | Kind::TimedOut
        | Kind::HostUnreachable
        | Kind::NetworkUnreachable
        | Kind::NetworkDown
        // EPERM: a firewall rule refused this connection.
        | Kind::PermissionDenied => return AcceptFailure::Connection,
        Kind::OutOfMemory => return AcceptFailure::Shortage,
        _ => {}
    }
    // No `ErrorKind` names these yet.
    #[cfg(unix)]
    if let Some(code) = error.raw_os_error() {
        if [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM].contains(&code) {
            return AcceptFailure::Shortage;
        }
        if [libc::EPROTO, libc::ENOPROTOOPT, libc::EHOSTDOWN].contains(&code) {
            return AcceptFailure::Connection;
        }
    }
    AcceptFailure::Fatal
}

/// A parsed request: what the callback needs.
struct Request {
    method: String,
    target: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// Serves one connection; returns the callback if it carries `state`.
async fn serve(stream: TcpStream, path: &str, state: &str) -> Option<Callback> {
    let (status, title, message, callback) = match read_request(&stream).await {
        Ok(request) => route(&request, path, state),
        Err(RequestError::Io) => return None,
        Err(RequestError::Invalid(message)) => (400, "Bad request", message.to_owned(), None),
    };
    let _ = write_all(&stream, response(status, title, &message).as_bytes()).await;
    callback
}

type Routed = (u16, &'static str, String, Option<Callback>);

fn route(request: &Request, path: &str, state: &str) -> Routed {
    let (request_path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    if request_path != path {
        return (404, "Not found", "There is nothing here.".into(), None);
    }
    let parsed = match request.method.as_str() {
        "GET" => Callback::from_query(query),
        "POST" => {
            if !is_form_urlencoded(request.content_type.as_deref()) {
                return (
                    415,
                    "Bad request",
                    "Expected an application/x-www-form-urlencoded form.".into(),
                    None,
                );
            }
            Callback::from_form_post(&request.body)
        }
        _ => {
            return (
                405,
                "Bad request",
                "Only GET and POST are served here.".into(),
                None,
            );
        }
    };
    let callback = match parsed {
        Ok(callback) => callback,
        Err(error) => {
            tracing::warn!(%error, "malformed request to the loopback redirect URI");
            return (
                400,
                "Bad request",
                "This sign-in response is malformed.".into(),
                None,
            );
        }
    };
    if !callback
        .state()
        .is_some_and(|received| ct_eq(received, state))
    {
        tracing::warn!(
            "a request to the loopback redirect URI did not carry this login's state; ignored"
        );
        return (
            400,
            "Bad request",
            "This response does not belong to the sign-in in progress.".into(),
            None,
        );
    }
    let (title, message) = match callback.error() {
        None => (
            "Sign-in received",
            "You can close this tab and return to the application.".to_owned(),
        ),
        Some(error) => (
            "Sign-in did not complete",
            format!(
                "The provider answered `{error}`. You can close this tab and return to the application."
            ),
        ),
    };
    (200, title, message, Some(callback))
}

enum RequestError {
    /// The connection failed or closed: nothing to answer.
    Io,
    /// The request cannot be served: answer 400.
    Invalid(&'static str),
}

async fn read_request(stream: &TcpStream) -> Result<Request, RequestError> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(at) = find(&buffer, b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return Err(RequestError::Invalid("The request headers are too large."));
        }
        let read = read_some(stream, &mut chunk)
            .await
            .map_err(|_| RequestError::Io)?;
        if read == 0 {
            return Err(RequestError::Io);
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let mut body = buffer.split_off(head_end + 4);
    buffer.truncate(head_end);
    let head = std::str::from_utf8(&buffer)
        .map_err(|_| RequestError::Invalid("The request is not UTF-8."))?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) = (
        request_line.next(),
        request_line.next(),
        request_line.next(),
        request_line.next(),
    ) else {
        return Err(RequestError::Invalid("The request line is malformed."));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(RequestError::Invalid("Only HTTP/1.x is served here."));
    }
    let mut content_type = None;
    let mut content_length = 0usize;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(RequestError::Invalid("A header line is malformed."));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("content-length") {
            content_length = value
                .parse()
                .map_err(|_| RequestError::Invalid("Content-Length is malformed."))?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(RequestError::Invalid(
                "Chunked requests are not served here.",
            ));
        }
    }
    if content_length > MAX_BODY_BYTES {
        return Err(RequestError::Invalid("The request body is too large."));
    }
    while body.len() < content_length {
        let read = read_some(stream, &mut chunk)
            .await
            .map_err(|_| RequestError::Io)?;
        if read == 0 {
            return Err(RequestError::Io);
        }
        body.extend_from_slice(&chunk[..read]);
    }
    body.truncate(content_length);
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        content_type,
        body,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn read_some(stream: &TcpStream, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        stream.readable().await?;
        match stream.try_read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            result => return result,
        }
    }
}

async fn write_all(stream: &TcpStream, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        stream.writable().await?;
        match stream.try_write(data) {
            Ok(written) => data = &data[written..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn response(status: u16, title: &str, message: &str) -> String {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        415 => "Unsupported Media Type",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;display:flex;min-height:90vh;align-items:center;justify-content:center;color:#1d2330}}\
         main{{max-width:30rem;text-align:center}}</style></head>\
         <body><main><h1 id=\"title\">{title}</h1><p id=\"message\">{message}</p></main></body></html>\n",
        title = escape(title),
        message = escape(message),
    );
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests;
