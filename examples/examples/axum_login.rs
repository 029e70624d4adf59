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
//! | `OIDC_AUTH_METHOD` | no | from the provider's metadata: `client_secret_post` if listed, else `client_secret_basic`; `client_secret_jwt` also works (`private_key_jwt` needs a key, which this app does not load) |
//! | `OIDC_ISSUER_POLICY` | no | `exact`; `google` or `entra_multi_tenant` for those providers (see README, "Provider recipes") |
//! | `OIDC_USERINFO` | no | `when_needed`; `never` when the access token is for another API (Entra with a resource scope) |
//! | `OIDC_AUDIENCE` | no | none; sent as `audience` (Auth0: the API the access token is for) |
//! | `APP_ADDR` | no | `127.0.0.1:3000` |
//! | `APP_COOKIE_KEY` | no | random at start; base64 of 32+ random bytes (`openssl rand -base64 64`), or a comma-separated list `NEW,OLD` to rotate. Instances sharing it can finish each other's logins |
//! | `APP_REDIS_URL` | no | none: sessions, used `state`s and back-channel logouts stay in this process's memory. `redis://[user:password@]host[:port][/db]`: shared on Redis with every instance given the same URL (set the same `APP_COOKIE_KEY` too) |
//! | `APP_BACKCHANNEL_LOGOUT_PATH` | no | none (off); e.g. `/backchannel-logout`: serves back-channel logout there (register `https://your.app/backchannel-logout` as the client's `backchannel_logout_uri`) |
//!
//! ```sh
//! cargo run -p oidc-dev-provider &     # issuer http://127.0.0.1:9000, client demo-client
//! OIDC_ISSUER=http://127.0.0.1:9000 OIDC_CLIENT_ID=demo-client OIDC_CLIENT_SECRET=demo-secret \
//! OIDC_REDIRECT_URI=http://localhost:3000/callback cargo run --example axum_login
//! ```
//!
//! Several instances behind a load balancer: start each with the same
//! `APP_REDIS_URL` and `APP_COOKIE_KEY`. A login started on one instance
//! finishes on any other, a session is seen by all of them and survives a
//! restart, a callback is accepted once across all of them, and a
//! back-channel logout delivered to one ends the session on every one.
//!
//! The four `OIDC_` variables marked required are all a standard provider
//! needs: the ID token algorithms and the token endpoint method are read
//! from its discovery document (and logged). A missing or invalid variable
//! stops the program at start, naming every one that is wrong.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use examples::home_page;
use oidc_core::redis::RedisStore;
use oidc_core::web::{Oidc, SignedIn, memory_session_layer, redis_session_layer};
use oidc_core::{
    AuthMethod, ClientSecret, IssuerPolicy, OidcConfig, ResponseMode, SealingKey, Url,
    UserInfoPolicy, oidc_client,
};
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
    #[oidc(env = "OIDC_AUTH_METHOD")]
    auth_method: Option<AuthMethod>,
    #[oidc(env = "OIDC_ISSUER_POLICY", default = "exact")]
    issuer_policy: IssuerPolicy,
    #[oidc(env = "OIDC_USERINFO", default = "when_needed")]
    userinfo: UserInfoPolicy,
    #[oidc(env = "OIDC_AUDIENCE")]
    audience: Option<String>,
    #[oidc(env = "APP_ADDR", default = "127.0.0.1:3000")]
    addr: SocketAddr,
    #[oidc(env = "APP_COOKIE_KEY", redact)]
    cookie_key: Option<SealingKey>,
    // Redacted: the URL may hold Redis's password.
    #[oidc(env = "APP_REDIS_URL", redact)]
    redis_url: Option<String>,
    #[oidc(env = "APP_BACKCHANNEL_LOGOUT_PATH")]
    backchannel_logout_path: Option<String>,
}

impl Settings {
    /// The client configuration: the struct's roles, plus the settings
    /// read at run time.
    fn checked_config(&self) -> Result<oidc_core::ClientConfig, String> {
        let mut config = self
            .client_config()
            .map_err(|e| e.to_string())?
            .response_mode(self.response_mode)
            .issuer_policy(self.issuer_policy)
            .userinfo(self.userinfo)
            .scopes(self.scopes.split_whitespace());
        match self.auth_method {
            Some(AuthMethod::None) => {
                return Err("OIDC_AUTH_METHOD: this app is a confidential client; \
                            use client_secret_post or client_secret_basic, or leave it unset"
                    .into());
            }
            Some(AuthMethod::PrivateKeyJwt) => {
                return Err(
                    "OIDC_AUTH_METHOD: private_key_jwt needs the client's private key \
                            (ClientConfig::private_key), which this app does not load; \
                            use a secret method, or leave it unset"
                        .into(),
                );
            }
            Some(method) => config = config.auth_method(method),
            None => {}
        }
        if let Some(audience) = &self.audience {
            config = config.authorization_param("audience", audience);
        }
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
    let redis = match &settings.redis_url {
        None => None,
        // The error names the failure, never the URL (it may hold a password).
        Some(url) => match RedisStore::connect(url).await {
            Ok(redis) => Some(redis),
            Err(e) => {
                eprintln!("axum_login cannot use APP_REDIS_URL: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let mut oidc = match Oidc::discover(config).await {
        Ok(oidc) => oidc,
        Err(e) => {
            eprintln!("axum_login cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(key) = settings.cookie_key {
        oidc = oidc.sealing_key(key);
    } else if settings.redis_url.is_some() {
        tracing::warn!(
            "APP_REDIS_URL is set without APP_COOKIE_KEY: logins started on this instance \
             can only finish here"
        );
    }
    if let Some(path) = settings.backchannel_logout_path {
        oidc = oidc.backchannel_logout_path(path);
    }
    if let Some(redis) = &redis {
        oidc = oidc.with_redis(redis);
    }
    let app = Router::new().route("/", get(home)).merge(oidc.routes());
    // Without Redis, everything stays in this process, as for one instance.
    let app = match &redis {
        Some(redis) => app.layer(redis_session_layer(redis)),
        None => app.layer(memory_session_layer()),
    }
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
