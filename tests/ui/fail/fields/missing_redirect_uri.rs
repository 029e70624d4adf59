use oidc_core::{ClientSecret, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
}

fn main() {}
