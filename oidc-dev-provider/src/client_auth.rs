//! Client authentication at the token endpoint: `client_secret_post`,
//! `client_secret_basic` (RFC 6749 section 2.3.1), `none`, or a client
//! assertion (`private_key_jwt`, `client_secret_jwt`: see
//! [`crate::client_assertion`]).

use axum::http::{HeaderMap, header};
use base64::Engine as _;

use crate::config::{ClientAuthMethod, DevClient};
use crate::oauth_error::OAuthError;
use crate::params::Params;
use crate::state::AppState;
use crate::util::ct_eq;

/// The start of every request to an endpoint that authenticates clients
/// (token, revocation, introspection, device authorization): a form body,
/// each parameter at most once, then the client's authentication, whose
/// id goes to `client_id` (for client-scoped faults) as soon as it is
/// known. `request` names the request in the errors ("the token request").
pub(crate) fn authenticated_form(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    request: &str,
    client_id: &mut Option<String>,
) -> Result<(DevClient, Params), OAuthError> {
    if !crate::params::is_form(headers) {
        return Err(OAuthError::invalid_request(format!(
            "The {request} must be application/x-www-form-urlencoded."
        )));
    }
    let params = Params::parse(body);
    if let Some(name) = params.first_duplicate() {
        return Err(OAuthError::invalid_request(format!(
            "The parameter {name} was sent more than once."
        )));
    }
    let client = authenticate(state, headers, &params)?;
    *client_id = Some(client.id.clone());
    Ok((client, params))
}

/// The answer of such an endpoint: the handler's response, or its OAuth
/// error (logged at debug as `refused`), tagged with the client so that
/// faults injected for one client apply.
pub(crate) fn answer(
    result: Result<axum::response::Response, OAuthError>,
    refused: &'static str,
    client_id: Option<&str>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            tracing::debug!(error = error.code(), "{refused}");
            error.into_response()
        }
    };
    crate::faults::tag_client(response, client_id)
}

/// Credentials from an `Authorization: Basic` header.
struct BasicCredentials {
    id: String,
    secret: String,
}

/// Parse `Authorization: Basic`. `Ok(None)` when there is no Basic header.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<BasicCredentials>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed =
        || OAuthError::invalid_client("The Authorization header is not valid HTTP Basic.");
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return Err(malformed());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(format!(
            "The {scheme} authorization scheme is not supported at the token endpoint."
        )));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    // Both parts are form-urlencoded first (RFC 6749 section 2.3.1).
    let decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some(BasicCredentials {
        id: decode(id),
        secret: decode(secret),
    }))
}

/// Authenticate the client of a token request.
pub(crate) fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<DevClient, OAuthError> {
    let basic = basic_credentials(headers)?;
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let assertion =
        params.get("client_assertion").is_some() || params.get("client_assertion_type").is_some();

    let methods_used =
        usize::from(basic.is_some()) + usize::from(body_secret.is_some()) + usize::from(assertion);
    if methods_used > 1 {
        return Err(OAuthError::invalid_request(
            "The client used more than one authentication method.",
        ));
    }
    if assertion {
        let (client, method) = crate::client_assertion::authenticate(state, params)?;
        check_published(state, method)?;
        return allowed(client, method);
    }

    let (id, secret, method) = match (&basic, body_secret) {
        (Some(basic), _) => {
            if body_id.is_some_and(|id| id != basic.id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the Authorization header.",
                ));
            }
            (
                basic.id.as_str(),
                Some(basic.secret.as_str()),
                ClientAuthMethod::ClientSecretBasic,
            )
        }
        (None, Some(secret)) => {
            let Some(id) = body_id else {
                return Err(OAuthError::invalid_request(
                    "client_secret was sent without client_id.",
                ));
            };
            (id, Some(secret), ClientAuthMethod::ClientSecretPost)
        }
        (None, None) => {
            let Some(id) = body_id else {
                return Err(OAuthError::invalid_client(
                    "The client is not authenticated: send client_id (and client_secret).",
                ));
            };
            (id, None, ClientAuthMethod::None)
        }
    };

    check_published(state, method)?;
    let client = state
        .client(id)
        .ok_or_else(|| OAuthError::invalid_client("Unknown client or wrong credentials."))?;
    let client = allowed(client, method)?;
    if let Some(secret) = secret {
        let expected = client.secret.as_deref().unwrap_or("");
        if expected.is_empty() || !ct_eq(secret, expected) {
            return Err(OAuthError::invalid_client(
                "Unknown client or wrong credentials.",
            ));
        }
    }
    Ok(client)
}

/// The provider-wide published methods (an absent member means
/// client_secret_basic only). Public clients (`none`) are accepted
/// whatever the list says.
fn check_published(state: &AppState, method: ClientAuthMethod) -> Result<(), OAuthError> {
    if method == ClientAuthMethod::None {
        return Ok(());
    }
    let published = match &state.settings.token_auth_methods {
        Some(list) => list.iter().any(|m| m == method.as_str()),
        None => method == ClientAuthMethod::ClientSecretBasic,
    };
    if published {
        Ok(())
    } else {
        Err(OAuthError::invalid_client(format!(
            "This provider does not support {method} (see token_endpoint_auth_methods_supported)."
        )))
    }
}

/// The client, if its registration allows `method`.
fn allowed(client: DevClient, method: ClientAuthMethod) -> Result<DevClient, OAuthError> {
    if client.auth_methods.contains(&method) {
        return Ok(client);
    }
    let allowed: Vec<&str> = client.auth_methods.iter().map(|m| m.as_str()).collect();
    Err(OAuthError::invalid_client(format!(
        "This client may not authenticate with {method}; allowed: {}.",
        allowed.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("header"),
        );
        h
    }

    #[test]
    fn basic_is_form_decoded() {
        // "my%3Aid:s%2Bc+r" -> id "my:id", secret "s+c r"
        let enc = base64::engine::general_purpose::STANDARD.encode("my%3Aid:s%2Bc+r");
        let creds = basic_credentials(&headers(&format!("Basic {enc}")))
            .expect("ok")
            .expect("some");
        assert_eq!(creds.id, "my:id");
        assert_eq!(creds.secret, "s+c r");
    }

    #[test]
    fn malformed_basic_is_invalid_client() {
        for value in ["Basic", "Basic !!!", "Bearer abc"] {
            let err = basic_credentials(&headers(value)).err().expect("error");
            assert_eq!(err.code(), "invalid_client");
        }
    }
}
