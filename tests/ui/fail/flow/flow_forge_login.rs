// A `Login` starts from `Client::login`, never from a hand-built state.
use oidc_core::{Client, Login, Redirected};

fn forge(client: Client, state: Redirected) -> Login<Redirected> {
    Login { client, state }
}

fn main() {}
