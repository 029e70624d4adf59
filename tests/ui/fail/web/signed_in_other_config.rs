// A handler asks for the signed-in user of another provider than the one
// the router's state holds: `SignedIn<Work>` needs an `Oidc<Work>` in the
// state, and there is only an `Oidc<Google>`.
use axum::Router;
use axum::routing::get;
use oidc_core::web::{Oidc, SignedIn};
use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://accounts.google.com")]
struct Google {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

#[oidc_client(issuer = "https://login.work.example.com")]
struct Work {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

async fn dashboard(user: SignedIn<Work>) -> String {
    user.sub().to_owned()
}

fn app(oidc: Oidc<Google>) -> Router {
    Router::new()
        .route("/dashboard", get(dashboard))
        .merge(oidc.routes())
        .with_state(oidc)
}

fn main() {
    let _ = app;
}
