//! `crate = "..."` for a re-exported oidc-core, generated functions with the
//! struct's visibility, and a struct defined in a module.

mod sdk {
    pub use oidc_core as oidc;
}

mod config {
    use crate::sdk::oidc::{ClientSecret, Url};

    #[crate::sdk::oidc::oidc_client(
        issuer = "https://login.example.com/tenant/v2.0",
        prompt = "select_account",
        crate = "crate::sdk::oidc",
    )]
    pub struct Auth {
        #[oidc(env = "AUTH_CLIENT_ID")]
        pub client_id: String,
        #[oidc(env = "AUTH_CLIENT_SECRET")]
        pub client_secret: ClientSecret,
        #[oidc(env = "AUTH_REDIRECT_URI")]
        pub redirect_uri: Url,
        #[oidc(env = "TYPE", default = "web")]
        pub r#type: String,
    }
}

fn main() {
    use oidc_core::OidcConfig;
    let auth = config::Auth::from_lookup(|name| Some(format!("https://app.example/{name}"))).unwrap();
    assert_eq!(auth.r#type, "https://app.example/TYPE");
    assert_eq!(config::Auth::DEFAULT_PROMPT, Some(oidc_core::Prompt::SelectAccount));
    assert_eq!(
        auth.client_config().unwrap().issuer(),
        "https://login.example.com/tenant/v2.0"
    );
    assert!(format!("{auth:?}").contains("type: "));
}
