//! Client authentication at the provider's endpoints that authenticate
//! clients like the token endpoint does (RFC 6749 section 2.3): the token
//! endpoint itself, revocation (RFC 7009 section 2.1), introspection
//! (RFC 7662 section 2.1) and device authorization (RFC 8628 section 3.1).
//! With a secret (`client_secret_post`, `client_secret_basic`), a JWT
//! signed with the secret (`client_secret_jwt`) or with the client's key
//! (`private_key_jwt`, RFC 7523 and OpenID Connect Core 1.0 section 9).

mod assertion;

use crate::config::{AuthMethod, ClientKey, SecretFn, SigningAlgorithm};
use crate::error::TokenError;
use crate::secret::ClientSecret;
use base64::Engine;
use reqwest::header::HeaderValue;
use std::fmt;
use url::Url;

/// Who the client is and what it proves that with: what every
/// authenticated request needs, whether it comes from a [`Client`](crate::Client)
/// or from an API's [`AccessTokenVerifier`](crate::AccessTokenVerifier).
/// [`ClientCredentials::new`] makes one with a secret (or none) only.
#[derive(Clone)]
pub(crate) struct ClientCredentials {
    pub(crate) client_id: String,
    pub(crate) secret: Option<ClientSecret>,
    /// Asked for the secret at each request, instead of `secret`.
    pub(crate) secret_fn: Option<SecretFn>,
    /// The key of `private_key_jwt` and the algorithm negotiated for it.
    pub(crate) key: Option<(ClientKey, SigningAlgorithm)>,
    /// The `aud` of assertions (the token endpoint or the issuer); `None`:
    /// the URL of the endpoint being called.
    pub(crate) assertion_audience: Option<String>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("secret_fn", &self.secret_fn.as_ref().map(|_| "<callback>"))
            .field("key", &self.key)
            .field("assertion_audience", &self.assertion_audience)
            .finish()
    }
}

impl ClientCredentials {
    /// Credentials of a client with a static secret, or none (public).
    pub(crate) fn new(client_id: impl Into<String>, secret: Option<ClientSecret>) -> Self {
        Self {
            client_id: client_id.into(),
            secret,
            secret_fn: None,
            key: None,
            assertion_audience: None,
        }
    }

    /// Whether `method` can be used with these credentials.
    pub(crate) fn supports(&self, method: AuthMethod) -> bool {
        match method {
            AuthMethod::PrivateKeyJwt => self.key.is_some(),
            AuthMethod::None => true,
            _ => self.secret.is_some() || self.secret_fn.is_some(),
        }
    }

    /// The secret: the static one, or the callback's answer now.
    fn current_secret(&self) -> Result<Option<ClientSecret>, TokenError> {
        match &self.secret_fn {
            Some(f) => f().map(Some).map_err(TokenError::ClientSecretUnavailable),
            None => Ok(self.secret.clone()),
        }
    }
}

/// The body and `Authorization` header of a request to `endpoint` (the
/// URL the request goes to): `params` plus the client authentication of
/// `method`. Fails when the secret callback or the assertion's signature
/// fails; nothing is sent then.
pub(crate) fn authenticated_request(
    credentials: &ClientCredentials,
    method: AuthMethod,
    endpoint: &Url,
    params: &[(&str, &str)],
) -> Result<(String, Option<HeaderValue>), TokenError> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(params);
    let client_id = credentials.client_id.as_str();
    let audience = credentials
        .assertion_audience
        .as_deref()
        .unwrap_or(endpoint.as_str());
    let authorization = match method {
        AuthMethod::PrivateKeyJwt => {
            let (key, alg) = credentials.key.as_ref().ok_or_else(|| {
                TokenError::ClientAssertion("no private key is configured".into())
            })?;
            let jwt = assertion::sign_with_key(key, *alg, client_id, audience)?;
            assertion::append(&mut form, client_id, &jwt);
            None
        }
        AuthMethod::ClientSecretJwt => {
            let secret = credentials.current_secret()?.ok_or_else(|| {
                TokenError::ClientAssertion("no client secret is configured".into())
            })?;
            let jwt = assertion::sign_with_secret(&secret, client_id, audience)?;
            assertion::append(&mut form, client_id, &jwt);
            None
        }
        AuthMethod::ClientSecretPost | AuthMethod::ClientSecretBasic => {
            let secret = credentials.current_secret()?;
            client_auth(method, client_id, secret.as_ref(), &mut form)
        }
        AuthMethod::None => client_auth(method, client_id, None, &mut form),
    };
    Ok((form.finish(), authorization))
}

/// Form fields and header for the secret-based methods and `none`.
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
