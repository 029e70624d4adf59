//! The token endpoint: `authorization_code` and `refresh_token` grants,
//! `client_credentials` (in [`crate::client_credentials`]) and the device
//! code grant (in [`crate::device`]).
//!
//! The response carries, besides the standard fields, the guide's inline
//! `userinfo` object (`sub`, `email`, `email_verified`) under
//! [`Profile::Guide`](crate::Profile::Guide) only.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::client_auth::{answer, authenticated_form};
use crate::config::DevClient;
use crate::faults::TokenKind;
use crate::oauth_error::OAuthError;
use crate::params::Params;
use crate::state::AppState;
use crate::store::{Grant, RedeemError};
use crate::tokens::{
    self, AccessTokenInput, IdTokenInput, TYP_ACCESS_TOKEN, TYP_ID_TOKEN, access_token_claims,
    at_hash, id_token_claims,
};
use crate::util::{b64url, ct_eq, sha256};

/// `POST /token`
pub(crate) async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut client_id = None;
    let result = handle(&state, &headers, &body, &mut client_id);
    answer(result, "token request refused", client_id.as_deref())
}

fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    client_id: &mut Option<String>,
) -> Result<Response, OAuthError> {
    let (client, params) = authenticated_form(state, headers, body, "token request", client_id)?;
    let grant_type = match params.get("grant_type") {
        Some(grant_type) => grant_type,
        // The guide's minimal request: client_id, client_secret, code.
        None if state.settings.allow_minimal_token_requests && params.get("code").is_some() => {
            "authorization_code"
        }
        None => return Err(OAuthError::invalid_request("grant_type is required.")),
    };
    match grant_type {
        "authorization_code" => authorization_code(state, &client, &params),
        "refresh_token" => refresh_token(state, &client, &params),
        "client_credentials" => crate::client_credentials::grant(state, &client, &params),
        crate::device::GRANT if state.settings.device_flow => {
            crate::device::grant(state, &client, &params)
        }
        other => Err(OAuthError::unsupported_grant_type(format!(
            "The grant type {other:?} is not supported."
        ))),
    }
}

fn authorization_code(
    state: &AppState,
    client: &DevClient,
    params: &Params,
) -> Result<Response, OAuthError> {
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required."))?;
    let redirect_uri = params.get("redirect_uri");
    if redirect_uri.is_none() && !state.settings.allow_minimal_token_requests {
        return Err(OAuthError::invalid_request(
            "redirect_uri is required: send the one used in the authorization request.",
        ));
    }
    let verifier = params.get("code_verifier");

    let (entry, grant) = {
        let mut store = state.store();
        let entry = store
            .redeem_code(code, &client.id)
            .map_err(|e| OAuthError::invalid_grant(e.description("authorization code")))?;
        // The code is spent from here on: any failure below also revokes it.
        let checked = check_binding(&entry, redirect_uri, verifier);
        let grant = store.grant(&entry.grant_id).cloned();
        if checked.is_err() {
            store.revoke_grant(&entry.grant_id);
        }
        checked?;
        let grant = grant
            .filter(|g| !g.revoked)
            .ok_or_else(|| OAuthError::invalid_grant(RedeemError::Revoked.description("grant")))?;
        (entry, grant)
    };
    let scope = grant.scope.clone();
    issue(
        state,
        client,
        &entry.grant_id,
        &grant,
        &scope,
        entry.nonce.as_deref(),
    )
}

/// The redirect URI and PKCE verifier must match the authorization request.
fn check_binding(
    entry: &crate::store::CodeEntry,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<(), OAuthError> {
    if redirect_uri.is_some_and(|uri| uri != entry.redirect_uri) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the one in the authorization request.",
        ));
    }
    match (&entry.code_challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier was sent but the authorization request had no code_challenge.",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant(
            "code_verifier is required (PKCE).",
        )),
        (Some(challenge), Some(verifier)) => {
            if !is_valid_verifier(verifier) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~].",
                ));
            }
            if ct_eq(&b64url(sha256(verifier)), challenge) {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge.",
                ))
            }
        }
    }
}

