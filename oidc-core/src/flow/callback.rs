//! `Login<Redirected>` → `Login<CodeReceived>`: the authorization response.

use super::{AwaitingCallback, CodeReceived, Login, LoginState};
use crate::config::ResponseMode;
use crate::error::CallbackError;
use crate::secret::AuthorizationCode;
use crate::util::{Insert, ct_eq};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use url::Url;

/// The largest authorization response accepted, in bytes.
const MAX_CALLBACK_BYTES: usize = 32 * 1024;

/// The most parameters an authorization response may have. A real one has
/// a handful (`code`, `state`, `iss`, `session_state`, Apple's `user`...);
/// a bound keeps the parse's cost independent of what an attacker sends.
const MAX_CALLBACK_PARAMETERS: usize = 24;

/// Parameters a code-flow response never carries: their presence means an
/// injection attempt or a misconfigured provider. `response` is a JARM
/// response (a signed JWT carrying the parameters): this client never asks
/// for one (no `*.jwt` response mode), so one that arrives anyway is not
/// the provider's answer to this login, and its unverified content must not
/// be mistaken for, or mixed with, the plain parameters beside it.
const FORBIDDEN: &[&str] = &[
    "access_token",
    "id_token",
    "token_type",
    "refresh_token",
    "response",
];

/// The authorization response as it arrived at the redirect URI, parsed but
/// not yet checked (that is [`Login::receive`]'s job).
#[derive(Clone)]
pub struct Callback {
    received_by: ResponseMode,
    code: Option<AuthorizationCode>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    error_uri: Option<String>,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("received_by", &self.received_by)
            .field("code", &self.code)
            .field("has_state", &self.state.is_some())
            .field("iss", &self.iss)
            .field("error", &self.error)
            .field("error_description", &self.error_description)
            .finish_non_exhaustive()
    }
}

impl Callback {
    /// A response delivered in the query string of a `GET` (`response_mode=query`).
    /// A leading `?` is ignored.
    pub fn from_query(query: &str) -> Result<Self, CallbackError> {
        Self::parse(
            query.strip_prefix('?').unwrap_or(query).as_bytes(),
            ResponseMode::Query,
        )
    }

    /// A response delivered in the query string of a redirect URI.
    pub fn from_url(url: &Url) -> Result<Self, CallbackError> {
        Self::from_query(url.query().unwrap_or(""))
    }

    /// A response delivered as an `application/x-www-form-urlencoded` `POST`
    /// body (`response_mode=form_post`).
    pub fn from_form_post(body: &[u8]) -> Result<Self, CallbackError> {
        Self::parse(body, ResponseMode::FormPost)
    }

    /// The `state` parameter as received (unchecked), e.g. to find the
    /// cookie of the login it claims to belong to.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// How the response arrived.
    pub fn received_by(&self) -> ResponseMode {
        self.received_by
    }

