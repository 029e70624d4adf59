//! An API (resource server) that accepts the provider's JWT access tokens
//! (RFC 9068) as `Authorization: Bearer` tokens, and, given introspection
//! credentials, its opaque access tokens too (RFC 7662).
//!
//! | Variable | Required | Default |
//! | --- | --- | --- |
//! | `API_ISSUER` | yes | |
//! | `API_AUDIENCE` | no | `API_ISSUER` + `/api` (the dev provider's access token audience) |
//! | `API_ADDR` | no | `127.0.0.1:4000` |
//! | `API_INTROSPECTION_CLIENT_ID`, `API_INTROSPECTION_CLIENT_SECRET` | no (both or neither) | unset: JWT access tokens only |
//!
//! With `API_INTROSPECTION_CLIENT_ID` and `API_INTROSPECTION_CLIENT_SECRET`
//! (a confidential client registered at the provider for the API), tokens
//! that are not JWTs are checked at the provider's `introspection_endpoint`
//! ([`TokenValidation::Auto`]); JWTs are still verified locally. Answers
//! are cached for up to 60 s, so a revoked token may be accepted that long.
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
//!
//! With opaque access tokens, introspected as the client `api`:
//!
//! ```sh
//! cargo run -p oidc-dev-provider -- --opaque-access-tokens \
//!     --client 'reports:s3cret:http://127.0.0.1/unused' --client 'api:api-secret:http://127.0.0.1/unused' &
//! API_ISSUER=http://127.0.0.1:9000 API_INTROSPECTION_CLIENT_ID=api \
//!     API_INTROSPECTION_CLIENT_SECRET=api-secret cargo run --example api_server &
//! SERVICE_ISSUER=http://127.0.0.1:9000 SERVICE_CLIENT_ID=reports SERVICE_CLIENT_SECRET=s3cret \
//!     cargo run --example service_client
//! ```

use axum::routing::get;
use axum::{Json, Router};
use oidc_core::web::{Bearer, ScopeSet};
use oidc_core::{AccessTokenVerifier, ResourceServerConfig, TokenValidation};
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
    let mut config = ResourceServerConfig::new(&issuer, &audience).realm("example-api");
    let variable = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match (
        variable("API_INTROSPECTION_CLIENT_ID"),
        variable("API_INTROSPECTION_CLIENT_SECRET"),
    ) {
        (Some(client_id), Some(secret)) => {
            config = config
                .token_validation(TokenValidation::Auto)
                .introspection_client(client_id, secret);
        }
        (None, None) => {}
        _ => {
            eprintln!(
                "set both API_INTROSPECTION_CLIENT_ID and API_INTROSPECTION_CLIENT_SECRET, or neither"
            );
            return ExitCode::from(2);
        }
    }
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
    println!(
        "API listening on http://{addr} (issuer {issuer}, audience {audience}, tokens: {:?})",
        verifier.token_validation()
    );
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
