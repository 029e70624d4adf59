use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth<T> {
    client_id: String,
    client_secret: ClientSecret,
    redirect_uri: Url,
    extra: T,
}

fn main() {}
