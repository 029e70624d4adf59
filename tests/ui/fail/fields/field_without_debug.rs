use oidc_core::{ClientSecret, Url, oidc_client};

struct Pool;

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
    pool: Pool,
}

fn main() {}
