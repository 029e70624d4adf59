use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    #[oidc(env = "OIDC_ISSUER")]
    issuer: String,
    #[oidc(env = "AUTH_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "AUTH_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "AUTH_REDIRECT_URI")]
    redirect_uri: Url,
}

fn main() {}
