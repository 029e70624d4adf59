//! Device sign-in (RFC 8628) for a TV, an SSH session, a container or a
//! command-line tool: no browser comes back to the program, so it shows a
//! URL and a code, the user signs in on another device, and the program
//! polls the provider until they approve.
//!
//! | Variable | Required | Default |
//! | --- | --- | --- |
//! | `DEVICE_ISSUER` | yes | |
//! | `DEVICE_CLIENT_ID` | yes | |
//! | `DEVICE_CLIENT_SECRET` | no | none: a public client, which sends only its `client_id` |
//! | `DEVICE_SCOPES` | no | `openid email` (space-separated; `openid` is always sent) |
//!
//! Try it with the dev provider (an empty secret registers a public
//! client; the device flow never uses its redirect URI):
//!
//! ```sh
//! cargo run -p oidc-dev-provider -- --client 'tv::http://127.0.0.1/unused' &
//! DEVICE_ISSUER=http://127.0.0.1:9000 DEVICE_CLIENT_ID=tv cargo run --example device_login
//! ```
//!
//! It prints the verification URL and the code (and the URL with the code
//! filled in); open it in a browser, sign in as `alice@example.com` and
//! press Allow. It then prints who signed in. Ctrl-C cancels the polling.

use oidc_core::{AuthMethod, Client, ClientConfig};
use std::process::ExitCode;

/// A required environment variable, or a message naming it.
fn required(name: &str) -> Result<String, String> {
    optional(name)
        .ok_or_else(|| format!("{name} is required (see the header of examples/device_login.rs)"))
}

fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

async fn run() -> Result<(), String> {
    let issuer = required("DEVICE_ISSUER")?;
    let client_id = required("DEVICE_CLIENT_ID")?;
    let scopes = optional("DEVICE_SCOPES").unwrap_or_else(|| "openid email".into());

    // ClientConfig asks for a redirect URI; the device flow never uses it.
    let config = ClientConfig::for_issuer(&issuer)
        .client_id(client_id)
        .redirect_uri("http://127.0.0.1/unused");
    let config = match optional("DEVICE_CLIENT_SECRET") {
        Some(secret) => config.client_secret(secret),
        None => config.auth_method(AuthMethod::None),
    };
    let client = Client::discover(config)
        .await
        .map_err(|e| format!("discovery: {e}"))?;
    let authorization = client
        .device_login()
        .scopes(scopes.split_whitespace())
        .start()
        .await
        .map_err(|e| format!("device authorization ({}): {e}", e.check_name()))?;

    let complete = authorization
        .verification_uri_complete()
        .map(|url| format!(" (or open {url})"))
        .unwrap_or_default();
    println!(
        "To sign in, open {} and enter the code {}{complete}",
        authorization.verification_uri(),
        authorization.user_code(),
    );

    // Dropping the poll future stops polling: Ctrl-C wins the select.
    let login = tokio::select! {
        login = authorization.poll() => {
            login.map_err(|e| format!("sign-in failed ({}): {e}", e.check_name()))?
        }
        _ = tokio::signal::ctrl_c() => return Err("cancelled".into()),
    };
    println!(
        "signed in: sub={} email={}",
        login.sub(),
        login.email().unwrap_or("(not shared)")
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
