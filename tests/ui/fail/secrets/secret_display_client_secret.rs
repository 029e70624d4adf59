// Secrets have no `Display`: they cannot end up in a log line by accident.
use oidc_core::ClientSecret;

fn main() {
    let secret = ClientSecret::new("hunter2");
    println!("client secret: {}", secret);
}
