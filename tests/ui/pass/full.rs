//! Every option at once: literal issuer, scopes, response mode, prompt,
//! auth method, roles by name, `env`, `default` and an extra field.

use oidc_core::{ClientSecret, OidcConfig, Prompt, ResponseMode, Url, oidc_client};

#[oidc_client(
    issuer = "https://login.example.com",
    scopes("openid", "email", "profile"),
    response_mode = "query",
    prompt = "login",
    auth_method = "client_secret_basic",
)]
struct Auth {
    #[oidc(env = "AUTH_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "AUTH_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "AUTH_REDIRECT_URI", default = "http://localhost:3000/callback")]
    redirect_uri: Url,
    #[oidc(env = "APP_NAME", default = "demo")]
    app_name: String,
    #[oidc(env = "APP_PORT", default = 3000)]
    port: u16,
}

fn main() {
    let auth = Auth::from_lookup(|name| match name {
        "AUTH_CLIENT_ID" => Some("my-client".to_owned()),
        "AUTH_CLIENT_SECRET" => Some("hunter2".to_owned()),
        _ => None,
    })
    .unwrap();
    assert_eq!(auth.app_name, "demo");
    assert_eq!(auth.port, 3000);
    assert_eq!(Auth::DEFAULT_PROMPT, Some(Prompt::Login));
    let config = auth.client_config().unwrap();
    assert_eq!(config.client_id(), "my-client");
    assert_eq!(config.redirect_uri(), "http://localhost:3000/callback");
    assert_eq!(config.configured_response_mode(), ResponseMode::Query);
    let shown = format!("{auth:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    let _ = Auth::from_env();
    let _discover = auth.discover();
}
