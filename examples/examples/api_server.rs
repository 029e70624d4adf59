//! An API (resource server) that accepts the provider's JWT access tokens
//! (RFC 9068) as `Authorization: Bearer` tokens.
//!
//! | Variable | Required | Default |
//! | --- | --- | --- |
//! | `API_ISSUER` | yes | |
//! | `API_AUDIENCE` | no | `API_ISSUER` + `/api` (the dev provider's access token audience) |
//! | `API_ADDR` | no | `127.0.0.1:4000` |
//!
//! Routes:
//!
//! | Route | Needs |
//! | --- | --- |
//! | `GET /` | nothing: says how to call the API |
//! | `GET /api/me` | a valid access token: answers its `sub`, `client_id` and scopes |
//! | `GET /api/profile` | a valid access token granted the `profile` scope |
//!
//! Failures answer as RFC 6750 says: 401 with `WWW-Authenticate: Bearer
//! realm="example-api"` without a token, `error="invalid_token"` for a token
//! that does not verify (expired, for another API, from another issuer, an
//! ID token, a bad signature), 403 `error="insufficient_scope"` without
//! `profile`, 400 `error="invalid_request"` for a malformed header.
//!
//! Try it with the dev provider and the command-line login:
//!
//! ```sh
//! cargo run -p oidc-dev-provider -- --client 'cli::http://127.0.0.1/callback' &
//! API_ISSUER=http://127.0.0.1:9000 cargo run --example api_server &
//! TOKEN=$(cargo run -q --example cli_login -- --issuer http://127.0.0.1:9000 \
//!     --client-id cli --scopes "openid email profile" --print-access-token | sed -n 's/^access_token: //p')
//! curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:4000/api/me
//! curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:4000/api/profile
//! curl -i http://127.0.0.1:4000/api/me          # 401 with WWW-Authenticate
//! ```

use axum::routing::get;
use axum::{Json, Router};
use oidc_core::web::{Bearer, ScopeSet};
use oidc_core::{AccessTokenVerifier, ResourceServerConfig};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::ExitCode;

/// The scopes `GET /api/profile` requires.
struct ProfileScope;

impl ScopeSet for ProfileScope {
    const SCOPES: &'static [&'static str] = &["profile"];
}

async fn index() -> &'static str {
    "Call GET /api/me or GET /api/profile with `Authorization: Bearer <access token>`.\n"
}

/// Any valid access token.
async fn me(token: Bearer) -> Json<Value> {
    Json(json!({
        "sub": token.sub,
        "client_id": token.client_id,
        "scopes": token.scopes,
    }))
}

/// A valid access token granted `profile`.
async fn profile(token: Bearer<ProfileScope>) -> Json<Value> {
    Json(json!({
        "sub": token.sub,
        "message": "you may read profiles",
    }))
}

/// The API's routes, with the verifier as their state.
fn app(verifier: AccessTokenVerifier) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/api/me", get(me))
        .route("/api/profile", get(profile))
        .with_state(verifier)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info,oidc_core=debug".into()),
        )
        .init();

    let Some(issuer) = std::env::var("API_ISSUER")
        .ok()
        .filter(|v| !v.trim().is_empty())
    else {
        eprintln!(
            "API_ISSUER is required: the issuer of the access tokens, e.g. http://127.0.0.1:9000"
        );
        return ExitCode::from(2);
    };
    let audience = std::env::var("API_AUDIENCE").unwrap_or_else(|_| format!("{issuer}/api"));
    let addr = match std::env::var("API_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:4000".into())
        .parse::<SocketAddr>()
    {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!("API_ADDR: {error}");
            return ExitCode::from(2);
        }
    };

    // Discovery once at start; keys are fetched on the first request and cached.
    let config = ResourceServerConfig::new(&issuer, &audience).realm("example-api");
    let verifier = match AccessTokenVerifier::discover(config).await {
        Ok(verifier) => verifier,
        Err(error) => {
            eprintln!("cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("API listening on http://{addr} (issuer {issuer}, audience {audience})");
    let served = axum::serve(listener, app(verifier))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("the server failed: {error}");
            ExitCode::FAILURE
        }
    }
}
