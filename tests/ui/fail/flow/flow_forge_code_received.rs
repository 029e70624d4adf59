// The only way to a `CodeReceived` is `Login::receive`, which checks `state`.
use oidc_core::{AuthorizationCode, CodeReceived, PendingLogin};

fn forge(pending: PendingLogin) -> CodeReceived {
    CodeReceived {
        pending,
        code: AuthorizationCode::new("stolen"),
    }
}

fn main() {}
