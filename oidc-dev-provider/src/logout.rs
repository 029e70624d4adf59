//! RP-Initiated Logout 1.0 (`/logout`) and Back-Channel Logout 1.0
//! deliveries.
//!
//! The provider keeps no browser session, so "the user's session" is every
//! sign-in (grant) of the user named by `id_token_hint`. Ending them sends a
//! logout token to each client that registered a `backchannel_logout_uri`,
//! and revokes grants that were not issued with `offline_access`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::faults::TokenKind;
use crate::pages;
use crate::params::{Params, is_form};
use crate::state::AppState;
use crate::store::EndedSession;
use crate::tokens::{self, TYP_ID_TOKEN, TYP_LOGOUT_TOKEN, logout_token_claims};

/// How long one back-channel delivery may take.
const BACKCHANNEL_TIMEOUT: Duration = Duration::from_secs(5);

/// `GET /logout`
pub(crate) async fn logout_get(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    logout(&state, &params).await
}

/// `POST /logout` (form-encoded).
pub(crate) async fn logout_post(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return bad_request(
            "A logout request sent by POST must be application/x-www-form-urlencoded.",
        );
    }
    logout(&state, &Params::parse(&body)).await
}

fn bad_request(message: &str) -> Response {
    pages::error(StatusCode::BAD_REQUEST, "Cannot sign out", message)
}

async fn logout(state: &Arc<AppState>, params: &Params) -> Response {
    if let Some(name) = params.first_duplicate() {
        return bad_request(&format!("The parameter {name} was sent more than once."));
    }
    // An expired ID token is fine as a hint; it must still be ours.
    let hint = match params.get("id_token_hint") {
        None => None,
        Some(token) => match state.verify(token, TYP_ID_TOKEN, false) {
            Ok(claims) => Some(claims),
            Err(_) => return bad_request("The id_token_hint was not issued by this provider."),
        },
    };
    let hint_sub = hint
        .as_ref()
        .and_then(|c| c.get("sub"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let hint_aud = hint.as_ref().and_then(|c| match c.get("aud") {
        Some(Value::String(aud)) => Some(aud.clone()),
        Some(Value::Array(auds)) => auds.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    });
    let client_id = match (params.get("client_id"), hint_aud.as_deref()) {
        (Some(param), Some(aud)) if param != aud => {
            return bad_request("client_id does not match the audience of the id_token_hint.");
        }
        (Some(id), _) | (None, Some(id)) => Some(id.to_owned()),
        (None, None) => None,
    };

    let redirect = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let Some(client) = client_id.as_deref().and_then(|id| state.client(id)) else {
                return bad_request(
                    "post_logout_redirect_uri needs a known client: send id_token_hint or client_id.",
                );
            };
            if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
                return bad_request(
                    "The post_logout_redirect_uri is not registered for this application.",
                );
            }
            Some(uri.to_owned())
        }
    };

    if let Some(sub) = hint_sub {
        let ended = state.store().end_sessions(&sub, None);
        tracing::info!(sub = %sub, sessions = ended.len(), "user signed out");
        send_backchannel(state, ended).await;
    }

    match redirect {
        None => pages::signed_out(),
        Some(uri) => {
            let Ok(mut target) = url::Url::parse(&uri) else {
                return pages::signed_out();
            };
            if let Some(client_state) = params.get("state") {
                target.query_pairs_mut().append_pair("state", client_state);
            }
            let Ok(location) = HeaderValue::from_str(target.as_str()) else {
                return pages::signed_out();
            };
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(header::LOCATION, location);
            response
        }
    }
}

/// Send a logout token for each ended session to its client's
/// `backchannel_logout_uri`, concurrently; waits for all deliveries (each
/// bounded by a timeout). Returns how many the clients acknowledged.
pub(crate) async fn send_backchannel(state: &AppState, sessions: Vec<EndedSession>) -> usize {
    let mut deliveries = tokio::task::JoinSet::new();
    for session in sessions {
        let Some(client) = state.client(&session.client_id) else {
            continue;
        };
        let Some(uri) = client.backchannel_logout_uri.clone() else {
            continue;
        };
        let claims = logout_token_claims(state, &client.id, &session.sub, &session.sid);
        let header = tokens::header(state, state.id_token_alg(&client), TYP_LOGOUT_TOKEN);
        let token = match state.mint(TokenKind::LogoutToken, &client.id, header, claims) {
            Ok(token) => token,
            Err(e) => {
                tracing::warn!(client_id = %client.id, error = %e, "cannot mint logout token");
                continue;
            }
        };
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("logout_token", &token)
            .finish();
        let request = state
            .http
            .post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .timeout(BACKCHANNEL_TIMEOUT)
            .body(body);
        let client_id = client.id.clone();
        deliveries.spawn(async move {
            match request.send().await {
                Ok(response) if response.status().is_success() => true,
                Ok(response) => {
                    tracing::warn!(client_id = %client_id, status = %response.status(), "back-channel logout refused");
                    false
                }
                Err(e) => {
                    tracing::warn!(client_id = %client_id, error = %e, "back-channel logout failed");
                    false
                }
            }
        });
    }
    let mut delivered = 0;
    while let Some(result) = deliveries.join_next().await {
        if matches!(result, Ok(true)) {
            delivered += 1;
        }
    }
    delivered
}
