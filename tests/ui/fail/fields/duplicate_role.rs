use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    client_id: String,
    #[oidc(client_id)]
    app_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
}

fn main() {}
