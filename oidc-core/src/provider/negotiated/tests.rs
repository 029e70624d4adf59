use super::*;
use crate::config::SigningAlgorithm as A;
use crate::jose::issuer::IssuerPolicy;
use serde_json::{Value, json};

fn config() -> ClientConfig {
    ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .client_secret("s")
}

fn metadata(overrides: Value) -> ProviderMetadata {
    let mut doc = json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "jwks_uri": "https://op.example/jwks",
        "response_types_supported": ["code"],
    });
    for (k, v) in overrides.as_object().unwrap() {
        doc[k] = v.clone();
    }
    ProviderMetadata::from_document(&serde_json::to_vec(&doc).unwrap(), &config()).unwrap()
}

fn resolve(config: &ClientConfig, overrides: Value) -> Result<Negotiated, DiscoveryError> {
    Negotiated::resolve(config, &metadata(overrides))
}

fn methods(list: Value) -> Value {
    json!({ "token_endpoint_auth_methods_supported": list })
}

#[test]
fn the_auth_method_comes_from_the_metadata_when_unset() {
    let chosen = |overrides| resolve(&config(), overrides).unwrap().auth_method;
    // Absent means client_secret_basic (Discovery 1.0 section 3).
    assert_eq!(chosen(json!({})), AuthMethod::ClientSecretBasic);
    assert_eq!(
        chosen(methods(json!(["client_secret_basic"]))),
        AuthMethod::ClientSecretBasic
    );
    // The guide's method wins when the provider offers both.
    assert_eq!(
        chosen(methods(json!([
            "client_secret_basic",
            "client_secret_post"
        ]))),
        AuthMethod::ClientSecretPost
    );
    assert_eq!(
        chosen(methods(json!(["private_key_jwt", "client_secret_post"]))),
        AuthMethod::ClientSecretPost
    );
    // A client without a secret is public.
    let public = ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb");
    assert_eq!(
        resolve(&public, methods(json!(["client_secret_basic", "none"])))
            .unwrap()
            .auth_method,
        AuthMethod::None
    );
}

#[test]
fn no_usable_method_is_named_at_start() {
    let e = resolve(
        &config(),
        methods(json!(["private_key_jwt", "tls_client_auth"])),
    );
    match e {
        Err(DiscoveryError::Unsupported {
            what,
            value,
            advertised,
        }) => {
            assert_eq!(what, "token endpoint auth method");
            assert!(value.contains("client_secret_post"), "{value}");
            assert_eq!(advertised, "private_key_jwt, tls_client_auth");
        }
        other => panic!("{other:?}"),
    }
    // A public client where the provider implies Basic only.
    let public = ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb");
    assert!(matches!(
        resolve(&public, json!({})),
        Err(DiscoveryError::Unsupported { .. })
    ));
}

#[test]
fn an_explicit_method_must_be_listed() {
    let post = config().auth_method(AuthMethod::ClientSecretPost);
    assert!(matches!(
        resolve(&post, methods(json!(["client_secret_basic"]))),
        Err(DiscoveryError::Unsupported { value, .. }) if value == "client_secret_post"
    ));
    assert_eq!(
        resolve(&post, methods(json!(["client_secret_post"])))
            .unwrap()
            .auth_method,
        AuthMethod::ClientSecretPost
    );
    // No list: the secret-based methods are the provider's to document.
    assert_eq!(
        resolve(&post, json!({})).unwrap().auth_method,
        AuthMethod::ClientSecretPost
    );
    let none = config().auth_method(AuthMethod::None);
    assert!(resolve(&none, json!({})).is_err());
    assert!(resolve(&none, methods(json!(["client_secret_basic"]))).is_err());
    assert_eq!(
        resolve(&none, methods(json!(["none"])))
            .unwrap()
            .auth_method,
        AuthMethod::None
    );
}

#[test]
fn algorithms_are_the_advertised_ones_this_crate_verifies() {
    let algs = |list: Value| {
        resolve(
            &config(),
            json!({ "id_token_signing_alg_values_supported": list }),
        )
        .unwrap()
        .algorithms
    };
    assert_eq!(algs(json!(["ES256"])), [A::ES256]);
    assert_eq!(
        algs(json!(["HS256", "RS256", "PS256", "none", "ES512"])),
        [A::RS256, A::PS256]
    );
    assert_eq!(
        algs(json!(["EdDSA", "ES384", "RS512"])),
        [A::RS512, A::ES384, A::EdDSA]
    );
    // Nothing usable, or no list: RS256, which every provider must support.
    assert_eq!(algs(json!(["HS256", "none"])), [A::RS256]);
    assert_eq!(algs(json!([])), [A::RS256]);
    assert_eq!(
        resolve(&config(), json!({})).unwrap().algorithms,
        [A::RS256]
    );
}

#[test]
fn an_explicit_algorithm_list_overrides_the_metadata() {
    let pinned = config().allowed_algorithms([A::ES384]);
    let n = resolve(
        &pinned,
        json!({ "id_token_signing_alg_values_supported": ["RS256"] }),
    )
    .unwrap();
    assert_eq!(n.algorithms, [A::ES384]);
}

#[test]
fn pkce_never_refuses_to_start() {
    for list in [json!(["plain"]), json!([]), json!(["S384"])] {
        assert!(
            resolve(
                &config(),
                json!({ "code_challenge_methods_supported": list })
            )
            .is_ok()
        );
    }
}

