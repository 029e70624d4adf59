//! A service that calls an API as itself: an access token from the client
//! credentials grant (RFC 6749 section 4.4), cached by `ServiceClient` until
//! 30 s before it expires, then sent as `Authorization: Bearer`.
//!
//! | Variable | Required | Default |
//! | --- | --- | --- |
//! | `SERVICE_ISSUER` | yes | |
//! | `SERVICE_CLIENT_ID` | yes | |
//! | `SERVICE_CLIENT_SECRET` | yes | |
//! | `SERVICE_SCOPES` | no | none (space-separated) |
//! | `SERVICE_API` | no | `http://127.0.0.1:4000/api/me` (`examples/api_server`) |
//!
//! Try it with the dev provider (the client needs a secret; the redirect
//! URI is unused by this grant) and the example API:
//!
//! ```sh
//! cargo run -p oidc-dev-provider -- --client 'reports:s3cret:http://127.0.0.1/unused' &
//! API_ISSUER=http://127.0.0.1:9000 cargo run --example api_server &
//! SERVICE_ISSUER=http://127.0.0.1:9000 SERVICE_CLIENT_ID=reports SERVICE_CLIENT_SECRET=s3cret \
//!     SERVICE_SCOPES="reports:read" cargo run --example service_client
//! ```
//!
//! It prints the API's answer twice: the second call reuses the cached token.

use oidc_core::{Client, ClientConfig, ServiceClient};
use std::process::ExitCode;

/// A required environment variable, or a message naming it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("{name} is required (see the header of examples/service_client.rs)"))
}

async fn run() -> Result<(), String> {
    let issuer = required("SERVICE_ISSUER")?;
    let client_id = required("SERVICE_CLIENT_ID")?;
    let secret = required("SERVICE_CLIENT_SECRET")?;
    let scopes = std::env::var("SERVICE_SCOPES").unwrap_or_default();
    let api =
        std::env::var("SERVICE_API").unwrap_or_else(|_| "http://127.0.0.1:4000/api/me".into());

    // ClientConfig asks for a redirect URI; the client credentials grant
    // never uses it.
    let config = ClientConfig::for_issuer(&issuer)
        .client_id(client_id)
        .redirect_uri("http://127.0.0.1/unused")
        .client_secret(secret);
    let client = Client::discover(config)
        .await
        .map_err(|e| format!("discovery: {e}"))?;
    let service = ServiceClient::new(client).scopes(scopes.split_whitespace());

    let http = reqwest::Client::new();
    for call in 1..=2 {
        let token = service
            .access_token()
            .await
            .map_err(|e| format!("token request ({}): {e}", e.check_name()))?;
        let response = http
            .get(&api)
            .bearer_auth(token.secret())
            .send()
            .await
            .map_err(|e| format!("{api}: {e}"))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        println!("call {call}: {status} {body}");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
