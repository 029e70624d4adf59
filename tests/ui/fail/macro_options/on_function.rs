use oidc_core::oidc_client;

#[oidc_client(issuer = "https://login.example.com")]
fn auth() {}

fn main() {}