/// RFC 7636 section 4.1.
fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn refresh_token(
    state: &AppState,
    client: &DevClient,
    params: &Params,
) -> Result<Response, OAuthError> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required."))?;
    let (grant_id, grant) = state
        .store()
        .redeem_refresh_token(token, &client.id)
        .map_err(|e| OAuthError::invalid_grant(e.description("refresh token")))?;
    let scope = match params.get("scope") {
        None => grant.scope.clone(),
        Some(requested) => {
            let granted: Vec<&str> = grant.scope.split(' ').collect();
            let requested: Vec<&str> = requested.split(' ').filter(|s| !s.is_empty()).collect();
            if let Some(extra) = requested.iter().find(|s| !granted.contains(s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "The scope {extra:?} was not granted originally."
                )));
            }
            requested.join(" ")
        }
    };
    issue(state, client, &grant_id, &grant, &scope, None)
}

/// Mint the access token, ID token and rotated refresh token.
pub(crate) fn issue(
    state: &AppState,
    client: &DevClient,
    grant_id: &str,
    grant: &Grant,
    scope: &str,
    nonce: Option<&str>,
) -> Result<Response, OAuthError> {
    let account = state
        .store()
        .account_by_sub(&grant.sub)
        .cloned()
        .ok_or_else(|| OAuthError::invalid_grant("The user no longer exists."))?;
    let ttl = state.settings.token_ttl.as_secs();
    let server_error = |e: tokens::TokenError| OAuthError::server_error(e.to_string());

    let audience = match grant.token_audience.as_deref() {
        Some([one]) => json!(one),
        Some(several) => json!(several),
        None => json!(state.access_token_audience(client)),
    };
    let (claims, jti) = access_token_claims(
        state,
        &AccessTokenInput {
            sub: &grant.sub,
            audience,
            client_id: &client.id,
            scope,
            auth_time: grant.auth_time,
            ttl,
        },
    );
    let exp = claims
        .get("exp")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let header = tokens::header(state, state.settings.signing_alg, TYP_ACCESS_TOKEN);
    let access_token = state
        .access_token(&client.id, header, claims, true)
        .map_err(server_error)?;

    let id_alg = state.id_token_alg(client);
    let hash = at_hash(&access_token, id_alg);
    let name = scope
        .split(' ')
        .any(|s| s == "profile")
        .then_some(account.name.as_deref())
        .flatten();
    let claims = id_token_claims(
        state,
        &IdTokenInput {
            sub: &grant.sub,
            client_id: &client.id,
            auth_time: grant.auth_time,
            nonce,
            email: &account.user.email,
            email_verified: account.user.email_verified,
            name,
            at_hash: &hash,
            sid: &grant.sid,
            acr: grant.acr.as_deref(),
            ttl,
        },
    );
    let header = tokens::header(state, id_alg, TYP_ID_TOKEN);
    let id_token = state
        .mint(TokenKind::IdToken, &client.id, header, claims)
        .map_err(server_error)?;

    let refresh_token = {
        let mut store = state.store();
        store.record_access_token(&jti, grant_id, exp);
        store.issue_refresh_token(grant_id)
    };
    tracing::info!(client_id = %client.id, sub = %grant.sub, "tokens issued");

    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "id_token": id_token,
        "refresh_token": refresh_token,
        "scope": scope,
    });
    // The guide's inline userinfo; real providers have none.
    if state.profile().inline_userinfo() {
        let mut userinfo = json!({
            "sub": account.user.sub,
            "email": account.user.email,
            "email_verified": account.user.email_verified,
        });
        if let (Some(name), Some(obj)) = (name, userinfo.as_object_mut()) {
            obj.insert("name".into(), name.into());
        }
        if let Some(obj) = body.as_object_mut() {
            obj.insert("userinfo".into(), userinfo);
        }
    }
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_format() {
        assert!(is_valid_verifier(&"a".repeat(43)));
        assert!(is_valid_verifier(&"~._-".repeat(32)));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn rfc7636_example() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            b64url(sha256(verifier)),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
