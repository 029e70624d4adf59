//! `Login<Unstarted>` → `Login<Redirected>`: the authorization request.

use super::{Login, LoginState, ReadyToRedirect, Redirected, Unstarted};
use crate::config::{Prompt, PromptCreate};
use crate::error::AuthorizeError;
use crate::flow::pending::PendingLogin;
use crate::secret::{CsrfState, Nonce, PkceVerifier};
use crate::util::unix_now;
use crate::util::{b64url, random_token};
use std::fmt;
use url::Url;

/// Parameters the flow sets itself; an extra parameter may not override them.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "prompt",
    "login_hint",
    "max_age",
    "request",
    "request_uri",
];

/// Where to send the user's browser to sign in.
///
/// Its `Debug` shows the URL with the `state` and `nonce` values redacted:
/// they are the login's secrets until its callback. [`url`](Self::url)
/// gives the real one.
#[derive(Clone)]
pub struct AuthorizationRequest {
    url: Url,
}

/// Parameters of the authorization URL that `Debug` does not show.
const SECRET_PARAMS: &[&str] = &["state", "nonce"];

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.url.clone();
        let pairs: Vec<(String, String)> = self
            .url
            .query_pairs()
            .map(|(name, value)| {
                let value = if SECRET_PARAMS.contains(&name.as_ref()) {
                    "REDACTED".to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
        f.debug_struct("AuthorizationRequest")
            .field("url", &shown.as_str())
            .finish()
    }
}

impl AuthorizationRequest {
    /// The authorization URL (redirect the browser here with a 303).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The authorization URL, owned.
    pub fn into_url(self) -> Url {
        self.url
    }
}

/// The S256 code challenge of a verifier (RFC 7636 section 4.2).
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    b64url(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref())
}

impl<S: LoginState> Login<S> {
    /// Builds the authorization request and moves the login to
    /// [`Redirected`]. Fresh `state`, `nonce` and PKCE verifier (256 bits
    /// each) are generated for every login.
    ///
    /// Fails if a `prompt` is not usable with this provider (`create` is
    /// refused when the provider publishes `prompt_values_supported`
    /// without it, unless [`ClientConfig::prompt_create`](crate::ClientConfig::prompt_create)
    /// says otherwise), an extra parameter tries to override one the flow
    /// sets, or a parameter is given twice (RFC 6749 section 3.1). The
    /// requested `acr_values` are kept in the pending login, to be checked
    /// at [`Login::exchange`].
    pub fn redirect(self) -> Result<(AuthorizationRequest, Login<Redirected>), AuthorizeError>
    where
        S: ReadyToRedirect,
    {
        let Login { client, state } = self;
        let state = state.into_unstarted();
        let Unstarted {
            prompts,
            login_hint,
            max_age,
            extra,
            acr_values,
            app_data,
        } = state;
        let metadata = client.metadata();
        let config = client.config();
        if prompts.contains(&Prompt::None) && prompts.len() > 1 {
            return Err(AuthorizeError::PromptNoneCombined);
        }
        if prompts.contains(&Prompt::Create) {
            let allowed = match config.prompt_create {
                PromptCreate::Supported => true,
                PromptCreate::Unsupported => false,
                PromptCreate::FromMetadata => {
                    metadata.prompt_values_supported.is_none()
                        || metadata.supports_prompt(Prompt::Create)
                }
            };
            if !allowed {
                return Err(AuthorizeError::PromptNotSupported {
                    prompt: Prompt::Create.to_string(),
                    advertised: match &metadata.prompt_values_supported {
                        Some(values) if !values.is_empty() => values.join(", "),
                        Some(_) => "nothing".into(),
                        None => "no list; refused by the client configuration".into(),
                    },
                });
            }
        }
        // The configuration's parameters first, then the login's own.
        let extra: Vec<(String, String)> = config
            .authorization_params
            .iter()
            .cloned()
            .chain(extra)
            .collect();
        if let Some((name, _)) = extra
            .iter()
            .find(|(name, _)| RESERVED.contains(&name.as_str()))
        {
            return Err(AuthorizeError::ReservedParameter(name.clone()));
        }
        let acr_values = requested_acr_values(&extra, acr_values)?;

        let csrf_state = random_token().ok_or(AuthorizeError::Random)?;
        let nonce = random_token().ok_or(AuthorizeError::Random)?;
        let verifier = random_token().ok_or(AuthorizeError::Random)?;
        let scope = config.scopes.join(" ");
        let mut url = metadata.authorization_endpoint.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &config.client_id)
                .append_pair("redirect_uri", &config.redirect_uri)
                .append_pair("scope", &scope)
                .append_pair("state", &csrf_state)
                .append_pair("nonce", &nonce)
                .append_pair("code_challenge", &pkce_challenge(&verifier))
                .append_pair("code_challenge_method", "S256")
                .append_pair("response_mode", config.response_mode.as_str());
            if !prompts.is_empty() {
                let joined: Vec<&str> = prompts.iter().map(|p| p.as_str()).collect();
                query.append_pair("prompt", &joined.join(" "));
            }
            if let Some(hint) = &login_hint {
                query.append_pair("login_hint", hint);
            }
            if let Some(max_age) = max_age {
                query.append_pair("max_age", &max_age.as_secs().to_string());
            }
            for (name, value) in &extra {
                query.append_pair(name, value);
            }
            if let RequestedAcr::FromLogin(values) = &acr_values {
                query.append_pair(ACR_VALUES, &values.join(" "));
            }
        }

        let now = unix_now();
        let ttl = i64::try_from(config.limits.pending_login_ttl.as_secs()).unwrap_or(i64::MAX);
        let pending = PendingLogin {
            issuer: config.issuer.clone(),
            client_id: config.client_id.clone(),
            state: CsrfState::new(csrf_state),
            nonce: Nonce::new(nonce),
            pkce_verifier: PkceVerifier::new(verifier),
            redirect_uri: config.redirect_uri.clone(),
            response_mode: config.response_mode,
            created_at: now,
            expires_at: now.saturating_add(ttl),
            max_age: max_age.map(|d| d.as_secs()),
            app_data,
            acr_values: acr_values.into_values(),
        };
        Ok((
            AuthorizationRequest { url },
            Login {
                client,
                state: Redirected { pending },
            },
        ))
    }
}

