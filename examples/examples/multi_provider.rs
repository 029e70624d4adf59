//! "Sign in with Alpha or Beta": one web app, two OpenID Providers (two
//! embedded dev providers), a chooser page. `cargo run --example
//! multi_provider`, then open the printed URL.
//!
//! Each provider is an `Oidc` named with `.named("alpha")`, which puts its
//! routes under `/auth/alpha/` (`login`, `callback`, `logout`); its
//! redirect URI must be `{APP_URL}/auth/alpha/callback`. `Providers`
//! mounts them all and backs `SignedInAny`, "signed in with any of them";
//! `SignedIn<Alpha>` is still there for pages of one provider.
//!
//! | variable | default | what |
//! | --- | --- | --- |
//! | `APP_ADDR` | `127.0.0.1:3000` | where the app listens; it is addressed as `http://localhost:PORT` |
//! | `ALPHA_PROVIDER_ADDR` | `127.0.0.1:9001` | the first dev provider |
//! | `BETA_PROVIDER_ADDR` | `127.0.0.1:9002` | the second dev provider |

use axum::Router;
use axum::extract::{FromRef, Query};
use axum::response::Html;
use axum::routing::get;
use examples::{escape, page};
use oidc_core::web::{Oidc, Providers, SignedIn, SignedInAny, memory_session_layer};
use oidc_core::{ClientSecret, oidc_client};
use oidc_dev_provider::{DevClient, DevProvider};
use std::collections::HashMap;
use std::net::SocketAddr;

/// One provider's configuration; both providers use this type, and
/// `Oidc::tagged` gives each its own type for `SignedIn<...>`.
#[oidc_client(scopes("openid", "email"), response_mode = "form_post")]
struct ProviderConfig {
    issuer: String,
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: String,
}

/// Names the first provider in types: `SignedIn<Alpha>`.
struct Alpha;
/// Names the second provider in types: `SignedIn<Beta>`.
struct Beta;

/// The providers as the chooser shows them: route name and label.
const PROVIDERS: [(&str, &str); 2] = [("alpha", "Alpha ID"), ("beta", "Beta Accounts")];

#[derive(Clone)]
struct AppState {
    providers: Providers,
    alpha: Oidc<Alpha>,
    beta: Oidc<Beta>,
}

// The extractors find what they need in the state: `SignedInAny` the
// `Providers`, `SignedIn<Alpha>` the `Oidc<Alpha>`.
impl FromRef<AppState> for Providers {
    fn from_ref(state: &AppState) -> Self {
        state.providers.clone()
    }
}

impl FromRef<AppState> for Oidc<Alpha> {
    fn from_ref(state: &AppState) -> Self {
        state.alpha.clone()
    }
}

impl FromRef<AppState> for Oidc<Beta> {
    fn from_ref(state: &AppState) -> Self {
        state.beta.clone()
    }
}

/// The chooser page for visitors (`SignedInAny` sends them here with
/// `?return_to=`), the account page for users.
async fn home(
    user: Option<SignedInAny>,
    Query(query): Query<HashMap<String, String>>,
) -> Html<String> {
    let Some(user) = user else {
        let return_to = query
            .get("return_to")
            .map(|to| format!("?{}", url_query("return_to", to)))
            .unwrap_or_default();
        let buttons: String = PROVIDERS
            .iter()
            .map(|(name, label)| {
                format!(
                    r#"<a class="button" id="sign-in-{name}" href="/auth/{name}/login{}">Sign in with {label}</a>"#,
                    escape(&return_to)
                )
            })
            .collect();
        return Html(page(
            "Welcome",
            &format!(
                r#"<h1>Welcome</h1><p>Choose where you have an account.</p><div class="actions">{buttons}</div>"#
            ),
        ));
    };
    let label = PROVIDERS
        .iter()
        .find(|(name, _)| *name == user.provider())
        .map_or(user.provider(), |(_, label)| label);
    Html(page(
        "Signed in",
        &format!(
            r#"<h1>You are signed in with <span id="provider">{}</span></h1>
<dl><dt>Subject (sub)</dt><dd id="sub">{}</dd><dt>Email</dt><dd id="email">{}</dd></dl>
<p><a href="/alpha">Alpha-only page</a></p>
<form method="post" action="{}" class="actions"><button id="logout" type="submit">Sign out</button></form>"#,
            escape(label),
            escape(user.sub()),
            escape(user.email().unwrap_or("(not shared)")),
            escape(user.logout_path()),
        ),
    ))
}

