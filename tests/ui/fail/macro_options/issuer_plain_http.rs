use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "http://login.example.com")]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
