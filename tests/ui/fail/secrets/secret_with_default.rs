use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    #[oidc(env = "AUTH_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "AUTH_CLIENT_SECRET", default = "dev-secret")]
    client_secret: ClientSecret,
    #[oidc(env = "AUTH_REDIRECT_URI")]
    redirect_uri: Url,
}

fn main() {}
