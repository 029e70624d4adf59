// Each step consumes the login: a callback cannot be received twice.
use oidc_core::{Callback, Login, Redirected};

fn twice(login: Login<Redirected>, first: Callback, second: Callback) {
    let _ = login.receive(first);
    let _ = login.receive(second);
}

fn main() {}
