use oidc_core::{ClientSecret, Url, oidc_client};

#[oidc_client(issuer = "https://login.example.com")]
struct Auth(String, ClientSecret, Url);

fn main() {}
