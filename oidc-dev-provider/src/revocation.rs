//! The revocation endpoint (RFC 7009), served when
//! [`DevProviderBuilder::revocation_endpoint`](crate::DevProviderBuilder::revocation_endpoint)
//! (or the profile) enables it.
//!
//! The client authenticates as at the token endpoint. A refresh token
//! revokes its whole grant (the access tokens issued with it too, as
//! section 2.1 recommends); an access token revokes only itself. An unknown
//! or already invalid token is answered `200` like a revoked one (section
//! 2.2), so a client learns nothing from the answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::client_auth::{answer, authenticated_form};
use crate::config::DevClient;
use crate::oauth_error::OAuthError;
use crate::state::AppState;
use crate::tokens::TYP_ACCESS_TOKEN;

/// `POST /revoke` with `token` and an optional `token_type_hint`.
pub(crate) async fn revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut client_id = None;
    let result = handle(&state, &headers, &body, &mut client_id).map(|()| {
        let mut response = StatusCode::OK.into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    });
    answer(result, "revocation request refused", client_id.as_deref())
}

fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    client_id: &mut Option<String>,
) -> Result<(), OAuthError> {
    let (client, params) =
        authenticated_form(state, headers, body, "revocation request", client_id)?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required."))?;
    // The hint only orders the lookups (section 2.1: a wrong hint is no
    // error); any other hint value is ignored the same way.
    if params.get("token_type_hint") == Some("access_token") {
        if !revoke_access_token(state, &client, token)? {
            revoke_refresh_token(state, &client, token)?;
        }
    } else if !revoke_refresh_token(state, &client, token)? {
        revoke_access_token(state, &client, token)?;
    }
    Ok(())
}

/// `Ok(true)` if `token` is one of this provider's refresh tokens.
fn revoke_refresh_token(
    state: &AppState,
    client: &DevClient,
    token: &str,
) -> Result<bool, OAuthError> {
    let revoked = state
        .store()
        .revoke_refresh_token(token, &client.id)
        .map_err(|e| OAuthError::invalid_grant(e.description("refresh token")))?;
    if revoked {
        tracing::info!(client_id = %client.id, "refresh token revoked, with its grant");
    }
    Ok(revoked)
}

/// `Ok(true)` if `token` is an access token this provider issued (opaque
/// or signed, expired or not).
fn revoke_access_token(
    state: &AppState,
    client: &DevClient,
    token: &str,
) -> Result<bool, OAuthError> {
    let opaque = state.store().introspection.opaque_claims(token).cloned();
    let is_opaque = opaque.is_some();
    let claims = match opaque {
        Some(claims) => claims,
        None => match state.verify(token, TYP_ACCESS_TOKEN, false) {
            Ok(claims) => claims,
            Err(_) => return Ok(false),
        },
    };
    if claims.get("client_id").and_then(Value::as_str) != Some(client.id.as_str()) {
        return Err(OAuthError::invalid_grant(
            "The access token was issued to another client.",
        ));
    }
    if let Some(jti) = claims.get("jti").and_then(Value::as_str) {
        let mut store = state.store();
        store.revoke_access_token(jti);
        if is_opaque {
            store.introspection.revoke_opaque(token);
        } else {
            let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
            store.introspection.revoke_jwt(jti, exp);
        }
        tracing::info!(client_id = %client.id, "access token revoked");
    }
    Ok(true)
}
