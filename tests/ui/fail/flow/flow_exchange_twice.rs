// The authorization code is exchanged once.
use oidc_core::{CodeReceived, Login};

async fn twice(login: Login<CodeReceived>) {
    let _ = login.exchange().await;
    let _ = login.exchange().await;
}

fn main() {}
