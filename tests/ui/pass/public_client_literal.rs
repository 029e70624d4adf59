//! A public (native or CLI) client: no secret, no environment, built as a
//! plain struct literal; usable wherever `OidcConfig` is expected.

use oidc_core::{AuthMethod, OidcConfig, Url, oidc_client};

#[oidc_client(issuer = "http://127.0.0.1:9000", auth_method = "none", response_mode = "query")]
#[derive(Clone)]
pub struct Cli {
    pub client_id: String,
    pub redirect_uri: Url,
}

fn configure<C: OidcConfig>(config: &C) -> oidc_core::ClientConfig {
    config.client_config().unwrap()
}

async fn connect(cli: &Cli) -> Result<oidc_core::Client, oidc_core::DiscoveryError> {
    cli.discover().await
}

fn main() {
    let cli = Cli {
        client_id: "cli".into(),
        redirect_uri: Url::parse("http://127.0.0.1:8765/").unwrap(),
    };
    let config = configure(&cli.clone());
    assert_eq!(config.client_id(), "cli");
    assert_eq!(Cli::DEFAULT_PROMPT, None);
    let _ = AuthMethod::None;
    let _ = connect(&cli);
    assert_eq!(format!("{cli:?}"), "Cli { client_id: \"cli\", redirect_uri: Url { scheme: \"http\", cannot_be_a_base: false, username: \"\", password: None, host: Some(Ipv4(127.0.0.1)), port: Some(8765), path: \"/\", query: None, fragment: None } }");
}
