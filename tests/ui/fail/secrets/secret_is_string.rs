use oidc_core::{Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    client_id: String,
    client_secret: String,
    redirect_uri: Url,
}

fn main() {}
