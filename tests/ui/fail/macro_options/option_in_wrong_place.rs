use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com", env = "AUTH_CLIENT_ID")]
struct Auth {
    #[oidc(scopes("openid"))]
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
