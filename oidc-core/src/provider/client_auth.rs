//! Client authentication at the provider's endpoints that authenticate
//! clients like the token endpoint does (RFC 6749 section 2.3): the token
//! endpoint itself, revocation (RFC 7009 section 2.1), introspection
//! (RFC 7662 section 2.1) and device authorization (RFC 8628 section 3.1).

use crate::config::AuthMethod;
use crate::error::TokenError;
use crate::secret::ClientSecret;
use base64::Engine;
use reqwest::header::HeaderValue;
use url::Url;

/// Who the client is and what it proves that with: what every
/// authenticated request needs, whether it comes from a [`Client`](crate::Client)
/// or from an API's [`AccessTokenVerifier`](crate::AccessTokenVerifier).
#[derive(Debug, Clone)]
pub(crate) struct ClientCredentials {
    pub(crate) client_id: String,
    pub(crate) secret: Option<ClientSecret>,
}

/// The body and `Authorization` header of a request to `endpoint` (the
/// URL the request goes to): `params` plus the client authentication of
/// `method`.
pub(crate) fn authenticated_request(
    credentials: &ClientCredentials,
    method: AuthMethod,
    endpoint: &Url,
    params: &[(&str, &str)],
) -> Result<(String, Option<HeaderValue>), TokenError> {
    let _ = endpoint;
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(params);
    let authorization = client_auth(
        method,
        &credentials.client_id,
        credentials.secret.as_ref(),
        &mut form,
    );
    Ok((form.finish(), authorization))
}

/// Form fields and header for the client authentication method.
fn client_auth(
    method: AuthMethod,
    client_id: &str,
    secret: Option<&ClientSecret>,
    form: &mut url::form_urlencoded::Serializer<'_, String>,
) -> Option<HeaderValue> {
    match (method, secret) {
        (AuthMethod::ClientSecretBasic, Some(secret)) => {
            // RFC 6749 2.3.1: both parts are form-urlencoded before base64.
            let encode =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let credentials = format!("{}:{}", encode(client_id), encode(secret.secret()));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).ok()?;
            value.set_sensitive(true);
            Some(value)
        }
        (AuthMethod::ClientSecretPost, Some(secret)) => {
            form.append_pair("client_id", client_id);
            form.append_pair("client_secret", secret.secret());
            None
        }
        _ => {
            form.append_pair("client_id", client_id);
            None
        }
    }
}

#[cfg(test)]
mod tests;
