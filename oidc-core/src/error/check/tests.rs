use super::super::*;
use std::time::Duration;

#[test]
fn nested_errors_are_named_by_the_check_that_failed() {
    let signature = Error::Token(TokenError::IdToken(IdTokenError::Jws(
        JwsError::BadSignature,
    )));
    assert_eq!(signature.check_name(), "id_token.signature");
    assert_eq!(JwsError::BadSignature.check_name(), "jws.signature");
    assert_eq!(
        Error::Callback(CallbackError::StateMismatch).check_name(),
        "state_mismatch"
    );
    // A callback refused by the shared store keeps the callback's name.
    assert_eq!(
        TokenError::Callback(CallbackError::AlreadyUsed).check_name(),
        "state_replayed"
    );
    let timeout = TransportError::Timeout {
        url: "https://op.example/token".into(),
        timeout: Duration::from_secs(1),
    };
    assert_eq!(
        DiscoveryError::Transport(timeout.clone()).check_name(),
        "transport.timeout"
    );
    assert_eq!(
        TokenError::Transport(timeout).check_name(),
        "transport.timeout"
    );
}

/// `access_denied` (the user cancelled) and `invalid_grant` (a used or
/// revoked grant) are told apart from other provider errors: one is user
/// behaviour, the other a normal sign-out, the rest a misconfiguration.
#[test]
fn provider_errors_that_mean_something_else_have_their_own_names() {
    let callback = |error: &str| CallbackError::Provider {
        error: error.into(),
        description: None,
        uri: None,
    };
    assert_eq!(callback("access_denied").check_name(), "access_denied");
    assert_eq!(callback("server_error").check_name(), "provider_error");
    let token = |error: &str| TokenError::Provider {
        error: error.into(),
        description: None,
        uri: None,
        status: 400,
    };
    assert_eq!(token("invalid_grant").check_name(), "token.invalid_grant");
    assert_eq!(token("invalid_client").check_name(), "token.provider_error");
}

#[test]
fn acr_not_satisfied_is_named_as_documented() {
    let error = IdTokenError::AcrNotSatisfied {
        requested: vec!["urn:loa:2".into()],
        received: None,
    };
    assert_eq!(error.check_name(), "acr_not_satisfied");
}

/// An API's errors are named by the check that failed; introspection's
/// have their own family, and its outage is named like every transport
/// failure.
#[test]
fn access_token_errors_are_named_by_their_check() {
    use crate::AccessTokenError;
    assert_eq!(
        AccessTokenError::Inactive.check_name(),
        "introspection.inactive"
    );
    assert_eq!(
        AccessTokenError::IntrospectionRefused {
            error: "invalid_client".into(),
            description: None,
            status: 401,
        }
        .check_name(),
        "introspection.refused"
    );
    assert_eq!(
        AccessTokenError::IntrospectionUnavailable(TransportError::Timeout {
            url: "https://op.example/introspect".into(),
            timeout: Duration::from_secs(1),
        })
        .check_name(),
        "transport.timeout"
    );
    assert_eq!(
        AccessTokenError::InsufficientScope { required: vec![] }.check_name(),
        "access_token.insufficient_scope"
    );
    assert_eq!(
        AccessTokenError::Jws(JwsError::BadSignature).check_name(),
        "jws.signature"
    );
    // Inside `Error` an API's errors keep their published name.
    assert_eq!(
        Error::AccessToken(AccessTokenError::Inactive).check_name(),
        "access_token"
    );
}

#[test]
fn client_authentication_failures_are_named() {
    let callback = TokenError::ClientSecretUnavailable("vault sealed".into());
    assert_eq!(callback.check_name(), "client_auth.secret_unavailable");
    let assertion = TokenError::ClientAssertion("signing with RS256 failed".into());
    assert_eq!(assertion.check_name(), "client_auth.assertion");
    assert_eq!(ConfigError::MissingClientKey.check_name(), "config");
}
/// The device flow's names: its own checks, and the poll answers that
/// are not failures kept apart from provider errors in the spans.
#[test]
fn device_errors_are_named_as_documented() {
    assert_eq!(DeviceError::Unsupported.check_name(), "device.unsupported");
    assert_eq!(DeviceError::Expired.check_name(), "device.expired");
    assert_eq!(
        DeviceError::AccessDenied { description: None }.check_name(),
        "device.access_denied"
    );
    assert_eq!(
        DeviceError::ReservedParameter("scope".into()).check_name(),
        "device.reserved_parameter"
    );
    assert_eq!(
        DeviceError::Refused {
            error: "invalid_client".into(),
            description: None,
            status: 401
        }
        .check_name(),
        "device.refused"
    );
    assert_eq!(
        DeviceError::InvalidResponse("x".into()).check_name(),
        "device.invalid_response"
    );
    let token = |error: &str| TokenError::Provider {
        error: error.into(),
        description: None,
        uri: None,
        status: 400,
    };
    assert_eq!(
        token("authorization_pending").check_name(),
        "token.authorization_pending"
    );
    assert_eq!(token("slow_down").check_name(), "token.slow_down");
    assert_eq!(
        Error::Device(DeviceError::Token(token("invalid_grant"))).check_name(),
        "token.invalid_grant"
    );
}
