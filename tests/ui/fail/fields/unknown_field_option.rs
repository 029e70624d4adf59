use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    #[oidc(evn = "AUTH_CLIENT_ID")]
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
