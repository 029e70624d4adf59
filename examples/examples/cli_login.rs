//! A command-line sign-in (RFC 8252, OAuth 2.0 for Native Apps): listens on
//! `127.0.0.1` on a free port, opens the browser at the provider, receives
//! the answer on `http://127.0.0.1:PORT/callback`, and prints who signed in.
//!
//! ```sh
//! # A provider with a public client `cli` (empty secret) for any loopback port:
//! cargo run -p oidc-dev-provider -- --client 'cli::http://127.0.0.1/callback' &
//! cargo run --example cli_login -- --issuer http://127.0.0.1:9000 --client-id cli
//! ```
//!
//! | Flag | Variable | Default |
//! | --- | --- | --- |
//! | `--issuer URL` | `OIDC_ISSUER` | required |
//! | `--client-id ID` | `OIDC_CLIENT_ID` | required |
//! | `--client-secret SECRET` | `OIDC_CLIENT_SECRET` | none: a public client (PKCE only) |
//! | `--response-mode MODE` | `OIDC_RESPONSE_MODE` | `query` (or `form_post`) |
//! | `--scopes "A B"` | `OIDC_SCOPES` | `openid email` |
//! | `--timeout SECONDS` | | 300 |
//! | `--port PORT` | | 0 (any free port) |
//! | `--no-browser` | | open the browser |
//! | `--print-access-token` | | off; prints the access token, e.g. for `api_server` |
//!
//! The provider must allow any port for the loopback redirect URI (RFC 8252
//! section 7.3): register `http://127.0.0.1/callback`. Ctrl-C cancels.
//! Exit status: 0 signed in, 1 failed, 2 bad usage, 130 cancelled.

use oidc_core::loopback::LoopbackServer;
use oidc_core::{AuthMethod, Client, ClientConfig, ResponseMode};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
Usage: cli_login --issuer URL --client-id ID [--client-secret SECRET]
                 [--response-mode query|form_post] [--scopes \"openid email\"]
                 [--timeout SECONDS] [--port PORT] [--no-browser] [--print-access-token]

Environment: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_RESPONSE_MODE, OIDC_SCOPES";

/// The command line, after flags and environment.
struct Options {
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    response_mode: ResponseMode,
    scopes: Vec<String>,
    timeout: Duration,
    port: u16,
    open_browser: bool,
    print_access_token: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut issuer = env("OIDC_ISSUER");
    let mut client_id = env("OIDC_CLIENT_ID");
    let mut client_secret = env("OIDC_CLIENT_SECRET");
    let mut response_mode = env("OIDC_RESPONSE_MODE").unwrap_or_else(|| "query".into());
    let mut scopes = env("OIDC_SCOPES").unwrap_or_else(|| "openid email".into());
    let mut timeout = 300u64;
    let mut port = 0u16;
    let mut open_browser = true;
    let mut print_access_token = false;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--issuer" => issuer = Some(value()?),
            "--client-id" => client_id = Some(value()?),
            "--client-secret" => client_secret = Some(value()?),
            "--response-mode" => response_mode = value()?,
            "--scopes" => scopes = value()?,
            "--timeout" => {
                timeout = value()?
                    .parse()
                    .map_err(|_| "--timeout takes a number of seconds".to_owned())?;
            }
            "--port" => {
                port = value()?
                    .parse()
                    .map_err(|_| "--port takes a port number".to_owned())?
            }
            "--no-browser" => open_browser = false,
            "--print-access-token" => print_access_token = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let mut missing = Vec::new();
    if issuer.is_none() {
        missing.push("--issuer (or OIDC_ISSUER)");
    }
    if client_id.is_none() {
        missing.push("--client-id (or OIDC_CLIENT_ID)");
    }
    if !missing.is_empty() {
        return Err(format!("missing {}", missing.join(" and ")));
    }
    if timeout == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    Ok(Options {
        issuer: issuer.unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        client_secret,
        response_mode: response_mode.parse()?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        timeout: Duration::from_secs(timeout),
        port,
        open_browser,
        print_access_token,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("error: {problem}\n");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    tokio::select! {
        result = sign_in(&options) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("Sign-in failed: {error}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\nSign-in cancelled (Ctrl-C). Nothing was saved; run the command again to sign in.");
            ExitCode::from(130)
        }
    }
}

async fn sign_in(options: &Options) -> Result<(), oidc_core::Error> {
    // 1. Listen first: the redirect URI carries the port.
    let server = LoopbackServer::bind_to(
        SocketAddr::from((Ipv4Addr::LOCALHOST, options.port)),
        "/callback",
    )
    .await?;

    // 2. A public client (PKCE protects the code) unless a secret is given.
    let mut config = ClientConfig::for_issuer(&options.issuer)
        .client_id(&options.client_id)
        .redirect_uri(server.redirect_uri())
        .response_mode(options.response_mode)
        .scopes(options.scopes.iter().cloned());
    config = match &options.client_secret {
        Some(secret) => config.client_secret(secret.as_str()),
        None => config.auth_method(AuthMethod::None),
    };
    let client = Client::discover(config).await?;

    // 3. Send the user to the provider.
    let (request, login) = client.login().redirect()?;
    eprintln!("Sign in with your browser:\n\n    {}\n", request.url());
    if options.open_browser
        && let Err(error) = webbrowser::open(request.url().as_str())
    {
        eprintln!("(Could not open a browser: {error}. Open the address above yourself.)");
    }
    eprintln!(
        "Waiting for the sign-in (up to {} s; Ctrl-C to cancel)...",
        options.timeout.as_secs()
    );

    // 4. Receive the answer on the loopback port, then verify the tokens.
    let login = server.receive(login, options.timeout).await?;
    let login = login.exchange().await?;

    println!("sub: {}", login.sub());
    println!("email: {}", login.email().unwrap_or("(not shared)"));
    if options.print_access_token {
        println!("access_token: {}", login.tokens().access_token.secret());
    }
    Ok(())
}
