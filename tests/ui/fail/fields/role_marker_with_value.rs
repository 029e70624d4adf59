use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    #[oidc(client_id = "my-client")]
    id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
