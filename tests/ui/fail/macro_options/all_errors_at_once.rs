// Every mistake of one struct is reported in the same compile.
use oidc_core::{ClientSecret, oidc_client};

#[oidc_client(issuer = "http://login.example.com", scopes("email"), prompt = "signup")]
struct Auth {
    #[oidc(env = "AUTH_CLIENT_ID", defualt = "x")]
    client_id: String,
    #[oidc(env = "AUTH_CLIENT_SECRET")]
    client_secret: ClientSecret,
}

fn main() {
    // No second wall of errors from uses of the broken struct.
    let auth = Auth::from_env().unwrap();
    println!("{auth:?}");
}
