// A login receives its callback only after it sent the user to the provider.
use oidc_core::{Callback, Login, Unstarted};

fn finish(login: Login<Unstarted>, callback: Callback) {
    let _ = login.receive(callback);
}

fn main() {}
