//! OAuth 2.0 error responses for the back-channel endpoints (token,
//! UserInfo): JSON `{error, error_description}` with the right status.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An OAuth error as returned by the token endpoint (RFC 6749 section 5.2).
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    www_authenticate: Option<String>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            www_authenticate: None,
        }
    }

    /// `invalid_request` (400).
    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// `invalid_client` (401, with a Basic challenge as RFC 6749 requires).
    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description);
        e.www_authenticate = Some(r#"Basic realm="dev-provider", charset="UTF-8""#.into());
        e
    }

    /// `invalid_grant` (400).
    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// `unsupported_grant_type` (400).
    pub(crate) fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            description,
        )
    }

    /// `unauthorized_client` (400): the client may not use this grant.
    pub(crate) fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }

    /// `invalid_scope` (400).
    pub(crate) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    /// Another 400 error code, e.g. the device grant's
    /// `authorization_pending`, `slow_down`, `expired_token` and
    /// `access_denied` (RFC 8628 section 3.5).
    pub(crate) fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }

    /// `server_error` (500).
    pub(crate) fn server_error(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            description,
        )
    }

    /// The error code.
    pub(crate) fn code(&self) -> &'static str {
        self.error
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
        });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if let Some(challenge) = self.www_authenticate
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// A 401 from a protected resource (RFC 6750 section 3).
#[derive(Debug, Clone)]
pub(crate) struct BearerError {
    /// `None` when no token was sent: the challenge then carries no error code.
    pub(crate) description: Option<String>,
}

impl BearerError {
    pub(crate) fn missing() -> Self {
        BearerError { description: None }
    }

    pub(crate) fn invalid(description: impl Into<String>) -> Self {
        BearerError {
            description: Some(description.into()),
        }
    }
}

impl IntoResponse for BearerError {
    fn into_response(self) -> Response {
        let (challenge, body) = match &self.description {
            None => (
                r#"Bearer realm="dev-provider""#.to_owned(),
                serde_json::json!({
                    "error": "invalid_request",
                    "error_description": "No access token: send Authorization: Bearer <token>.",
                }),
            ),
            Some(description) => (
                format!(
                    r#"Bearer realm="dev-provider", error="invalid_token", error_description="{}""#,
                    description.replace(['"', '\\'], "'")
                ),
                serde_json::json!({ "error": "invalid_token", "error_description": description }),
            ),
        };
        let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
