//! `oidc-dev-provider`: run the development OpenID Provider.
//!
//! ```text
//! cargo run -p oidc-dev-provider -- [--addr 127.0.0.1:9000] [--client ID:SECRET:REDIRECT_URI]... [--client-jwk ID=FILE]... [--profile NAME]
//!     [--opaque-access-tokens]
//! ```
//!
//! Also reads `DEV_PROVIDER_ADDR`, `DEV_PROVIDER_CLIENTS` (comma-separated
//! `ID:SECRET:REDIRECT_URI`) and `DEV_PROVIDER_PROFILE`. `--profile` picks
//! the real provider to imitate (`guide`, the default, `google`, `entra`,
//! `auth0`, `keycloak` or `apple`; see `oidc_dev_provider::Profile`). Without any client, registers the quickstart
//! client `demo-client` (secret `demo-secret`, redirect
//! `http://localhost:3000/callback`).

use std::net::SocketAddr;
use std::process::ExitCode;

use oidc_dev_provider::{DevClient, DevProvider, Profile};

const USAGE: &str = "\
Usage: oidc-dev-provider [--addr IP:PORT] [--client ID:SECRET:REDIRECT_URI]... [--profile NAME]
                         [--client-jwk ID=FILE]... [--allow-minimal-token-requests] [--opaque-access-tokens]

  --addr      address to listen on (default 127.0.0.1:9000; env DEV_PROVIDER_ADDR)
  --client    register a confidential client; repeatable
              (env DEV_PROVIDER_CLIENTS, comma-separated)
              An empty SECRET registers a public client (PKCE, no secret).
  --client-jwk
              let client ID (from --client) use private_key_jwt with the
              public JWK in FILE (JSON); repeatable
  --profile   imitate a real provider's metadata and behaviour (env
              DEV_PROVIDER_PROFILE): guide (default, the integration guide's
              provider), google, entra (multi-tenant, templated issuer),
              auth0 (issuer with a trailing slash, `audience` parameter),
              keycloak (issuer and endpoints under /realms/dev), apple
              (form_post `user` field, no UserInfo)
  --allow-minimal-token-requests
              accept token requests without grant_type and redirect_uri, as in
              the integration guide's example
  --opaque-access-tokens
              issue opaque access tokens (random strings) instead of JWTs; APIs
              check them at the introspection endpoint (RFC 7662)
Without a client, `demo-client` / `demo-secret` with redirect URI
http://localhost:3000/callback is registered.";

/// Default listening address of the binary.
const DEFAULT_ADDR: &str = "127.0.0.1:9000";

struct Options {
    addr: SocketAddr,
    clients: Vec<DevClient>,
    minimal: bool,
    opaque: bool,
    profile: Profile,
}

/// Parse `ID:SECRET:REDIRECT_URI`, splitting on the first two colons only.
fn parse_client(spec: &str) -> Result<DevClient, String> {
    let mut parts = spec.splitn(3, ':');
    let (Some(id), Some(secret), Some(redirect)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "invalid client {spec:?}: expected ID:SECRET:REDIRECT_URI"
        ));
    };
    if id.is_empty() || redirect.is_empty() {
        return Err(format!(
            "invalid client {spec:?}: expected ID:SECRET:REDIRECT_URI"
        ));
    }
    let client = if secret.is_empty() {
        DevClient::public(id)
    } else {
        DevClient::confidential(id, secret)
    };
    Ok(client.redirect_uri(redirect))
}

fn parse_args() -> Result<Options, String> {
    let mut addr = std::env::var("DEV_PROVIDER_ADDR")
        .ok()
        .filter(|a| !a.is_empty());
    let mut specs: Vec<String> = std::env::var("DEV_PROVIDER_CLIENTS")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut profile = std::env::var("DEV_PROVIDER_PROFILE")
        .ok()
        .filter(|p| !p.is_empty());
    let mut minimal = false;
    let mut opaque = false;
    let mut jwks: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--addr" => addr = Some(value("--addr")?),
            "--client" => specs.push(value("--client")?),
            "--client-jwk" => jwks.push(value("--client-jwk")?),
            "--profile" => profile = Some(value("--profile")?),
            "--allow-minimal-token-requests" => minimal = true,
            "--opaque-access-tokens" => opaque = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let addr = addr.unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let addr: SocketAddr = addr
        .parse()
        .map_err(|_| format!("invalid address {addr:?}: expected IP:PORT"))?;
    let profile = match profile {
        None => Profile::Guide,
        Some(name) => name.parse::<Profile>().map_err(|e| e.to_string())?,
    };
    let mut clients: Vec<DevClient> = if specs.is_empty() {
        vec![DevClient::demo()]
    } else {
        specs
            .iter()
            .map(|s| parse_client(s))
            .collect::<Result<_, _>>()?
    };
    for spec in &jwks {
        let (id, path) = spec
            .split_once('=')
            .ok_or_else(|| format!("invalid --client-jwk {spec:?}: expected ID=FILE"))?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--client-jwk {id}: cannot read {path:?}: {e}"))?;
        let jwk: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("--client-jwk {id}: {path:?} is not JSON: {e}"))?;
        let client = clients
            .iter_mut()
            .find(|c| c.id() == id)
            .ok_or_else(|| format!("--client-jwk {id}: no --client with that id"))?;
        *client = client.clone().jwk(jwk);
    }
    Ok(Options {
        addr,
        clients,
        minimal,
        opaque,
        profile,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut builder = DevProvider::builder()
        .bind(options.addr)
        .profile(options.profile)
        .allow_minimal_token_requests(options.minimal)
        .opaque_access_tokens(options.opaque);
    let mut lines = Vec::new();
    for client in options.clients {
        lines.push(format!(
            "  {} ({}) -> {}",
            client.id(),
            if client.is_confidential() {
                "confidential"
            } else {
                "public"
            },
            client.redirect_uris().join(", ")
        ));
        builder = builder.client(client);
    }
    let provider = match builder.start().await {
        Ok(provider) => provider,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("Dev Provider running");
    println!("  profile:   {}", provider.profile());
    println!("  issuer:    {}", provider.issuer_str());
    println!("  discovery: {}", provider.discovery_url());
    println!("clients:");
    for line in lines {
        println!("{line}");
    }
    println!("accounts:");
    for user in provider.users() {
        println!("  {} (sub {})", user.email, user.sub);
    }
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    provider.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_spec_splits_on_first_two_colons() {
        let c = parse_client("app:secret:http://localhost:3000/cb").expect("valid");
        assert_eq!(c.id(), "app");
        assert!(c.is_confidential());
        assert_eq!(c.redirect_uris(), ["http://localhost:3000/cb"]);
        let p = parse_client("cli::http://127.0.0.1:8400/cb").expect("valid");
        assert!(!p.is_confidential());
        assert!(parse_client("nope").is_err());
        assert!(parse_client("a:b").is_err());
    }
}
