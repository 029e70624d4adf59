use super::*;
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

fn endpoint() -> Url {
    Url::parse("https://op.example/device").unwrap()
}

fn issuer() -> Url {
    Url::parse("https://op.example").unwrap()
}

fn response(status: u16, body: &Value) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response {
        status,
        headers,
        body: Bytes::from(body.to_string()),
    }
}

fn valid() -> Value {
    json!({
        "device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
        "user_code": "WDJB-MJHT",
        "verification_uri": "https://op.example/device",
        "verification_uri_complete": "https://op.example/device?user_code=WDJB-MJHT",
        "expires_in": 1800,
        "interval": 5
    })
}

fn with(changes: Value) -> Value {
    let mut body = valid();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            body.as_object_mut().unwrap().remove(k);
        } else {
            body[k] = v.clone();
        }
    }
    body
}

fn parse_body(body: Value) -> Result<Authorization, DeviceError> {
    parse(&response(200, &body), &endpoint(), &issuer())
}

#[test]
fn the_rfc_example_parses() {
    let a = parse_body(valid()).unwrap();
    assert_eq!(a.device_code, "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS");
    assert_eq!(a.user_code, "WDJB-MJHT");
    assert_eq!(a.verification_uri.as_str(), "https://op.example/device");
    assert_eq!(
        a.verification_uri_complete.as_ref().map(Url::as_str),
        Some("https://op.example/device?user_code=WDJB-MJHT")
    );
    assert_eq!(a.expires_in, Duration::from_secs(1800));
    assert_eq!(a.interval, Some(Duration::from_secs(5)));
}

#[test]
fn optional_members_may_be_absent() {
    let a = parse_body(with(
        json!({"interval": null, "verification_uri_complete": null}),
    ))
    .unwrap();
    assert_eq!(a.interval, None);
    assert_eq!(a.verification_uri_complete, None);
}

#[test]
fn googles_verification_url_is_accepted() {
    let a = parse_body(with(json!({
        "verification_uri": null,
        "verification_url": "https://op.example/activate",
    })))
    .unwrap();
    assert_eq!(a.verification_uri.as_str(), "https://op.example/activate");
}

#[test]
fn missing_or_malformed_members_are_refused() {
    for (change, what) in [
        (json!({"device_code": null}), "device_code"),
        (json!({"device_code": ""}), "device_code"),
        (json!({"user_code": null}), "user_code"),
        (json!({"user_code": 5}), "user_code"),
        (json!({"user_code": "A\nB"}), "user_code"),
        (json!({"verification_uri": null}), "verification_uri"),
        (json!({"verification_uri": "/device"}), "verification_uri"),
        (
            json!({"verification_uri": "http://op.example/device"}),
            "verification_uri",
        ),
        (
            json!({"verification_uri": "https://u:p@op.example/device"}),
            "verification_uri",
        ),
        (
            json!({"verification_uri_complete": "javascript:alert(1)"}),
            "verification_uri_complete",
        ),
        (json!({"expires_in": null}), "expires_in"),
        (json!({"expires_in": 0}), "expires_in"),
        (json!({"expires_in": -5}), "expires_in"),
        (json!({"interval": "soon"}), "interval"),
    ] {
        let error = parse_body(with(change.clone())).unwrap_err();
        assert!(
            matches!(&error, DeviceError::InvalidResponse(m) if m.contains(what)),
            "{change}: {error:?}"
        );
        assert_eq!(error.check_name(), "device.invalid_response");
    }
}

#[test]
fn http_verification_uris_are_fine_on_a_loopback_issuer() {
    let body = with(json!({"verification_uri": "http://127.0.0.1:8080/device"}));
    let loopback = Url::parse("http://127.0.0.1:8080").unwrap();
    assert!(parse(&response(200, &body), &endpoint(), &loopback).is_ok());
}

#[test]
fn duplicate_members_and_non_json_are_refused() {
    let mut r = response(200, &valid());
    r.body = Bytes::from_static(br#"{"device_code":"a","device_code":"b"}"#);
    assert!(matches!(
        parse(&r, &endpoint(), &issuer()),
        Err(DeviceError::InvalidResponse(m)) if m.contains("duplicate")
    ));
    r.headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    assert!(matches!(
        parse(&r, &endpoint(), &issuer()),
        Err(DeviceError::InvalidResponse(m)) if m.contains("text/html")
    ));
}

#[test]
fn oauth_errors_and_other_statuses_are_typed() {
    let error = parse(
        &response(
            401,
            &json!({"error": "invalid_client", "error_description": "who?"}),
        ),
        &endpoint(),
        &issuer(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, DeviceError::Refused { error, description, status: 401 }
            if error == "invalid_client" && description.as_deref() == Some("who?")),
        "{error:?}"
    );
    assert_eq!(error.check_name(), "device.refused");
    let error = parse(&response(503, &json!({})), &endpoint(), &issuer()).unwrap_err();
    assert_eq!(error.check_name(), "transport.status");
}
