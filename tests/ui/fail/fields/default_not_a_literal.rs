use oidc_core::{ClientSecret, Url, oidc_client};

const PORT: u16 = 3000;

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    #[oidc(env = "AUTH_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "AUTH_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "AUTH_REDIRECT_URI")]
    redirect_uri: Url,
    #[oidc(env = "PORT", default = PORT)]
    port: u16,
}

fn main() {}
