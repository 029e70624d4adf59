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
//! | `APP_COOKIE_KEY` | no | random at start; base64 of 32+ random bytes (`openssl rand -base64 64`), or a comma-separated list `NEW,OLD` to rotate. Instances sharing it can finish each other's logins |
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
use oidc_core::{AuthMethod, ClientSecret, OidcConfig, ResponseMode, SealingKey, Url, oidc_client};
use std::net::SocketAddr;
use std::process::ExitCode;

/// Everything the app reads from the environment. `from_env()` reports
/// every missing or malformed variable at once, naming each.
#[oidc_client]
struct Settings {
    #[oidc(env = "OIDC_ISSUER")]
    issuer: String,
    #[oidc(env = "OIDC_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "OIDC_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "OIDC_REDIRECT_URI")]
    redirect_uri: Url,
    #[oidc(env = "OIDC_RESPONSE_MODE", default = "form_post")]
    response_mode: ResponseMode,
    #[oidc(env = "OIDC_SCOPES", default = "openid email")]
    scopes: String,
    #[oidc(env = "OIDC_AUTH_METHOD", default = "client_secret_post")]
    auth_method: AuthMethod,
    #[oidc(env = "APP_ADDR", default = "127.0.0.1:3000")]
    addr: SocketAddr,
    #[oidc(env = "APP_COOKIE_KEY", redact)]
    cookie_key: Option<SealingKey>,
}

impl Settings {
    /// The client configuration: the struct's roles, plus the response
    /// mode, scopes and authentication method chosen at run time.
    fn checked_config(&self) -> Result<oidc_core::ClientConfig, String> {
        if self.auth_method == AuthMethod::None {
            return Err("OIDC_AUTH_METHOD: this app is a confidential client; \
                        use client_secret_post or client_secret_basic"
                .into());
        }
        let config = self
            .client_config()
            .map_err(|e| e.to_string())?
            .response_mode(self.response_mode)
            .auth_method(self.auth_method)
            .scopes(self.scopes.split_whitespace());
        config.validate().map_err(|e| format!("OIDC_SCOPES: {e}"))?;
        Ok(config)
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
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("axum_login cannot start: {error}");
            return ExitCode::from(2);
        }
    };
    let config = match settings.checked_config() {
        Ok(config) => config,
        Err(problem) => {
            eprintln!("axum_login cannot start: {problem}");
            return ExitCode::from(2);
        }
    };
    let mut oidc = match Oidc::new(config).await {
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
