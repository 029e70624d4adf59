//! The UserInfo endpoint (OpenID Connect Core 1.0 section 5.3).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::faults::tag_client;
use crate::oauth_error::BearerError;
use crate::profile::{ENTRA_GRAPH_AUDIENCE, Profile};
use crate::state::AppState;
use crate::tokens::TYP_ACCESS_TOKEN;

/// `GET`/`POST /userinfo` with `Authorization: Bearer <access token>`.
pub(crate) async fn userinfo(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match handle(&state, &headers) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

/// The `client_id` claim of a verified access token.
fn client_of(claims: &crate::tokens::JsonMap) -> Option<&str> {
    claims.get("client_id").and_then(Value::as_str)
}

/// Whether the `aud` claim (a string or an array) names `audience`.
fn audience_includes(claims: &crate::tokens::JsonMap, audience: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == audience,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    }
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(BearerError::missing)?
        .to_str()
        .map_err(|_| BearerError::invalid("The Authorization header is malformed."))?;
    match value.trim().split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(BearerError::invalid(
            "Send the access token as Authorization: Bearer <token>.",
        )),
    }
}

fn handle(state: &AppState, headers: &HeaderMap) -> Result<Response, BearerError> {
    let token = bearer_token(headers)?;
    let claims = match state.active_opaque_token(token) {
        Some(claims) => claims,
        None => state
            .verify(token, TYP_ACCESS_TOKEN, true)
            .map_err(|e| BearerError::invalid(format!("The access token is not valid: {e}.")))?,
    };
    // Entra's UserInfo is a Microsoft Graph endpoint: a token issued for
    // another API (a resource scope) is refused.
    if state.profile() == Profile::Entra && !audience_includes(&claims, ENTRA_GRAPH_AUDIENCE) {
        return Err(BearerError::invalid(
            "The access token was issued for another API, not for UserInfo (Microsoft Graph).",
        ));
    }
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let account = {
        let store = state.store();
        let grant = store
            .access_token_grant(jti)
            .filter(|g| g.sub == sub)
            .ok_or_else(|| BearerError::invalid("The access token has been revoked."))?;
        let profile = grant.scope.split(' ').any(|s| s == "profile");
        store
            .account_by_sub(sub)
            .cloned()
            .map(|account| (account, profile))
    };
    let (account, profile) =
        account.ok_or_else(|| BearerError::invalid("The user no longer exists."))?;
    let mut body = json!({
        "sub": account.user.sub,
        "email": account.user.email,
        "email_verified": account.user.email_verified,
    });
    if let (true, Some(name), Some(obj)) = (profile, account.name, body.as_object_mut()) {
        obj.insert("name".into(), name.into());
    }
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(tag_client(response, client_of(&claims)))
}
