//! The `client_credentials` grant (RFC 6749 section 4.4): a confidential
//! client gets an access token for itself, so an API can call an API.
//!
//! The token is an RFC 9068 JWT like the ones issued to users, with `sub`
//! = the client id, so an API's `AccessTokenVerifier` accepts it; there is
//! no ID token (no user) and no refresh token (RFC 6749 section 4.4.3).

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::config::DevClient;
use crate::oauth_error::OAuthError;
use crate::params::Params;
use crate::state::AppState;
use crate::tokens::{self, AccessTokenInput, TYP_ACCESS_TOKEN, access_token_claims};
use crate::util::now_secs;

/// Issues a client's own access token for the requested `scope` (any
/// scope: the dev provider trusts its registered clients).
pub(crate) fn grant(
    state: &AppState,
    client: &DevClient,
    params: &Params,
) -> Result<Response, OAuthError> {
    // Only a client that proved a secret or key acts on its own behalf.
    if !client.is_confidential() {
        return Err(OAuthError::unauthorized_client(
            "A public client cannot use the client_credentials grant.",
        ));
    }
    let scope = params
        .get("scope")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let ttl = state.settings.token_ttl.as_secs();
    let (claims, jti) = access_token_claims(
        state,
        &AccessTokenInput {
            sub: &client.id,
            audience: json!(state.access_token_audience(client)),
            client_id: &client.id,
            scope: &scope,
            auth_time: now_secs(),
            ttl,
        },
    );
    let header = tokens::header(state, state.settings.signing_alg, TYP_ACCESS_TOKEN);
    let access_token = state
        .access_token(&client.id, header, claims, false)
        .map_err(|e| OAuthError::server_error(e.to_string()))?;
    tracing::info!(client_id = %client.id, jti, "client credentials token issued");
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
    });
    if !scope.is_empty()
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert("scope".into(), scope.into());
    }
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}
