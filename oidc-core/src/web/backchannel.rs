//! `POST {backchannel_logout_path}`: the provider's back-channel logout
//! (OpenID Connect Back-Channel Logout 1.0 section 2.8).

use super::Oidc;
use crate::error::JwsError;
use crate::logout::{LoggedOut, LogoutTokenError, logout_token_from_request};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Verifies the `logout_token` and records the logout in the registry;
/// the `SignedIn` extractor ends the matching sessions on their next use.
/// 200 on success; 400 `{"error":"invalid_request"}` for a request or token
/// that is refused; 503 when the provider's keys, the shared replay store
/// or the registry are unavailable. Always `Cache-Control: no-store`.
pub(crate) async fn backchannel_logout<C: 'static>(
    State(oidc): State<Oidc<C>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let token = match logout_token_from_request(content_type, &body) {
        Ok(token) => token,
        Err(reason) => return invalid_request(reason),
    };
    let verified = match oidc.client.verify_logout_token(&token).await {
        Ok(verified) => verified,
        Err(LogoutTokenError::Jws(JwsError::KeysUnavailable(reason))) => {
            tracing::warn!(%reason, "cannot verify a back-channel logout token");
            return unavailable();
        }
        Err(error) if error.is_store_unavailable() => {
            tracing::error!(%error, "cannot check a back-channel logout token's jti");
            return unavailable();
        }
        Err(error) => {
            tracing::warn!(%error, "back-channel logout token refused");
            return invalid_request(&error.to_string());
        }
    };
    // Keyed by the configured issuer, as `SignedIn` looks sessions up: under
    // an issuer policy the token's `iss` may be a tenant's or an alias.
    let logged_out = LoggedOut {
        issuer: oidc.client.config().issuer().to_owned(),
        ..LoggedOut::from_token(&verified)
    };
    if let Err(error) = oidc.registry.record(logged_out).await {
        tracing::error!(%error, "could not record a back-channel logout");
        return unavailable();
    }
    tracing::info!(sub = ?verified.sub, has_sid = verified.sid.is_some(), "back-channel logout");
    no_store(StatusCode::OK.into_response())
}

fn invalid_request(description: &str) -> Response {
    let body = serde_json::json!({"error": "invalid_request", "error_description": description});
    no_store((StatusCode::BAD_REQUEST, Json(body)).into_response())
}

fn unavailable() -> Response {
    no_store(StatusCode::SERVICE_UNAVAILABLE.into_response())
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
