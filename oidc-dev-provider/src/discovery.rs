//! Provider metadata (OpenID Connect Discovery 1.0) and the JWKS.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::config::SigningAlg;
use crate::faults::{JwksFault, apply_edit};
use crate::pages;
use crate::state::AppState;

/// `GET /.well-known/openid-configuration`
pub(crate) async fn openid_configuration(State(state): State<Arc<AppState>>) -> Response {
    let algs: Vec<&str> = SigningAlg::ALL.iter().map(|a| a.as_str()).collect();
    let doc = json!({
        "issuer": state.issuer,
        "authorization_endpoint": state.endpoint("/authorize"),
        "token_endpoint": state.endpoint("/token"),
        "userinfo_endpoint": state.endpoint("/userinfo"),
        "jwks_uri": state.endpoint("/jwks"),
        "end_session_endpoint": state.endpoint("/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "userinfo_signing_alg_values_supported": ["none"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_post", "client_secret_basic", "none"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account", "create"],
        "scopes_supported": ["openid", "email", "profile", "offline_access"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
            "email", "email_verified", "name",
        ],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
    });
    json_response(doc)
}

/// `GET /jwks`: the public signing keys.
pub(crate) async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    let set = state.keys().jwks();
    match serde_json::to_value(&set) {
        Ok(mut doc) => {
            apply_jwks_faults(&state, &mut doc);
            json_response(doc)
        }
        Err(_) => crate::oauth_error::OAuthError::server_error("The key set cannot be serialized.")
            .into_response(),
    }
}

/// Injected [`JwksFault`]s: extra keys, the encryption key, edited keys.
fn apply_jwks_faults(state: &AppState, doc: &mut Value) {
    let faults = state.faults().for_jwks();
    let Some(keys) = doc.get_mut("keys").and_then(Value::as_array_mut) else {
        return;
    };
    for fault in faults {
        match fault {
            JwksFault::ExtraKey(alg) => {
                if let Some(jwk) = state
                    .faults()
                    .extra_key(alg)
                    .and_then(|key| serde_json::to_value(&key.jwk).ok())
                {
                    keys.push(jwk);
                }
            }
            JwksFault::PublishEncryptionKey => {
                if let Some(jwk) = state
                    .faults()
                    .encryption_key()
                    .and_then(|key| serde_json::to_value(&key.jwk).ok())
                {
                    keys.push(jwk);
                }
            }
            JwksFault::EditKeys { alg, edit } => {
                for key in keys.iter_mut() {
                    let selected = alg.is_none_or(|alg| {
                        key.get("alg").and_then(Value::as_str) == Some(alg.as_str())
                    });
                    if selected {
                        apply_edit(key, &edit);
                    }
                }
            }
        }
    }
}

/// `GET /`: a short landing page.
pub(crate) async fn home(State(state): State<Arc<AppState>>) -> Response {
    pages::home(&state.issuer)
}

fn json_response(doc: serde_json::Value) -> Response {
    // No caching headers: after `rotate_keys` a client must be able to
    // refetch at once.
    Json(doc).into_response()
}
