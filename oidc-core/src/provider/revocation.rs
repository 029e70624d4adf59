//! Token revocation (RFC 7009): the request, authenticated like a token
//! request, and the reading of its answer.
//!
//! Nothing is retried: a `503` (section 2.2.1, "the token still exists")
//! is returned as [`TransportError::Status`], for the caller to log. A
//! revocation is a courtesy at sign-out, and a sign-out should not wait on
//! a provider that is struggling; the tokens still expire on their own.

use crate::client::Client;
use crate::config::AuthMethod;
use crate::error::{TokenError, TransportError};
use crate::provider::client_auth::authenticated_request;
use crate::provider::http::{Response, display_url};
use crate::provider::trace::{self, step_span};
use url::Url;

/// The `token_type_hint` of a revocation request (RFC 7009 section 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenTypeHint {
    AccessToken,
    RefreshToken,
}

impl TokenTypeHint {
    fn as_str(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::RefreshToken => "refresh_token",
        }
    }
}

/// Revokes `token` at the provider's `revocation_endpoint`, in the
/// `oidc.revocation` span.
pub(crate) async fn revoke(
    client: &Client,
    token: &str,
    hint: TokenTypeHint,
) -> Result<(), TokenError> {
    let Some(endpoint) = &client.metadata().revocation_endpoint else {
        return Err(TokenError::RevocationUnsupported);
    };
    let (body, authorization) = authenticated_request(
        client.credentials(),
        auth_method(client),
        endpoint,
        &[("token", token), ("token_type_hint", hint.as_str())],
    )?;
    let span = step_span!(
        "oidc.revocation",
        trace::host(endpoint),
        token_type_hint = hint.as_str()
    );
    trace::timed(span, async {
        let response = client
            .http()
            .post_form(endpoint, body, authorization)
            .await?;
        parse(&response, endpoint)
    })
    .await
}

/// How the client authenticates at the revocation endpoint: as at the
/// token endpoint, unless the provider lists revocation methods without
/// that one; then the first listed method the client can use
/// (`private_key_jwt` with a key, then `client_secret_post`,
/// `client_secret_basic`, `client_secret_jwt` with a secret, `none` for a
/// public client), and else the token endpoint's method anyway, for the
/// provider to judge.
pub(crate) fn auth_method(client: &Client) -> AuthMethod {
    let token_method = client.auth_method();
    let Some(listed) = &client.metadata().revocation_endpoint_auth_methods_supported else {
        return token_method;
    };
    let lists = |method: AuthMethod| listed.iter().any(|m| m == method.as_str());
    if lists(token_method) {
        return token_method;
    }
    let credentials = client.credentials();
    let preference = [
        AuthMethod::PrivateKeyJwt,
        AuthMethod::ClientSecretPost,
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretJwt,
    ];
    let usable: Vec<AuthMethod> = preference
        .into_iter()
        .filter(|m| credentials.supports(*m))
        .collect();
    if usable.is_empty() {
        // A public client.
        return if lists(AuthMethod::None) {
            AuthMethod::None
        } else {
            token_method
        };
    }
    usable
        .into_iter()
        .find(|m| lists(*m))
        .unwrap_or(token_method)
}

/// Reads the answer: `200` is success whatever the body (section 2.2: the
/// token is revoked, or was invalid already); an OAuth error body is
/// [`TokenError::RevocationRefused`]; any other status is
/// [`TransportError::Status`].
pub(crate) fn parse(response: &Response, endpoint: &Url) -> Result<(), TokenError> {
    if response.status == 200 {
        return Ok(());
    }
    if let Some(refusal) = response.oauth_error() {
        return Err(TokenError::RevocationRefused {
            error: refusal.error,
            description: refusal.description,
            status: response.status,
        });
    }
    Err(TransportError::Status {
        url: display_url(endpoint),
        status: response.status,
    }
    .into())
}

#[cfg(test)]
mod tests;
