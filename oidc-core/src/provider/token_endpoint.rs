//! The token endpoint: the request's client authentication and the strict
//! parsing of its response (RFC 6749 sections 5.1 and 5.2).

use crate::client::Client;
use crate::error::TokenError;
use crate::jose::jws::StrictObject;
use crate::provider::client_auth::authenticated_request;
use crate::provider::http::Response;
use crate::provider::trace::{self, step_span};
use crate::secret::{AccessToken, IdTokenJwt, RefreshToken};
use crate::util::unix_now;
use reqwest::header::HeaderValue;
use serde_json::{Map, Value};

/// The tokens of a login, as issued by the token endpoint.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token, to call APIs (and UserInfo) with.
    pub access_token: AccessToken,
    /// The token type (always `Bearer` here).
    pub token_type: String,
    /// When the access token expires, in seconds since the epoch, if known.
    pub expires_at: Option<i64>,
    /// The refresh token, if the provider issued one.
    pub refresh_token: Option<RefreshToken>,
    /// The granted scopes, if the provider said.
    pub scope: Option<String>,
    /// The ID token as received (for `id_token_hint` at logout).
    pub id_token: Option<IdTokenJwt>,
}

impl TokenSet {
    /// Whether the access token has expired, or expires within `leeway`.
    pub fn access_token_expired(&self, leeway: std::time::Duration) -> bool {
        let leeway = i64::try_from(leeway.as_secs()).unwrap_or(i64::MAX);
        self.expires_at
            .is_some_and(|at| unix_now().saturating_add(leeway) >= at)
    }
}

/// A parsed successful token response.
#[derive(Debug)]
pub(crate) struct TokenResponse {
    pub(crate) tokens: TokenSet,
    /// The guide's inline `userinfo` object, if present.
    pub(crate) userinfo: Option<Map<String, Value>>,
}

/// The body and `Authorization` header of a token request: the grant's
/// parameters plus the client authentication of the negotiated method.
pub(crate) fn token_request(
    client: &Client,
    params: &[(&str, &str)],
) -> Result<(String, Option<HeaderValue>), TokenError> {
    let endpoint = &client.metadata().token_endpoint;
    authenticated_request(client.credentials(), client.auth_method(), endpoint, params)
}

/// Sends a token request (from [`token_request`]) for `grant` and parses
/// the answer, in the `oidc.token_request` span.
pub(crate) async fn request(
    client: &Client,
    grant: &'static str,
    body: String,
    authorization: Option<HeaderValue>,
) -> Result<TokenResponse, TokenError> {
    let endpoint = &client.metadata().token_endpoint;
    let span = step_span!("oidc.token_request", trace::host(endpoint), grant = grant);
    trace::timed(span, async {
        parse(
            &client
                .http()
                .post_form(endpoint, body, authorization)
                .await?,
        )
    })
    .await
}

/// Parses the token endpoint's answer: a success, or an OAuth error.
pub(crate) fn parse(response: &Response) -> Result<TokenResponse, TokenError> {
    let object = if response.is_json() {
        serde_json::from_slice::<StrictObject>(&response.body)
            .map(|o| o.0)
            .map_err(|e| TokenError::InvalidResponse(format!("not a JSON object: {e}")))
    } else {
        Err(TokenError::InvalidResponse(format!(
            "expected JSON, got content type `{}`",
            response.content_type().unwrap_or("none")
        )))
    };
    if response.status != 200 {
        // An OAuth error body if there is one; otherwise the status.
        if let Ok(object) = &object
            && let Some(Value::String(error)) = object.get("error")
        {
            return Err(TokenError::Provider {
                error: error.clone(),
                description: string_member(object, "error_description").ok().flatten(),
                uri: string_member(object, "error_uri").ok().flatten(),
                status: response.status,
            });
        }
        return Err(TokenError::InvalidResponse(format!(
            "HTTP status {} without an OAuth error body",
            response.status
        )));
    }
    let mut object = object?;
    if let Some(Value::String(error)) = object.get("error") {
        return Err(TokenError::Provider {
            error: error.clone(),
            description: string_member(&object, "error_description")?,
            uri: string_member(&object, "error_uri")?,
            status: response.status,
        });
    }
    let access_token = string_member(&object, "access_token")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| TokenError::InvalidResponse("`access_token` is missing".into()))?;
    let userinfo = match object.remove("userinfo") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => return Err(invalid("userinfo", "an object")),
    };
    // RFC 6749 5.1 requires token_type. The guide's provider omits it, and
    // its responses are recognisable by the inline `userinfo` object: only
    // that shape may leave it out (meaning Bearer). Anything else without
    // it is not a token response this client understands, refused before
    // the access token is sent anywhere (UserInfo). A present type other
    // than Bearer is refused too (no DPoP or MAC support).
    let token_type = match string_member(&object, "token_type")? {
        Some(token_type) => token_type,
        None if userinfo.is_some() => "Bearer".into(),
        None => {
            return Err(TokenError::InvalidResponse(
                "`token_type` is missing (RFC 6749 section 5.1 requires it)".into(),
            ));
        }
    };
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::UnsupportedTokenType(token_type));
    }
    let expires_in = match object.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| invalid("expires_in", "a non-negative integer"))?,
        ),
        Some(Value::String(s)) => Some(
            s.parse::<u64>()
                .map_err(|_| invalid("expires_in", "a non-negative integer"))?,
        ),
        Some(_) => return Err(invalid("expires_in", "a number")),
    };
    let tokens = TokenSet {
        access_token: AccessToken::new(access_token),
        token_type,
        expires_at: expires_in
            .map(|secs| unix_now().saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))),
        refresh_token: string_member(&object, "refresh_token")?.map(RefreshToken::new),
        scope: string_member(&object, "scope")?,
        id_token: string_member(&object, "id_token")?.map(IdTokenJwt::new),
    };
    Ok(TokenResponse { tokens, userinfo })
}

fn string_member(
    object: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, TokenError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(name, "a string")),
    }
}

fn invalid(name: &str, expected: &str) -> TokenError {
    TokenError::InvalidResponse(format!("`{name}` must be {expected}"))
}

#[cfg(test)]
mod tests;
