//! Unit tests of `config.rs`.

use super::*;

fn base() -> ClientConfig {
    ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .client_secret("s")
}

#[test]
fn defaults_validate() {
    assert!(base().validate().is_ok());
}

#[test]
fn http_issuer_only_on_loopback() {
    let c = ClientConfig::for_issuer("http://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .client_secret("s");
    assert!(matches!(
        c.validate(),
        Err(ConfigError::InsecureUrl {
            field: "issuer",
            ..
        })
    ));
    for host in ["localhost", "127.0.0.1", "[::1]", "127.9.9.9"] {
        let c = ClientConfig::for_issuer(format!("http://{host}:8080"))
            .client_id("cid")
            .redirect_uri("http://localhost/cb")
            .client_secret("s");
        assert!(c.validate().is_ok(), "{host}");
    }
}

#[test]
fn scopes_need_openid() {
    assert_eq!(
        base().scopes(["email"]).validate(),
        Err(ConfigError::MissingOpenidScope)
    );
    assert!(matches!(
        base().scopes(["openid", "a b"]).validate(),
        Err(ConfigError::InvalidScope(_))
    ));
}

#[test]
fn secret_required_unless_public() {
    let c = ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb");
    for method in [AuthMethod::ClientSecretPost, AuthMethod::ClientSecretBasic] {
        assert!(matches!(
            c.clone().auth_method(method).validate(),
            Err(ConfigError::MissingClientSecret { .. })
        ));
    }
    assert!(c.clone().auth_method(AuthMethod::None).validate().is_ok());
    // No method and no secret: a public client, checked against the
    // provider's metadata at discovery.
    assert!(c.validate().is_ok());
}

#[test]
fn debug_redacts_secret() {
    let shown = format!("{:?}", base().client_secret("hunter2-secret"));
    assert!(!shown.contains("hunter2"));
}

#[test]
fn issuer_without_query_or_fragment() {
    let c = ClientConfig::for_issuer("https://op.example/?a=b")
        .client_id("cid")
        .redirect_uri("https://app/cb")
        .client_secret("s");
    assert!(matches!(
        c.validate(),
        Err(ConfigError::UrlPartNotAllowed { .. })
    ));
}

#[test]
fn algorithms_cannot_name_none_or_hmac() {
    assert!(SigningAlgorithm::from_jose("none").is_none());
    assert!(SigningAlgorithm::from_jose("HS256").is_none());
    assert_eq!(
        SigningAlgorithm::from_jose("ES256"),
        Some(SigningAlgorithm::ES256)
    );
}

#[test]
fn jwt_methods_need_what_they_sign_with() {
    let public = ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb");
    assert_eq!(
        public
            .clone()
            .auth_method(AuthMethod::PrivateKeyJwt)
            .validate(),
        Err(ConfigError::MissingClientKey)
    );
    assert_eq!(
        public
            .clone()
            .auth_method(AuthMethod::ClientSecretJwt)
            .validate(),
        Err(ConfigError::MissingClientSecret {
            method: "client_secret_jwt"
        })
    );
    let key = ClientKey::from_pem(include_str!("client_key/ed25519.pem")).unwrap();
    assert!(
        public
            .clone()
            .private_key(key)
            .auth_method(AuthMethod::PrivateKeyJwt)
            .validate()
            .is_ok()
    );
    // A secret callback counts as a secret.
    assert!(
        public
            .client_secret_fn(|| Ok(ClientSecret::new("s")))
            .auth_method(AuthMethod::ClientSecretJwt)
            .validate()
            .is_ok()
    );
}

#[test]
fn debug_of_a_config_with_a_key_or_callback_shows_no_secret() {
    let jwk = include_str!("client_key/rsa.jwk.json");
    let config = base()
        .private_key(ClientKey::from_jwk(jwk).unwrap())
        .client_secret_fn(|| Ok(ClientSecret::new("minted-secret")));
    let shown = format!("{config:?}");
    let private: serde_json::Value = serde_json::from_str(jwk).unwrap();
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        let value = private[member].as_str().unwrap();
        assert!(!shown.contains(&value[..12]), "{member} in {shown}");
    }
    assert!(!shown.contains("minted-secret"), "{shown}");
    assert!(shown.contains("kid: Some(\"rsa-1\")"), "{shown}");
    assert!(shown.contains("<callback>"), "{shown}");
}

#[test]
fn the_two_secret_settings_replace_each_other() {
    let config = base()
        .client_secret("static")
        .client_secret_fn(|| Ok(ClientSecret::new("dynamic")));
    assert!(config.client_secret.is_none() && config.client_secret_fn.is_some());
    let config = config.client_secret("static");
    assert!(config.client_secret.is_some() && config.client_secret_fn.is_none());
}