/// The parameter whose values the ID token's `acr` is checked against.
const ACR_VALUES: &str = "acr_values";

/// Where a login's `acr_values` come from: they are checked the same way
/// whichever way the application gave them.
enum RequestedAcr {
    /// None asked for.
    None,
    /// An extra parameter (configuration or [`Login::param`]), already in
    /// the request.
    FromParam(Vec<String>),
    /// [`Login::acr_values`]: still to be added to the request.
    FromLogin(Vec<String>),
}

impl RequestedAcr {
    fn into_values(self) -> Vec<String> {
        match self {
            Self::None => Vec::new(),
            Self::FromParam(values) | Self::FromLogin(values) => values,
        }
    }
}

/// Refuses a parameter given twice (RFC 6749 section 3.1), counting
/// [`Login::acr_values`] as `acr_values`, and returns the requested values.
fn requested_acr_values(
    extra: &[(String, String)],
    from_login: Vec<String>,
) -> Result<RequestedAcr, AuthorizeError> {
    let mut seen: Vec<&str> = Vec::with_capacity(extra.len() + 1);
    if !from_login.is_empty() {
        seen.push(ACR_VALUES);
    }
    for (name, _) in extra {
        if seen.contains(&name.as_str()) {
            return Err(AuthorizeError::DuplicateParameter(name.clone()));
        }
        seen.push(name);
    }
    if !from_login.is_empty() {
        return Ok(RequestedAcr::FromLogin(from_login));
    }
    Ok(extra
        .iter()
        .find(|(name, _)| name == ACR_VALUES)
        .map_or(RequestedAcr::None, |(_, value)| {
            RequestedAcr::FromParam(value.split_whitespace().map(str::to_owned).collect())
        }))
}

#[cfg(test)]
mod tests;