#[test]
fn the_issuer_rule_follows_the_policy() {
    let n = resolve(&config(), json!({})).unwrap();
    assert!(n.issuer.accepts("https://op.example", None));
    assert!(!n.issuer.accepts("op.example", None));
    let google = config().issuer_policy(IssuerPolicy::Google);
    let n = resolve(&google, json!({})).unwrap();
    assert!(n.issuer.accepts("op.example", None));
}

fn key(file: &str) -> crate::config::ClientKey {
    let pem = match file {
        "rsa" => include_str!("../../config/client_key/rsa.pem"),
        "ec" => include_str!("../../config/client_key/ec-p256.pem"),
        _ => include_str!("../../config/client_key/ed25519.pem"),
    };
    crate::config::ClientKey::from_pem(pem).unwrap()
}

fn keyed() -> ClientConfig {
    ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .private_key(key("rsa"))
}

#[test]
fn a_key_chooses_private_key_jwt_when_listed() {
    let n = resolve(
        &keyed(),
        methods(json!(["client_secret_post", "private_key_jwt"])),
    )
    .unwrap();
    assert_eq!(n.auth_method, AuthMethod::PrivateKeyJwt);
    assert_eq!(n.key_algorithm, Some(A::RS256));
    // A key wins over a secret when both are configured...
    let both = config().private_key(key("ec"));
    let n = resolve(
        &both,
        methods(json!(["client_secret_post", "private_key_jwt"])),
    )
    .unwrap();
    assert_eq!(n.auth_method, AuthMethod::PrivateKeyJwt);
    assert_eq!(n.key_algorithm, Some(A::ES256));
    // ...and the secret is used where the key cannot be.
    assert_eq!(
        resolve(&both, methods(json!(["client_secret_basic"])))
            .unwrap()
            .auth_method,
        AuthMethod::ClientSecretBasic
    );
}

#[test]
fn a_key_alone_needs_private_key_jwt_listed() {
    for overrides in [json!({}), methods(json!(["client_secret_post", "none"]))] {
        match resolve(&keyed(), overrides) {
            Err(DiscoveryError::Unsupported { what, value, .. }) => {
                assert_eq!(what, "token endpoint auth method");
                assert_eq!(value, "private_key_jwt");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_assertion_algorithm_is_the_first_the_key_signs_and_the_provider_lists() {
    let alg = |list: Value| {
        let mut overrides = methods(json!(["private_key_jwt"]));
        overrides["token_endpoint_auth_signing_alg_values_supported"] = list;
        resolve(&keyed(), overrides).map(|n| n.key_algorithm)
    };
    assert_eq!(alg(json!(["PS256", "RS256"])).unwrap(), Some(A::RS256));
    assert_eq!(alg(json!(["ES256", "PS256"])).unwrap(), Some(A::PS256));
    match alg(json!(["ES256", "HS256"])) {
        Err(DiscoveryError::Unsupported {
            what,
            value,
            advertised,
        }) => {
            assert_eq!(what, "token endpoint auth signing alg");
            assert!(value.contains("RS256 or PS256"), "{value}");
            assert_eq!(advertised, "ES256, HS256");
        }
        other => panic!("{other:?}"),
    }
    // No list: the key's first algorithm.
    let n = resolve(&keyed(), methods(json!(["private_key_jwt"]))).unwrap();
    assert_eq!(n.key_algorithm, Some(A::RS256));
    let ed = keyed().private_key(key("ed"));
    let n = resolve(&ed, methods(json!(["private_key_jwt"]))).unwrap();
    assert_eq!(n.key_algorithm, Some(A::EdDSA));
}

#[test]
fn a_secret_falls_back_to_client_secret_jwt_when_only_it_is_listed() {
    let chosen = |list: Value| resolve(&config(), methods(list)).map(|n| n.auth_method);
    assert_eq!(
        chosen(json!(["client_secret_jwt", "private_key_jwt"])).unwrap(),
        AuthMethod::ClientSecretJwt
    );
    assert_eq!(
        chosen(json!(["client_secret_jwt", "client_secret_basic"])).unwrap(),
        AuthMethod::ClientSecretBasic
    );
    // HS256 must be among the listed assertion algorithms.
    let mut overrides = methods(json!(["client_secret_jwt"]));
    overrides["token_endpoint_auth_signing_alg_values_supported"] = json!(["RS256"]);
    assert!(matches!(
        resolve(&config(), overrides),
        Err(DiscoveryError::Unsupported { value, .. }) if value.starts_with("HS256")
    ));
}

#[test]
fn explicit_jwt_methods_are_checked_against_the_list() {
    let jwt = config().auth_method(AuthMethod::ClientSecretJwt);
    assert!(matches!(
        resolve(&jwt, methods(json!(["client_secret_post"]))),
        Err(DiscoveryError::Unsupported { value, .. }) if value == "client_secret_jwt"
    ));
    assert_eq!(
        resolve(&jwt, methods(json!(["client_secret_jwt"])))
            .unwrap()
            .auth_method,
        AuthMethod::ClientSecretJwt
    );
    // Insisted on with no list: the provider's documentation is the authority.
    let pkj = keyed().auth_method(AuthMethod::PrivateKeyJwt);
    assert_eq!(
        resolve(&pkj, json!({})).unwrap().auth_method,
        AuthMethod::PrivateKeyJwt
    );
    // A key does not override an explicit secret method.
    let post = config()
        .private_key(key("ec"))
        .auth_method(AuthMethod::ClientSecretPost);
    assert_eq!(
        resolve(
            &post,
            methods(json!(["client_secret_post", "private_key_jwt"]))
        )
        .unwrap()
        .auth_method,
        AuthMethod::ClientSecretPost
    );
}
