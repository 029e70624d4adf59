use oidc_core::{ClientSecret, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
    #[oidc(redirect_uri)]
    callback_port: u16,
}

fn main() {}
