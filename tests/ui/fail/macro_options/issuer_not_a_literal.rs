use oidc_core::{ClientSecret, Url, oidc_client};

const ISSUER: &str = "https://login.example.com";

#[oidc_client(issuer = ISSUER)]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
