// Tokens have no `Display`; `.secret()` is the explicit, greppable way out.
use oidc_core::AccessToken;

fn log(token: &AccessToken) -> String {
    format!("Bearer {token}")
}

fn main() {}
