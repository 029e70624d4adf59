// Code generic over the configuration asks for `OidcConfig`, which
// `#[oidc_client]` implements.
use oidc_core::OidcConfig;

struct Settings {
    client_id: String,
}

fn start<C: OidcConfig>(config: C) -> C {
    config
}

fn main() {
    let settings = Settings { client_id: "x".into() };
    let _ = settings.client_id;
    start(settings);
}