    /// The `error` parameter, if this is an error response (unchecked).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn parse(input: &[u8], received_by: ResponseMode) -> Result<Self, CallbackError> {
        if input.len() > MAX_CALLBACK_BYTES {
            return Err(CallbackError::Malformed("the response is too large"));
        }
        let mut callback = Self {
            received_by,
            code: None,
            state: None,
            iss: None,
            error: None,
            error_description: None,
            error_uri: None,
        };
        // A set: comparing each name with every earlier one made a 32 KiB
        // response of short distinct names cost quadratic time. Names stay
        // borrowed from the input unless they were percent-encoded.
        let mut seen: HashSet<Cow<'_, str>> = HashSet::with_capacity(8);
        let mut code = None;
        for (name, value) in url::form_urlencoded::parse(input) {
            if seen.len() == MAX_CALLBACK_PARAMETERS {
                return Err(CallbackError::Malformed(
                    "the response has too many parameters",
                ));
            }
            if seen.contains(name.as_ref()) {
                return Err(CallbackError::DuplicateParameter(name.into_owned()));
            }
            if FORBIDDEN.contains(&name.as_ref()) {
                return Err(CallbackError::UnexpectedParameter(name.into_owned()));
            }
            let field = match name.as_ref() {
                "code" => Some(&mut code),
                "state" => Some(&mut callback.state),
                "iss" => Some(&mut callback.iss),
                "error" => Some(&mut callback.error),
                "error_description" => Some(&mut callback.error_description),
                "error_uri" => Some(&mut callback.error_uri),
                // Other parameters (`session_state`, Apple's `user`...) are
                // not used: their values are not even copied.
                _ => None,
            };
            if let Some(field) = field {
                *field = Some(value.into_owned());
            }
            seen.insert(name);
        }
        callback.code = code.map(AuthorizationCode::new);
        // Checked last, so that a flood refused above by its parameter count
        // costs no scan of the rest of its bytes.
        if std::str::from_utf8(input).is_err() {
            return Err(CallbackError::Malformed("the response is not UTF-8"));
        }
        Ok(callback)
    }
}

impl<S: LoginState> Login<S> {
    /// Checks the authorization response and moves to [`CodeReceived`].
    ///
    /// In order: the response mode is the one requested; `state` matches
    /// (constant time); this login has not received a callback before on
    /// this instance (across instances: at [`Login::exchange`], with a
    /// shared [`ReplayStore`](crate::replay::ReplayStore));
    /// `iss` is the provider's (RFC 9207: required when the provider
    /// advertises it); then an `error` response becomes
    /// [`CallbackError::Provider`] and a success must carry a `code`.
    ///
    /// A refusal is logged as one `warn` event naming the failed check
    /// ([`CallbackError::check_name`]).
    pub fn receive(self, callback: Callback) -> Result<Login<CodeReceived>, CallbackError>
    where
        S: AwaitingCallback,
    {
        self.check_callback(callback)
            .inspect_err(crate::provider::trace::login_refused)
    }

    fn check_callback(self, callback: Callback) -> Result<Login<CodeReceived>, CallbackError>
    where
        S: AwaitingCallback,
    {
        let Login { client, state } = self;
        let pending = state.into_redirected().pending;
        if callback.received_by != pending.response_mode {
            return Err(CallbackError::ResponseModeMismatch {
                expected: pending.response_mode.as_str(),
                received: callback.received_by.as_str(),
            });
        }
        let received_state = callback
            .state
            .as_deref()
            .ok_or(CallbackError::MissingState)?;
        if !ct_eq(pending.state.secret(), received_state) {
            return Err(CallbackError::StateMismatch);
        }
        if pending.check_fresh().is_err() {
            return Err(CallbackError::LoginExpired);
        }
        match client.consume_state(pending.state.secret(), pending.expires_at) {
            Insert::Fresh => {}
            Insert::Seen => return Err(CallbackError::AlreadyUsed),
            Insert::Unverifiable => return Err(CallbackError::ReplayUnverifiable),
        }
        let issuer = client.expected_issuer();
        match &callback.iss {
            Some(iss) if !issuer.accepts_response_iss(iss) => {
                return Err(CallbackError::IssuerMismatch {
                    expected: issuer.describe().to_owned(),
                    found: iss.clone(),
                });
            }
            None if client
                .metadata()
                .authorization_response_iss_parameter_supported =>
            {
                return Err(CallbackError::MissingIssuer);
            }
            _ => {}
        }
        if let Some(error) = callback.error {
            return Err(CallbackError::Provider {
                error,
                description: callback.error_description,
                uri: callback.error_uri,
            });
        }
        let code = callback
            .code
            .filter(|c| !c.secret().is_empty())
            .ok_or(CallbackError::MissingCode)?;
        Ok(Login {
            client,
            state: CodeReceived { pending, code },
        })
    }
}

#[cfg(test)]
mod tests;
