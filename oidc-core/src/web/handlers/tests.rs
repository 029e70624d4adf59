use super::is_local_path;

#[test]
fn only_local_paths_are_return_targets() {
    for ok in ["/", "/account", "/a?b=c"] {
        assert!(is_local_path(ok), "{ok}");
    }
    for bad in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "account",
        "",
        "/a\nb",
    ] {
        assert!(!is_local_path(bad), "{bad}");
    }
}

/// A site that cannot authenticate itself is the site's fault (500), and
/// its page says so without echoing the reason (which is the app's).
#[test]
fn failed_client_authentication_is_a_server_error() {
    use crate::{Error, TokenError};
    for error in [
        TokenError::ClientSecretUnavailable("vault at 10.0.0.5 sealed".into()),
        TokenError::ClientAssertion("signing with RS256 failed".into()),
    ] {
        let error = Error::Token(error);
        assert_eq!(
            super::status_for(&error),
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        );
        let message = crate::web::pages::public_message(&error);
        assert!(
            message.contains("could not prove its identity"),
            "{message}"
        );
        assert!(!message.contains("10.0.0.5") && !message.contains("RS256"));
    }
}
