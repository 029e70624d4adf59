use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
