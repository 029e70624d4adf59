//! What the whole-login benchmark's two comparison apps
//! (`src/bin/openidconnect_app.rs`, `src/bin/floor_app.rs`) share with each
//! other: the session layer, the pending-login cookie's contents, the
//! signed-in page, the server loop and the process's start and exit, so
//! that they differ only in how they sign the user in.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, PrivateCookieJar, SameSite};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::process::ExitCode;
use tower_sessions::{MemoryStore, SessionManagerLayer};

/// The sealed pending-login cookie's name (as the SDK's glue names it).
pub const PENDING_COOKIE: &str = "__Host-oidc_pending";

/// The session key of the signed-in user.
pub const USER_KEY: &str = "user";

/// What the sealed cookie carries between `/login` and the callback.
#[derive(Serialize, Deserialize)]
pub struct Pending {
    /// The `state` sent to the provider.
    pub state: String,
    /// The `nonce` sent to the provider.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
}

/// The signed-in user and their tokens, as the session keeps them.
#[derive(Serialize, Deserialize)]
pub struct User {
    /// The user's `sub`.
    pub sub: String,
    /// The user's email, if shared.
    pub email: Option<String>,
    /// The access token.
    pub access_token: String,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// The ID token, as received.
    pub id_token: Option<String>,
    /// The access token's lifetime in seconds, if given.
    pub expires_in: Option<u64>,
}

/// `/login`'s answer: `pending` sealed in the cookie (`SameSite=None`: the
/// `form_post` callback is a cross-site POST), and the redirect to the
/// provider's `authorization_url`.
pub fn redirect_to_provider(
    jar: PrivateCookieJar,
    pending: &Pending,
    authorization_url: &str,
) -> Response {
    let Ok(value) = serde_json::to_string(pending) else {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, "pending login");
    };
    let cookie = Cookie::build((PENDING_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::None)
        .max_age(cookie::time::Duration::minutes(10));
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        jar.add(cookie),
        Redirect::to(authorization_url),
    )
        .into_response()
}

/// The callback's pending login, taken out of the jar (the cookie is
/// deleted in the answer), or `None` without one.
pub fn take_pending(jar: PrivateCookieJar) -> Option<(Pending, PrivateCookieJar)> {
    let pending = jar
        .get(PENDING_COOKIE)
        .and_then(|c| serde_json::from_str::<Pending>(c.value()).ok())?;
    Some((pending, jar.remove(Cookie::build(PENDING_COOKIE).path("/"))))
}

/// The in-memory session layer with `axum_login`'s cookie attributes.
pub fn session_layer() -> SessionManagerLayer<MemoryStore> {
    SessionManagerLayer::new(MemoryStore::default())
        .with_name("__Host-session")
        .with_secure(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
}

/// The home page: the signed-in user, or a sign-in link.
pub fn home_page(user: Option<&User>) -> Html<String> {
    Html(match user {
        Some(user) => format!(
            "<!DOCTYPE html><title>Signed in</title><p>Signed in as <strong>{}</strong> ({})</p>",
            html_escape::encode_text(user.email.as_deref().unwrap_or("no email")),
            html_escape::encode_text(&user.sub),
        ),
        None => "<!DOCTYPE html><title>Home</title><p><a href=\"/login\">Sign in</a></p>".into(),
    })
}

/// A refused login: logged, and a fixed page.
pub fn fail(status: StatusCode, what: impl std::fmt::Display) -> Response {
    tracing::warn!(%what, "login refused");
    (status, "Sign-in failed.").into_response()
}

/// An environment variable, or an error naming it.
pub fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

/// Serves `router` on `addr` until Ctrl-C (SIGINT), after printing the
/// `listening on` line the benchmark waits for.
pub async fn serve(router: Router, addr: SocketAddr) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("listen on {addr}: {e}"))?;
    println!("listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

/// Logs to stdout at `RUST_LOG` (default `info`), as `axum_login` does.
pub fn init_logs() {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();
}

/// The process's exit: success, or the error on stderr.
pub fn exit(name: &str, result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
