//! Roles by marker instead of by name, the issuer from a field, an optional
//! secret, `Option` fields, `default` (literal and `Default`), `redact`.

use oidc_core::{ClientSecret, ConfigError, OidcConfig, oidc_client};

#[oidc_client(scopes("openid", "email"))]
struct Settings {
    #[oidc(issuer, env = "OIDC_ISSUER", default = "http://localhost:8080")]
    provider: String,
    #[oidc(client_id, env = "APP_ID")]
    id: String,
    #[oidc(client_secret, env = "APP_SECRET")]
    secret: Option<ClientSecret>,
    #[oidc(redirect_uri, default = "http://127.0.0.1:3000/cb")]
    callback: String,
    #[oidc(env = "TIMEOUT_SECS", default)]
    timeout_secs: u64,
    #[oidc(env = "DATABASE_URL", redact)]
    database_url: String,
    #[oidc(env = "GREETING")]
    greeting: Option<String>,
    #[oidc(default = -1)]
    offset: i32,
    #[oidc(default)]
    retries: u8,
    motto: Option<String>,
}

fn main() {
    let vars = |name: &str| match name {
        "APP_ID" => Some("id-1".to_owned()),
        "APP_SECRET" => Some("hunter2".to_owned()),
        "DATABASE_URL" => Some("postgres://user:pw@db/app".to_owned()),
        "TIMEOUT_SECS" => Some("30".to_owned()),
        _ => None,
    };
    let s = Settings::from_lookup(vars).unwrap();
    assert_eq!(s.provider, "http://localhost:8080");
    assert_eq!((s.timeout_secs, s.offset, s.retries), (30, -1, 0));
    assert_eq!((s.greeting.as_deref(), s.motto.as_deref()), (None, None));
    let config = s.client_config().unwrap();
    assert_eq!(config.issuer(), "http://localhost:8080");
    assert_eq!(config.client_id(), "id-1");
    assert_eq!(config.redirect_uri(), "http://127.0.0.1:3000/cb");
    let shown = format!("{s:?}");
    assert!(!shown.contains("hunter2") && !shown.contains("pw@db"), "{shown}");
    assert!(shown.contains("secret: <redacted>"), "{shown}");

    // Every problem in one error, naming each variable.
    let err = Settings::from_lookup(|name| match name {
        "TIMEOUT_SECS" => Some("soon".to_owned()),
        _ => None,
    })
    .unwrap_err();
    let ConfigError::Environment(problems) = &err else {
        panic!("{err}");
    };
    let names: Vec<&str> = problems.iter().map(|p| p.variable.as_str()).collect();
    assert_eq!(names, ["APP_ID", "TIMEOUT_SECS", "DATABASE_URL"]);
    let shown = err.to_string();
    assert!(shown.contains("APP_ID: is not set"), "{shown}");
    assert!(shown.contains("TIMEOUT_SECS: is not a valid u64"), "{shown}");

    // Without its optional secret the client is public (`none`, checked
    // against the provider's metadata at discovery).
    assert!(s.secret.is_some());
    let no_secret = Settings { secret: None, ..s };
    assert!(no_secret.client_config().is_ok());
}