/// A page only Alpha's users see: others are sent to Alpha's login.
async fn alpha_only(user: SignedIn<Alpha>) -> Html<String> {
    Html(page(
        "Alpha",
        &format!(
            r#"<h1>Alpha-only page</h1><p id="alpha-sub">{}</p><p><a href="/">Back</a></p>"#,
            escape(user.sub())
        ),
    ))
}

fn url_query(name: &str, value: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish()
}

/// Starts a dev provider at `addr` with the app's client for `name`.
async fn dev_provider(
    addr: SocketAddr,
    name: &str,
    app_url: &str,
) -> Result<(DevProvider, ProviderConfig), Box<dyn std::error::Error>> {
    let client_id = format!("multi-{name}");
    let secret = format!("multi-{name}-secret");
    let redirect_uri = format!("{app_url}/auth/{name}/callback");
    let provider = DevProvider::builder()
        .bind(addr)
        .client(
            DevClient::confidential(&client_id, &secret)
                .redirect_uri(&redirect_uri)
                .post_logout_redirect_uri(format!("{app_url}/")),
        )
        .start()
        .await?;
    let config = ProviderConfig {
        issuer: provider.issuer_str().to_owned(),
        client_id,
        client_secret: ClientSecret::new(secret),
        redirect_uri,
    };
    Ok((provider, config))
}

fn addr(variable: &str, default: &str) -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let value = std::env::var(variable).unwrap_or_else(|_| default.into());
    value
        .parse()
        .map_err(|e| format!("{variable}={value} is not an address such as {default}: {e}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();

    let app_addr = addr("APP_ADDR", "127.0.0.1:3000")?;
    let app_url = format!("http://localhost:{}", app_addr.port());
    let (alpha_provider, alpha_config) = dev_provider(
        addr("ALPHA_PROVIDER_ADDR", "127.0.0.1:9001")?,
        "alpha",
        &app_url,
    )
    .await?;
    let (beta_provider, beta_config) = dev_provider(
        addr("BETA_PROVIDER_ADDR", "127.0.0.1:9002")?,
        "beta",
        &app_url,
    )
    .await?;

    let alpha = Oidc::discover(alpha_config)
        .await?
        .post_logout_redirect_uri(format!("{app_url}/"))
        .tagged::<Alpha>()
        .named("alpha")?;
    let beta = Oidc::discover(beta_config)
        .await?
        .post_logout_redirect_uri(format!("{app_url}/"))
        .tagged::<Beta>()
        .named("beta")?;
    let providers = Providers::new()
        .with(alpha.clone())?
        .with(beta.clone())?
        .chooser_path("/")?;

    let app = Router::new()
        .route("/", get(home))
        .route("/alpha", get(alpha_only))
        .merge(providers.routes())
        .layer(memory_session_layer())
        .with_state(AppState {
            providers,
            alpha,
            beta,
        });

    let listener = tokio::net::TcpListener::bind(app_addr).await?;
    println!(
        "Dev providers: alpha {}, beta {}",
        alpha_provider.issuer_str(),
        beta_provider.issuer_str()
    );
    println!("Open {app_url} and sign in with either (try alice@example.com).");
    println!("listening on {app_addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    alpha_provider.shutdown().await;
    beta_provider.shutdown().await;
    Ok(())
}
