//! Provider metadata (OpenID Connect Discovery 1.0) and the JWKS.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::config::SigningAlg;
use crate::faults::{JwksFault, apply_edit};
use crate::pages;
use crate::profile::{ENTRA_TENANT_PLACEHOLDER, Profile, entra_issuer};
use crate::state::AppState;

/// `GET /.well-known/openid-configuration` (Keycloak profile:
/// `/realms/dev/.well-known/openid-configuration`)
pub(crate) async fn openid_configuration(State(state): State<Arc<AppState>>) -> Response {
    json_response(metadata(&state))
}

/// The provider metadata: the guide's document, or the chosen profile's.
fn metadata(state: &AppState) -> Value {
    let paths = &state.paths;
    let mut doc = match state.profile() {
        Profile::Guide => guide_metadata(),
        Profile::Google => json!({
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": [
                "aud", "email", "email_verified", "exp", "iat", "iss", "name", "sub",
            ],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }),
        Profile::Entra => json!({
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "request_uri_parameter_supported": false,
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "preferred_username",
                "name", "tid", "ver", "at_hash", "email",
            ],
            "frontchannel_logout_supported": false,
            "http_logout_supported": true,
        }),
        Profile::Auth0 => json!({
            "scopes_supported": ["openid", "profile", "offline_access", "name", "email"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["public"],
            "claims_supported": [
                "aud", "auth_time", "email", "email_verified", "exp", "iat", "iss", "name", "sub",
            ],
            "request_uri_parameter_supported": false,
            "request_parameter_supported": false,
            "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
        }),
        Profile::Keycloak => json!({
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [
                "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                "PS256", "PS384", "PS512", "EdDSA",
            ],
            "userinfo_signing_alg_values_supported": [
                "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                "PS256", "PS384", "PS512", "EdDSA", "none",
            ],
            "response_modes_supported": [
                "query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt",
                "jwt",
            ],
            "token_endpoint_auth_signing_alg_values_supported": [
                "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                "PS256", "PS384", "PS512", "EdDSA",
            ],
            "claims_supported": [
                "aud", "sub", "iss", "auth_time", "name", "preferred_username", "email", "email_verified",
            ],
            "claim_types_supported": ["normal"],
            "claims_parameter_supported": false,
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "require_request_uri_registration": true,
            "authorization_response_iss_parameter_supported": true,
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            "frontchannel_logout_supported": false,
        }),
        Profile::Apple => json!({
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "name"],
            "claims_supported": [
                "aud", "email", "email_verified", "exp", "iat", "is_private_email", "iss",
                "nonce", "sub",
            ],
        }),
    };
    let issuer = match state.profile() {
        Profile::Entra => entra_issuer(&state.issuer, ENTRA_TENANT_PLACEHOLDER),
        _ => state.issuer.clone(),
    };
    let mut members = Map::new();
    members.insert("issuer".into(), issuer.into());
    members.insert(
        "authorization_endpoint".into(),
        state.endpoint(paths.authorize).into(),
    );
    members.insert("token_endpoint".into(), state.endpoint(paths.token).into());
    if let Some(path) = paths.userinfo {
        members.insert("userinfo_endpoint".into(), state.endpoint(path).into());
    }
    members.insert("jwks_uri".into(), state.endpoint(paths.jwks).into());
    if let Some(path) = paths.logout {
        members.insert("end_session_endpoint".into(), state.endpoint(path).into());
    }
    if let Some(methods) = &state.settings.token_auth_methods {
        members.insert(
            "token_endpoint_auth_methods_supported".into(),
            json!(methods),
        );
    }
    // The guide's provider publishes the assertion algorithms it checks
    // when it offers assertions (the other profiles keep their providers'
    // documents).
    let assertions = state.profile() == Profile::Guide
        && state.settings.token_auth_methods.as_ref().is_some_and(|l| {
            l.iter()
                .any(|m| m == "private_key_jwt" || m == "client_secret_jwt")
        });
    if assertions {
        members.insert(
            "token_endpoint_auth_signing_alg_values_supported".into(),
            json!(crate::client_assertion::ALGORITHMS),
        );
    }
    if state.settings.revocation {
        members.insert(
            "revocation_endpoint".into(),
            state.endpoint(paths.revocation).into(),
        );
        // The revocation endpoint authenticates clients like the token
        // endpoint; an absent list would mean client_secret_basic only.
        if let Some(methods) = &state.settings.token_auth_methods {
            members.insert(
                "revocation_endpoint_auth_methods_supported".into(),
                json!(methods),
            );
        }
    }
    if state.settings.introspection {
        members.insert(
            "introspection_endpoint".into(),
            state.endpoint(paths.introspection).into(),
        );
        // Authenticated like the token endpoint (RFC 8414 section 2).
        if let Some(methods) = &state.settings.token_auth_methods {
            members.insert(
                "introspection_endpoint_auth_methods_supported".into(),
                json!(methods),
            );
        }
    }
    if state.settings.device_flow {
        members.insert(
            "device_authorization_endpoint".into(),
            state.endpoint(paths.device_authorization).into(),
        );
        // Listed among the grants where the profile lists them.
        if let Some(Value::Array(grants)) = doc.get_mut("grant_types_supported") {
            grants.push(crate::device::GRANT.into());
        }
    }
    if let Some(methods) = &state.settings.code_challenge_methods {
        members.insert("code_challenge_methods_supported".into(), json!(methods));
    }
    if !state.settings.acr_values.is_empty() {
        members.insert(
            "acr_values_supported".into(),
            json!(state.settings.acr_values),
        );
    }
    if let Some(doc) = doc.as_object_mut() {
        doc.append(&mut members);
    }
    doc
}

/// The integration guide's provider metadata (without the endpoints and the
/// two method lists, which [`metadata`] adds).
fn guide_metadata() -> Value {
    let algs: Vec<&str> = SigningAlg::ALL.iter().map(|a| a.as_str()).collect();
    json!({
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "userinfo_signing_alg_values_supported": ["none"],
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
    })
}

/// `GET /jwks`: the public signing keys.
pub(crate) async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    let set = state.keys().jwks();
    match serde_json::to_value(&set) {
        Ok(mut doc) => {
            apply_jwks_faults(&state, &mut doc);
            let mut response = json_response(doc);
            if let Some(value) = state
                .settings
                .jwks_cache_control
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                response.headers_mut().insert(header::CACHE_CONTROL, value);
            }
            response
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
            JwksFault::Withdraw(alg) => {
                keys.retain(|key| key.get("alg").and_then(Value::as_str) != Some(alg.as_str()));
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
    pages::home(&state.issuer, &state.endpoint(state.paths.discovery))
}

fn json_response(doc: serde_json::Value) -> Response {
    // No caching headers (unless `jwks_cache_control` asks for one): after
    // `rotate_keys` a client must be able to refetch at once.
    Json(doc).into_response()
}
