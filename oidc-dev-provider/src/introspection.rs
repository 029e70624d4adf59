//! Token introspection (RFC 7662) and opaque access tokens.
//!
//! With [`DevProviderBuilder::opaque_access_tokens`] the provider issues
//! access tokens that are random strings instead of JWTs: the store keeps
//! their claims (under the token's SHA-256 digest only), and an API learns
//! them at the introspection endpoint, served and published as
//! `introspection_endpoint` when
//! [`DevProviderBuilder::introspection_endpoint`] (or the profile) enables
//! it. The endpoint authenticates clients as the token endpoint does (its
//! published `introspection_endpoint_auth_methods_supported` is the token
//! endpoint's list); public clients may not introspect.
//!
//! The answer is `{"active": false}` for a token that is unknown, expired,
//! revoked at the revocation endpoint, an opaque token whose grant was
//! revoked (sign-out, refresh-token revocation), or a JWT that does not
//! verify; otherwise `"active": true` with the token's claims and
//! `token_type` `Bearer`. (A JWT access token stays active when only its
//! grant is revoked: the store does not tell a user's JWT from one minted
//! by the `testing` helpers.)

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::client_auth::{answer, authenticated_form};
use crate::faults::TokenKind;
use crate::oauth_error::OAuthError;
use crate::provider::DevProviderBuilder;
use crate::state::AppState;
use crate::tokens::{JsonMap, TYP_ACCESS_TOKEN, TokenError};
use crate::util::{now_secs, random_token, secret_key};

impl DevProviderBuilder {
    /// Serve and publish an `introspection_endpoint` (RFC 7662) at
    /// `/introspect` (Keycloak profile:
    /// `/realms/dev/protocol/openid-connect/token/introspect`), or not.
    /// Default: on for [`Profile::Guide`](crate::Profile::Guide), off for
    /// the other profiles (as for revocation).
    pub fn introspection_endpoint(mut self, enabled: bool) -> Self {
        self.introspection = Some(enabled);
        self
    }

    /// Issue opaque access tokens (random strings the provider remembers,
    /// with their `sub`, client, scope, audience and expiry) instead of
    /// RFC 9068 JWTs, at every grant. An API then needs introspection to
    /// check them; UserInfo and revocation accept them too. Default: off.
    pub fn opaque_access_tokens(mut self, enabled: bool) -> Self {
        self.settings.opaque_access_tokens = enabled;
        self
    }
}

/// One opaque access token's record.
#[derive(Debug, Clone)]
struct OpaqueToken {
    claims: JsonMap,
    exp: u64,
    /// Issued with a user's grant: inactive once the grant is revoked.
    grant_bound: bool,
}

/// The opaque access tokens issued, and the JWT access tokens revoked one
/// by one (a JWT's signature outlives its revocation).
#[derive(Debug, Default)]
pub(crate) struct IntrospectionStore {
    /// `secret_key(token)` -> its record.
    opaque: HashMap<String, OpaqueToken>,
    /// `jti` -> `exp` of revoked JWT access tokens (forgotten once expired).
    revoked_jwts: HashMap<String, u64>,
}

impl IntrospectionStore {
    fn insert(&mut self, token: &str, claims: JsonMap, grant_bound: bool) {
        let now = now_secs();
        self.opaque.retain(|_, t| t.exp > now);
        let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
        self.opaque.insert(
            secret_key(token),
            OpaqueToken {
                claims,
                exp,
                grant_bound,
            },
        );
    }

    /// The claims of an opaque token issued here (expired or not).
    pub(crate) fn opaque_claims(&self, token: &str) -> Option<&JsonMap> {
        self.opaque.get(&secret_key(token)).map(|t| &t.claims)
    }

    /// Forgets an opaque token: `true` if it was one.
    pub(crate) fn revoke_opaque(&mut self, token: &str) -> bool {
        self.opaque.remove(&secret_key(token)).is_some()
    }

    /// Remembers a revoked JWT access token until it expires.
    pub(crate) fn revoke_jwt(&mut self, jti: &str, exp: u64) {
        let now = now_secs();
        self.revoked_jwts.retain(|_, e| *e > now);
        self.revoked_jwts.insert(jti.to_owned(), exp);
    }
}

impl AppState {
    /// The access token for `claims`: an opaque string the store
    /// remembers when opaque access tokens are on, else the signed JWT.
    pub(crate) fn access_token(
        &self,
        client_id: &str,
        header: JsonMap,
        claims: JsonMap,
        grant_bound: bool,
    ) -> Result<String, TokenError> {
        if !self.settings.opaque_access_tokens {
            return self.mint(TokenKind::AccessToken, client_id, header, claims);
        }
        let token = random_token(32);
        self.store()
            .introspection
            .insert(&token, claims, grant_bound);
        Ok(token)
    }

    /// The claims of a valid (unexpired, unrevoked) opaque access token.
    pub(crate) fn active_opaque_token(&self, token: &str) -> Option<JsonMap> {
        let store = self.store();
        let record = store.introspection.opaque.get(&secret_key(token))?;
        if record.exp <= now_secs() {
            return None;
        }
        let jti = record.claims.get("jti").and_then(Value::as_str)?;
        if record.grant_bound && store.access_token_grant(jti).is_none() {
            return None;
        }
        Some(record.claims.clone())
    }

    /// The claims of `token` if it is an active access token of this
    /// provider, opaque or JWT.
    fn active_claims(&self, token: &str) -> Option<JsonMap> {
        if let Some(claims) = self.active_opaque_token(token) {
            return Some(claims);
        }
        let claims = self.verify(token, TYP_ACCESS_TOKEN, true).ok()?;
        let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
        if self.store().introspection.revoked_jwts.contains_key(jti) {
            return None;
        }
        Some(claims)
    }
}

/// `POST /introspect` with `token` (and an optional `token_type_hint`).
pub(crate) async fn introspect(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut client_id = None;
    let result = handle(&state, &headers, &body, &mut client_id).map(|body| {
        let mut response = Json(body).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    });
    answer(
        result,
        "introspection request refused",
        client_id.as_deref(),
    )
}

fn handle(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    client_id: &mut Option<String>,
) -> Result<Value, OAuthError> {
    let (client, params) =
        authenticated_form(state, headers, body, "introspection request", client_id)?;
    // RFC 7662 section 2.1: the caller must be authorized; a public client
    // proves nothing.
    if !client.is_confidential() {
        return Err(OAuthError::invalid_client(
            "A public client may not introspect tokens.",
        ));
    }
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required."))?;
    let Some(claims) = state.active_claims(token) else {
        tracing::info!(client_id = %client.id, "introspection: inactive token");
        return Ok(json!({"active": false}));
    };
    let mut answer = JsonMap::new();
    answer.insert("active".into(), true.into());
    for name in [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "nbf",
        "client_id",
        "scope",
        "jti",
        "auth_time",
        "acr",
    ] {
        if let Some(value) = claims.get(name) {
            answer.insert(name.into(), value.clone());
        }
    }
    answer.insert("token_type".into(), "Bearer".into());
    tracing::info!(client_id = %client.id, "introspection: active token");
    Ok(Value::Object(answer))
}
