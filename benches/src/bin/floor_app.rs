//! The floor of the whole-login benchmark: the routes of `axum_login` and
//! `openidconnect_app` on the same stack (axum, axum-extra's sealed cookie,
//! tower-sessions' `MemoryStore`, the same `reqwest` client) with no
//! OpenID Connect library and no checks: the code is exchanged and
//! UserInfo is called, but the ID token is not verified (not even
//! decoded), the `state` is compared and nothing else. What a login costs
//! an application on this stack before any security check; never a way to
//! sign anyone in. Never a dependency of the SDK.
//!
//! Configured like `axum_login`: `OIDC_ISSUER`, `OIDC_CLIENT_ID`,
//! `OIDC_CLIENT_SECRET`, `OIDC_REDIRECT_URI`, `APP_ADDR`. Prints
//! `listening on http://ADDR` when ready.

use axum::Router;
use axum::extract::{Form, FromRef, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Key, PrivateCookieJar};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidc_benches::comparison_app::{
    Pending, USER_KEY, User, env, exit, fail, home_page, init_logs, redirect_to_provider, serve,
    session_layer, take_pending,
};
use serde::Deserialize;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use url::Url;

/// The provider's endpoints (from discovery) and this client's settings.
struct Settings {
    authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Url,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
}

#[derive(Clone)]
struct App {
    settings: Arc<Settings>,
    http: reqwest::Client,
    key: Key,
}

impl FromRef<App> for Key {
    fn from_ref(app: &App) -> Key {
        app.key.clone()
    }
}

#[derive(Deserialize)]
struct CallbackForm {
    code: Option<String>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: Option<String>,
    id_token: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    email: Option<String>,
}

fn random() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

async fn login(State(app): State<App>, jar: PrivateCookieJar) -> Response {
    let pending = Pending {
        state: random(),
        nonce: random(),
        verifier: random(),
    };
    let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        pending.verifier.as_bytes(),
    ));
    let s = &app.settings;
    let mut url = s.authorization_endpoint.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &s.client_id)
        .append_pair("redirect_uri", &s.redirect_uri)
        .append_pair("scope", "openid email")
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("response_mode", "form_post");
    redirect_to_provider(jar, &pending, url.as_str())
}

async fn callback(
    State(app): State<App>,
    jar: PrivateCookieJar,
    session: Session,
    Form(form): Form<CallbackForm>,
) -> Response {
    let Some((pending, jar)) = take_pending(jar) else {
        return fail(StatusCode::BAD_REQUEST, "no pending login");
    };
    let (Some(code), Some(state)) = (form.code, form.state) else {
        return fail(StatusCode::BAD_REQUEST, "code or state missing");
    };
    if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return fail(StatusCode::BAD_REQUEST, "state mismatch");
    }
    let s = &app.settings;
    let response = app
        .http
        .post(s.token_endpoint.clone())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &s.redirect_uri),
            ("client_id", &s.client_id),
            ("client_secret", &s.client_secret),
            ("code_verifier", &pending.verifier),
        ])
        .send()
        .await;
    let tokens: Tokens = match response {
        Ok(r) if r.status().is_success() => match r.json().await {
            Ok(tokens) => tokens,
            Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
        },
        Ok(r) => return fail(StatusCode::BAD_GATEWAY, r.status()),
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    let response = app
        .http
        .get(s.userinfo_endpoint.clone())
        .bearer_auth(&tokens.access_token)
        .send()
        .await;
    let userinfo: UserInfo = match response {
        Ok(r) if r.status().is_success() => match r.json().await {
            Ok(userinfo) => userinfo,
            Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
        },
        Ok(r) => return fail(StatusCode::BAD_GATEWAY, r.status()),
        Err(e) => return fail(StatusCode::BAD_GATEWAY, e),
    };
    let user = User {
        sub: userinfo.sub,
        email: userinfo.email,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
        expires_in: tokens.expires_in,
    };
    if let Err(e) = session.cycle_id().await {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, e);
    }
    if let Err(e) = session.insert(USER_KEY, user).await {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, e);
    }
    (jar, Redirect::to("/")).into_response()
}

async fn home(session: Session) -> Html<String> {
    let user: Option<User> = session.get(USER_KEY).await.ok().flatten();
    home_page(user.as_ref())
}

/// The three endpoints of the provider's discovery document.
async fn discover(http: &reqwest::Client, issuer: &str) -> Result<(Url, Url, Url), String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let metadata: serde_json::Value = http
        .get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("discovery: {e}"))?
        .json()
        .await
        .map_err(|e| format!("discovery: {e}"))?;
    let endpoint = |name: &str| {
        metadata[name]
            .as_str()
            .and_then(|u| Url::parse(u).ok())
            .ok_or_else(|| format!("discovery: no {name}"))
    };
    Ok((
        endpoint("authorization_endpoint")?,
        endpoint("token_endpoint")?,
        endpoint("userinfo_endpoint")?,
    ))
}

async fn run() -> Result<(), String> {
    let redirect_uri = env("OIDC_REDIRECT_URI")?;
    let callback_path = Url::parse(&redirect_uri)
        .map_err(|e| format!("OIDC_REDIRECT_URI: {e}"))?
        .path()
        .to_owned();
    let addr: SocketAddr = std::env::var("APP_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3002".into())
        .parse()
        .map_err(|e| format!("APP_ADDR: {e}"))?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let (authorization_endpoint, token_endpoint, userinfo_endpoint) =
        discover(&http, &env("OIDC_ISSUER")?).await?;
    let app = App {
        settings: Arc::new(Settings {
            authorization_endpoint,
            token_endpoint,
            userinfo_endpoint,
            client_id: env("OIDC_CLIENT_ID")?,
            client_secret: env("OIDC_CLIENT_SECRET")?,
            redirect_uri,
        }),
        http,
        key: Key::generate(),
    };
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route(&callback_path, post(callback))
        .layer(session_layer())
        .with_state(app);
    serve(router, addr).await
}

#[tokio::main]
async fn main() -> ExitCode {
    init_logs();
    exit("floor_app", run().await)
}
