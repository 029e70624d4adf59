use super::*;

#[test]
fn debug_never_shows_the_value() {
    let values: Vec<String> = vec![
        format!("{:?}", ClientSecret::new("s3cr3t-client")),
        format!("{:?}", AuthorizationCode::new("s3cr3t-code")),
        format!("{:?}", AccessToken::new("s3cr3t-at")),
        format!("{:?}", RefreshToken::new("s3cr3t-rt")),
        format!("{:?}", IdTokenJwt::new("s3cr3t-idt")),
        format!("{:?}", PkceVerifier::new("s3cr3t-pkce")),
        format!("{:?}", Nonce::new("s3cr3t-nonce")),
        format!("{:#?}", CsrfState::new("s3cr3t-state")),
        format!("{:?}", DeviceCode::new("s3cr3t-device-code")),
    ];
    for shown in values {
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}

#[test]
fn serde_round_trips_the_value() {
    let json = serde_json::to_string(&AccessToken::new("abc")).unwrap_or_default();
    assert_eq!(json, "\"abc\"");
    let back: AccessToken = serde_json::from_str(&json).unwrap_or_else(|_| AccessToken::new(""));
    assert_eq!(back.secret(), "abc");
}
