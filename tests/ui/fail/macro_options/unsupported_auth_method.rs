use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com", auth_method = "tls_client_auth")]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
