use super::*;
use serde_json::json;

fn config() -> ClientConfig {
    ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .client_secret("s")
}

fn doc(overrides: serde_json::Value) -> Vec<u8> {
    let mut base = json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "jwks_uri": "https://op.example/jwks",
        "userinfo_endpoint": "https://op.example/userinfo",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "prompt_values_supported": ["none", "login", "create"],
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), overrides.as_object()) {
        for (k, v) in extra {
            if v.is_null() {
                base.remove(k);
            } else {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    serde_json::to_vec(&base).unwrap()
}

#[test]
fn discovery_url_appends_well_known() {
    let u = Url::parse("https://op.example/tenant/").unwrap();
    assert_eq!(
        discovery_url(&u).as_str(),
        "https://op.example/tenant/.well-known/openid-configuration"
    );
    let u = Url::parse("https://op.example").unwrap();
    assert_eq!(
        discovery_url(&u).as_str(),
        "https://op.example/.well-known/openid-configuration"
    );
}

#[test]
fn accepts_a_good_document() {
    let m = ProviderMetadata::from_document(&doc(json!({})), &config()).unwrap();
    assert!(m.supports_prompt(Prompt::Create));
    assert!(!m.supports_prompt(Prompt::SelectAccount));
}

#[test]
fn issuer_must_match_exactly() {
    let e =
        ProviderMetadata::from_document(&doc(json!({"issuer": "https://op.example/"})), &config());
    assert!(matches!(e, Err(DiscoveryError::IssuerMismatch { .. })));
}

#[test]
fn http_endpoint_rejected_for_https_issuer() {
    let e = ProviderMetadata::from_document(
        &doc(json!({"token_endpoint": "http://op.example/token"})),
        &config(),
    );
    assert!(matches!(
        e,
        Err(DiscoveryError::InsecureEndpoint {
            field: "token_endpoint",
            ..
        })
    ));
}

#[test]
fn every_endpoint_must_be_https_for_a_non_loopback_issuer() {
    for field in [
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "userinfo_endpoint",
        "end_session_endpoint",
    ] {
        for url in [
            "http://op.example/x",
            // Loopback is no excuse when the issuer itself is not.
            "http://127.0.0.1/x",
            "http://localhost/x",
            "ftp://op.example/x",
            "javascript:alert(1)",
        ] {
            let e = ProviderMetadata::from_document(&doc(json!({ field: url })), &config());
            assert!(
                matches!(&e, Err(DiscoveryError::InsecureEndpoint { field: f, .. }) if *f == field),
                "{field} = {url}: {e:?}"
            );
        }
    }
}

#[test]
fn a_loopback_issuer_allows_http_only_on_loopback() {
    let loopback = ClientConfig::for_issuer("http://127.0.0.1:8080")
        .client_id("cid")
        .redirect_uri("http://127.0.0.1/cb")
        .client_secret("s");
    let base = json!({
        "issuer": "http://127.0.0.1:8080",
        "authorization_endpoint": "http://127.0.0.1:8080/authorize",
        "token_endpoint": "http://localhost:8080/token",
        "jwks_uri": "http://[::1]:8080/jwks",
    });
    assert!(ProviderMetadata::from_document(&doc(base.clone()), &loopback).is_ok());
    let mut remote = base;
    remote["jwks_uri"] = json!("http://keys.example/jwks");
    assert!(matches!(
        ProviderMetadata::from_document(&doc(remote), &loopback),
        Err(DiscoveryError::InsecureEndpoint {
            field: "jwks_uri",
            ..
        })
    ));
}

#[test]
fn widened_algorithm_lists_do_not_widen_the_allow_list() {
    let m = ProviderMetadata::from_document(
        &doc(json!({"id_token_signing_alg_values_supported": ["none", "HS256", "RS256"]})),
        &config(),
    )
    .unwrap();
    // Recorded as advertised; what the client accepts is the subset it
    // can verify with asymmetric keys.
    assert_eq!(m.id_token_signing_alg_values_supported.len(), 3);
    assert_eq!(
        crate::provider::negotiated::algorithms_from_metadata(
            &m.id_token_signing_alg_values_supported
        ),
        [crate::SigningAlgorithm::RS256]
    );
}

#[test]
fn duplicate_members_are_refused() {
    let body = br#"{"issuer":"https://op.example","issuer":"https://evil.example"}"#;
    assert!(matches!(
        ProviderMetadata::from_document(body, &config()),
        Err(DiscoveryError::InvalidDocument(_))
    ));
}

#[test]
fn missing_endpoints_are_named() {
    let e = ProviderMetadata::from_document(&doc(json!({"jwks_uri": null})), &config());
    assert!(matches!(
        e,
        Err(DiscoveryError::MissingEndpoint("jwks_uri"))
    ));
}

#[test]
fn unsupported_mode_rejected() {
    let e = ProviderMetadata::from_document(
        &doc(json!({"response_modes_supported": ["query"]})),
        &config(),
    );
    assert!(matches!(
        e,
        Err(DiscoveryError::Unsupported {
            what: "response_mode",
            ..
        })
    ));
}

#[test]
fn an_absent_prompt_list_is_not_an_empty_one() {
    let m =
        ProviderMetadata::from_document(&doc(json!({"prompt_values_supported": null})), &config())
            .unwrap();
    assert_eq!(m.prompt_values_supported, None);
    assert!(!m.supports_prompt(Prompt::Create));
}

#[test]
fn revocation_endpoint_is_read_and_held_to_the_url_policy() {
    let m = ProviderMetadata::from_document(&doc(json!({})), &config()).unwrap();
    assert_eq!(m.revocation_endpoint, None);
    let m = ProviderMetadata::from_document(
        &doc(json!({
            "revocation_endpoint": "https://op.example/revoke",
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
        })),
        &config(),
    )
    .unwrap();
    assert_eq!(
        m.revocation_endpoint.as_ref().map(Url::as_str),
        Some("https://op.example/revoke")
    );
    assert_eq!(
        m.revocation_endpoint_auth_methods_supported,
        Some(vec!["client_secret_basic".to_owned()])
    );
    let e = ProviderMetadata::from_document(
        &doc(json!({"revocation_endpoint": "http://op.example/revoke"})),
        &config(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            DiscoveryError::InsecureEndpoint {
                field: "revocation_endpoint",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn device_authorization_endpoint_is_read_and_held_to_the_url_policy() {
    let m = ProviderMetadata::from_document(&doc(json!({})), &config()).unwrap();
    assert_eq!(m.device_authorization_endpoint, None);
    let m = ProviderMetadata::from_document(
        &doc(json!({"device_authorization_endpoint": "https://op.example/device/code"})),
        &config(),
    )
    .unwrap();
    assert_eq!(
        m.device_authorization_endpoint.as_ref().map(Url::as_str),
        Some("https://op.example/device/code")
    );
    let e = ProviderMetadata::from_document(
        &doc(json!({"device_authorization_endpoint": "http://op.example/device/code"})),
        &config(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            DiscoveryError::InsecureEndpoint {
                field: "device_authorization_endpoint",
                ..
            }
        ),
        "{e:?}"
    );
}
