//! The quickstart: the embedded dev provider and a small web app, in one
//! process. `cargo run --example quickstart`, then open the printed URL.
//!
//! The provider listens on http://127.0.0.1:9000 and the app on
//! http://localhost:3000: two different sites, as in production, so the
//! `form_post` callback is a real cross-site POST.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use examples::home_page;
use oidc_core::web::{Oidc, SignedIn, memory_session_layer};
use oidc_core::{ClientSecret, oidc_client};
use oidc_dev_provider::{DevClient, DevProvider};
use std::net::SocketAddr;

const CLIENT_ID: &str = "quickstart";
const CLIENT_SECRET: &str = "quickstart-secret";
const APP_URL: &str = "http://localhost:3000";

/// The app's OpenID Connect configuration. The issuer is a field because the
/// embedded provider's address is only known at run time; with a fixed
/// provider, write `#[oidc_client(issuer = "https://login.example.com")]`.
#[oidc_client(scopes("openid", "email"), response_mode = "form_post")]
struct Auth {
    issuer: String,
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: String,
}

async fn home(user: Option<SignedIn<Auth>>) -> Html<String> {
    Html(home_page(user.as_ref().map(|u| (u.sub(), u.email()))))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();

    let provider_addr: SocketAddr = std::env::var("QUICKSTART_PROVIDER_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:9000".into())
        .parse()?;
    let provider = DevProvider::builder()
        .bind(provider_addr)
        .client(
            DevClient::confidential(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{APP_URL}/callback"))
                .post_logout_redirect_uri(format!("{APP_URL}/")),
        )
        .start()
        .await?;

    let auth = Auth {
        issuer: provider.issuer_str().to_owned(),
        client_id: CLIENT_ID.to_owned(),
        client_secret: ClientSecret::new(CLIENT_SECRET),
        redirect_uri: format!("{APP_URL}/callback"),
    };
    let oidc = Oidc::discover(auth)
        .await?
        .post_logout_redirect_uri(format!("{APP_URL}/"));

    let app = Router::new()
        .route("/", get(home))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("Dev provider: {}", provider.issuer_str());
    println!("Open {APP_URL} and sign in (try alice@example.com, or create an account).");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    provider.shutdown().await;
    Ok(())
}
