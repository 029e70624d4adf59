//! The reference web application: sign in with any OpenID Provider,
//! configured entirely from the environment.
//!
//! | Variable | Required | Default |
//! | --- | --- | --- |
//! | `OIDC_ISSUER` | yes | |
//! | `OIDC_CLIENT_ID` | yes | |
//! | `OIDC_CLIENT_SECRET` | yes | |
//! | `OIDC_REDIRECT_URI` | yes | (its path is the callback route) |
//! | `OIDC_RESPONSE_MODE` | no | `form_post` (or `query`) |
//! | `OIDC_SCOPES` | no | `openid email` |
//! | `OIDC_AUTH_METHOD` | no | `client_secret_post` (or `client_secret_basic`) |
//! | `APP_ADDR` | no | `127.0.0.1:3000` |
//! | `APP_COOKIE_KEY` | no | random at start; base64 of 32 bytes. Instances sharing it can finish each other's logins |
//!
//! ```sh
//! cargo run -p oidc-dev-provider &     # issuer http://127.0.0.1:9000, client demo-client
//! OIDC_ISSUER=http://127.0.0.1:9000 OIDC_CLIENT_ID=demo-client OIDC_CLIENT_SECRET=demo-secret \
//! OIDC_REDIRECT_URI=http://localhost:3000/callback cargo run --example axum_login
//! ```
//!
//! A missing or invalid variable stops the program at start, naming every
//! one that is wrong.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use examples::home_page;
use oidc_core::web::{Oidc, SignedIn, memory_session_layer};
use oidc_core::{AuthMethod, ClientConfig, ResponseMode, SealingKey};
use std::net::SocketAddr;
use std::process::ExitCode;

/// Everything the app reads from the environment.
struct Settings {
    config: ClientConfig,
    addr: SocketAddr,
    cookie_key: Option<SealingKey>,
}

/// Reads the settings, collecting every problem instead of stopping at the first.
fn settings_from_env() -> Result<Settings, Vec<String>> {
    let mut problems = Vec::new();
    let mut required = |name: &str| match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value,
        _ => {
            problems.push(format!("{name} is required"));
            String::new()
        }
    };
    let issuer = required("OIDC_ISSUER");
    let client_id = required("OIDC_CLIENT_ID");
    let client_secret = required("OIDC_CLIENT_SECRET");
    let redirect_uri = required("OIDC_REDIRECT_URI");
    let optional =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());

    let response_mode = optional("OIDC_RESPONSE_MODE", "form_post")
        .parse::<ResponseMode>()
        .map_err(|e| problems.push(format!("OIDC_RESPONSE_MODE: {e}")))
        .unwrap_or_default();
    let auth_method = match optional("OIDC_AUTH_METHOD", "client_secret_post").parse::<AuthMethod>()
    {
        Ok(AuthMethod::None) => {
            problems.push("OIDC_AUTH_METHOD: this app is a confidential client; use client_secret_post or client_secret_basic".into());
            AuthMethod::default()
        }
        Ok(method) => method,
        Err(e) => {
            problems.push(format!("OIDC_AUTH_METHOD: {e}"));
            AuthMethod::default()
        }
    };
    let scopes: Vec<String> = optional("OIDC_SCOPES", "openid email")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let addr = optional("APP_ADDR", "127.0.0.1:3000")
        .parse::<SocketAddr>()
        .map_err(|e| problems.push(format!("APP_ADDR: {e}")))
        .ok();
    let cookie_key = match std::env::var("APP_COOKIE_KEY") {
        Ok(encoded) => SealingKey::from_base64(&encoded)
            .map_err(|e| problems.push(format!("APP_COOKIE_KEY: {e}")))
            .ok(),
        Err(_) => None,
    };

    let config = ClientConfig::new(issuer, client_id, redirect_uri)
        .client_secret(client_secret)
        .scopes(scopes)
        .response_mode(response_mode)
        .auth_method(auth_method);
    if problems.is_empty() {
        if let Err(e) = config.validate() {
            problems.push(e.to_string());
        }
    }
    match (problems.is_empty(), addr) {
        (true, Some(addr)) => Ok(Settings {
            config,
            addr,
            cookie_key,
        }),
        _ => Err(problems),
    }
}

async fn home(user: Option<SignedIn>) -> Html<String> {
    Html(home_page(user.as_ref().map(|u| (u.sub(), u.email()))))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();
    let settings = match settings_from_env() {
        Ok(settings) => settings,
        Err(problems) => {
            eprintln!("axum_login cannot start; fix these environment variables:");
            for problem in problems {
                eprintln!("  - {problem}");
            }
            return ExitCode::from(2);
        }
    };
    let mut oidc = match Oidc::new(settings.config).await {
        Ok(oidc) => oidc,
        Err(e) => {
            eprintln!("axum_login cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(key) = settings.cookie_key {
        oidc = oidc.sealing_key(key);
    }
    let app = Router::new()
        .route("/", get(home))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    let listener = match tokio::net::TcpListener::bind(settings.addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("axum_login cannot listen on {}: {e}", settings.addr);
            return ExitCode::from(1);
        }
    };
    // The line tests wait for: the app is ready.
    println!("listening on http://{}", settings.addr);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum_login stopped: {e}");
            ExitCode::from(1)
        }
    }
}
