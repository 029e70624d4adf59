use super::*;
use crate::ClientConfig;
use crate::provider::discovery::ProviderMetadata;
use crate::provider::http::Http;
use crate::provider::negotiated::Negotiated;
use serde_json::json;

/// A public client of `https://op.example`, built without a network;
/// `device` publishes a device authorization endpoint.
fn client(device: bool) -> Client {
    let config = ClientConfig::for_issuer("https://op.example")
        .client_id("tv")
        .redirect_uri("http://127.0.0.1/unused");
    let mut document = json!({
        "issuer": "https://op.example",
        "authorization_endpoint": "https://op.example/authorize",
        "token_endpoint": "https://op.example/token",
        "jwks_uri": "https://op.example/jwks",
        "response_types_supported": ["code"],
        "token_endpoint_auth_methods_supported": ["none"],
    });
    if device {
        document["device_authorization_endpoint"] = json!("https://op.example/device/code");
    }
    let metadata = ProviderMetadata::from_document(document.to_string().as_bytes(), &config)
        .expect("metadata");
    let negotiated = Negotiated::resolve(&config, &metadata).expect("negotiated");
    let http = Http::from_limits(&config.limits).unwrap();
    Client::with_metadata(config, metadata, negotiated, http)
}

#[tokio::test]
async fn a_provider_without_the_endpoint_is_a_typed_error() {
    let client = client(false);
    assert!(!client.supports_device_login());
    let error = client.device_login().start().await.unwrap_err();
    assert!(matches!(error, DeviceError::Unsupported), "{error:?}");
    assert_eq!(error.check_name(), "device.unsupported");
    assert_eq!(crate::Error::from(error).check_name(), "device.unsupported");
}

#[tokio::test]
async fn reserved_and_invalid_parameters_are_refused_before_any_request() {
    let client = client(true);
    assert!(client.supports_device_login());
    for name in RESERVED {
        let error = client
            .device_login()
            .param(name, "x")
            .start()
            .await
            .unwrap_err();
        assert!(
            matches!(&error, DeviceError::ReservedParameter(n) if n == name),
            "{error:?}"
        );
    }
    let error = client
        .device_login()
        .scopes(["openid", "bad scope"])
        .start()
        .await
        .unwrap_err();
    assert_eq!(error.check_name(), "config");
}

#[test]
fn the_device_code_stays_out_of_debug() {
    let authorization = DeviceAuthorization {
        client: client(true),
        device_code: DeviceCode::new("device-code-secret-value"),
        user_code: "BCDF-GHJK".into(),
        verification_uri: Url::parse("https://op.example/device").unwrap(),
        verification_uri_complete: None,
        expires_at: SystemTime::now(),
        deadline: tokio::time::Instant::now(),
        interval: Some(Duration::from_secs(0)),
    };
    let shown = format!("{authorization:?}");
    assert!(!shown.contains("device-code-secret-value"), "{shown}");
    assert!(shown.contains("BCDF-GHJK"));
    assert_eq!(authorization.interval(), MIN_INTERVAL);
}
