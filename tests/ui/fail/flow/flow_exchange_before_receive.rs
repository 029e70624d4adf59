// The callback's `state` must be checked (`receive`) before the code is
// exchanged.
use oidc_core::{Login, Redirected};

async fn finish(login: Login<Redirected>) {
    let _ = login.exchange().await;
}

fn main() {}
