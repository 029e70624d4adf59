//! `Login<Redirected>` → `Login<CodeReceived>`: the authorization response.

use super::{AwaitingCallback, CodeReceived, Login, LoginState};
use crate::config::ResponseMode;
use crate::error::CallbackError;
use crate::secret::AuthorizationCode;
use crate::util::ct_eq;
use std::fmt;
use url::Url;

/// The largest authorization response accepted, in bytes.
const MAX_CALLBACK_BYTES: usize = 32 * 1024;

/// Parameters a code-flow response never carries: their presence means an
/// injection attempt or a misconfigured provider.
const FORBIDDEN: &[&str] = &["access_token", "id_token", "token_type", "refresh_token"];

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
        if std::str::from_utf8(input).is_err() {
            return Err(CallbackError::Malformed("the response is not UTF-8"));
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
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(input) {
            if seen.iter().any(|s| *s == name) {
                return Err(CallbackError::DuplicateParameter(name.into_owned()));
            }
            if FORBIDDEN.contains(&name.as_ref()) {
                return Err(CallbackError::UnexpectedParameter(name.into_owned()));
            }
            let value = value.into_owned();
            match name.as_ref() {
                "code" => callback.code = Some(AuthorizationCode::new(value)),
                "state" => callback.state = Some(value),
                "iss" => callback.iss = Some(value),
                "error" => callback.error = Some(value),
                "error_description" => callback.error_description = Some(value),
                "error_uri" => callback.error_uri = Some(value),
                _ => {}
            }
            seen.push(name.into_owned());
        }
        Ok(callback)
    }
}

impl<S: LoginState> Login<S> {
    /// Checks the authorization response and moves to [`CodeReceived`].
    ///
    /// In order: the response mode is the one requested; `state` matches
    /// (constant time); this login has not received a callback before;
    /// `iss` is the provider's (RFC 9207: required when the provider
    /// advertises it); then an `error` response becomes
    /// [`CallbackError::Provider`] and a success must carry a `code`.
    pub fn receive(self, callback: Callback) -> Result<Login<CodeReceived>, CallbackError>
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
        if !client.consume_state(pending.state.secret(), pending.expires_at) {
            return Err(CallbackError::AlreadyUsed);
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
mod tests {
    use super::*;

    #[test]
    fn parses_a_success_response() {
        let c = Callback::from_query("?code=abc&state=xyz&iss=https%3A%2F%2Fop.example").unwrap();
        assert_eq!(c.code.as_ref().map(|c| c.secret()), Some("abc"));
        assert_eq!(c.state(), Some("xyz"));
        assert_eq!(c.iss.as_deref(), Some("https://op.example"));
        assert_eq!(c.received_by(), ResponseMode::Query);
        assert!(!format!("{c:?}").contains("abc"));
    }

    #[test]
    fn parses_an_error_response() {
        let c = Callback::from_form_post(
            b"error=access_denied&error_description=The+user+cancelled&state=s",
        )
        .unwrap();
        assert_eq!(c.error(), Some("access_denied"));
        assert_eq!(c.error_description.as_deref(), Some("The user cancelled"));
        assert_eq!(c.received_by(), ResponseMode::FormPost);
    }

    #[test]
    fn rejects_duplicates_and_injected_tokens() {
        assert_eq!(
            Callback::from_query("code=a&state=s&state=t").err(),
            Some(CallbackError::DuplicateParameter("state".into()))
        );
        assert_eq!(
            Callback::from_query("code=a&code=b").err(),
            Some(CallbackError::DuplicateParameter("code".into()))
        );
        assert_eq!(
            Callback::from_query("x=1&x=2").err(),
            Some(CallbackError::DuplicateParameter("x".into()))
        );
        assert_eq!(
            Callback::from_query("code=a&state=s&id_token=x").err(),
            Some(CallbackError::UnexpectedParameter("id_token".into()))
        );
    }

    #[test]
    fn rejects_oversized_and_non_utf8_input() {
        let big = format!("code={}", "a".repeat(MAX_CALLBACK_BYTES));
        assert!(matches!(
            Callback::from_query(&big),
            Err(CallbackError::Malformed(_))
        ));
        assert!(matches!(
            Callback::from_form_post(&[0xff, 0xfe]),
            Err(CallbackError::Malformed(_))
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn encoded(name: &str, value: &str) -> String {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair(name, value)
                .finish()
        }

        proptest! {
            /// The state comparison of `Login::receive` is exact: equal
            /// strings pass, any different string fails.
            #[test]
            fn state_comparison_is_exact(a in ".{0,64}", b in ".{0,64}") {
                prop_assert!(ct_eq(&a, &a));
                prop_assert_eq!(ct_eq(&a, &b), a == b);
            }

            /// One character more, less or changed is a different state.
            #[test]
            fn near_misses_fail(state in "[A-Za-z0-9_-]{43}", at in any::<prop::sample::Index>(), c in any::<char>()) {
                let i = at.index(state.len());
                let mut changed: Vec<char> = state.chars().collect();
                prop_assume!(changed[i] != c);
                changed[i] = c;
                let changed: String = changed.into_iter().collect();
                prop_assert!(!ct_eq(&state, &changed));
                prop_assert!(!ct_eq(&state, &state[..i]));
                let longer = format!("{state}{c}");
                prop_assert!(!ct_eq(&state, &longer));
            }

            /// The callback hands `receive` exactly the state that was sent,
            /// whatever it contains, in both response modes.
            #[test]
            fn state_survives_the_encoding_exactly(state in ".{0,64}") {
                let body = format!("code=c&{}", encoded("state", &state));
                let posted = Callback::from_form_post(body.as_bytes()).unwrap();
                prop_assert_eq!(posted.state(), Some(state.as_str()));
                let queried = Callback::from_query(&body).unwrap();
                prop_assert_eq!(queried.state(), Some(state.as_str()));
            }

            /// The parser never panics.
            #[test]
            fn arbitrary_input_does_not_panic(input in any::<Vec<u8>>()) {
                let _ = Callback::from_form_post(&input);
                if let Ok(text) = std::str::from_utf8(&input) {
                    let _ = Callback::from_query(text);
                }
            }
        }
    }

    #[test]
    fn percent_decoding_is_applied_once() {
        let c = Callback::from_query("state=a%2Bb%20c+d").unwrap();
        assert_eq!(c.state(), Some("a+b c d"));
    }
}
