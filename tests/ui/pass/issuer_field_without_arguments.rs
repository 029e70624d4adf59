//! `#[oidc_client]` with no arguments: everything comes from fields.

use oidc_core::{ClientSecret, OidcConfig, Url, oidc_client};

#[oidc_client]
struct Auth {
    #[oidc(env = "OIDC_ISSUER")]
    issuer: String,
    #[oidc(env = "OIDC_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "OIDC_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "OIDC_REDIRECT_URI")]
    redirect_uri: Url,
}

fn main() {
    let auth = Auth::from_lookup(|name| match name {
        "OIDC_ISSUER" => Some("https://accounts.example.com".into()),
        "OIDC_CLIENT_ID" => Some("id".into()),
        "OIDC_CLIENT_SECRET" => Some("secret".into()),
        "OIDC_REDIRECT_URI" => Some("https://app.example.com/auth/callback".into()),
        _ => None,
    })
    .unwrap();
    // The issuer is kept exactly as given: no trailing slash added.
    assert_eq!(auth.client_config().unwrap().issuer(), "https://accounts.example.com");

    // Run-time validation still applies to values from the environment.
    let insecure = Auth { issuer: "http://accounts.example.com".into(), ..auth };
    assert!(insecure.client_config().is_err());
}
