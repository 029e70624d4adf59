// No `Display` means no `to_string()` either.
use oidc_core::ClientSecret;

fn main() {
    let secret = ClientSecret::new("hunter2");
    let _leak: String = secret.to_string();
}
