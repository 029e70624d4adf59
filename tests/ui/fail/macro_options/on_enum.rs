use oidc_core::oidc_client;

#[oidc_client(issuer = "https://login.example.com")]
enum Auth {
    Google { client_id: String },
    Github { client_id: String },
}

fn main() {}
