//! Authorization responses back to the client's redirect URI, by response
//! mode: `query` (303 redirect), `fragment` (303 redirect, parameters in
//! the fragment; only for profiles that list it) or `form_post`
//! (auto-submitting form). Every response carries `iss` (RFC 9207) when the
//! profile publishes `authorization_response_iss_parameter_supported`, and
//! echoes `state` exactly.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::faults::{AuthzFault, AuthzMode, apply_param_edit};
use crate::pages;
use crate::profile::Profile;
use crate::state::AppState;

/// How the authorization response is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseMode {
    /// Parameters in the redirect URI's query (the default for `code`).
    Query,
    /// Parameters in the redirect URI's fragment.
    Fragment,
    /// Parameters POSTed by an auto-submitting HTML form.
    FormPost,
}

impl ResponseMode {
    /// Parse `response_mode`; `None` for a value `profile` does not support.
    pub(crate) fn parse(value: Option<&str>, profile: Profile) -> Option<Self> {
        match value {
            None | Some("query") => Some(ResponseMode::Query),
            Some("form_post") => Some(ResponseMode::FormPost),
            Some("fragment") if profile.supports_fragment() => Some(ResponseMode::Fragment),
            Some(_) => None,
        }
    }
}

/// A response to deliver to the client at its (already validated) redirect URI.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationResponse {
    redirect_uri: String,
    mode: ResponseMode,
    params: Vec<(String, String)>,
}

impl AuthorizationResponse {
    /// A successful response carrying an authorization code.
    pub(crate) fn success(
        redirect_uri: &str,
        mode: ResponseMode,
        code: String,
        state: Option<&str>,
        issuer: Option<&str>,
    ) -> Self {
        let mut params = vec![("code".to_owned(), code)];
        if let Some(state) = state {
            params.push(("state".to_owned(), state.to_owned()));
        }
        if let Some(issuer) = issuer {
            params.push(("iss".to_owned(), issuer.to_owned()));
        }
        AuthorizationResponse {
            redirect_uri: redirect_uri.to_owned(),
            mode,
            params,
        }
    }

    /// An error response (RFC 6749 section 4.1.2.1).
    pub(crate) fn error(
        redirect_uri: &str,
        mode: ResponseMode,
        error: &'static str,
        description: &str,
        state: Option<&str>,
        issuer: Option<&str>,
    ) -> Self {
        let mut params = vec![
            ("error".to_owned(), error.to_owned()),
            ("error_description".to_owned(), description.to_owned()),
        ];
        if let Some(state) = state {
            params.push(("state".to_owned(), state.to_owned()));
        }
        if let Some(issuer) = issuer {
            params.push(("iss".to_owned(), issuer.to_owned()));
        }
        AuthorizationResponse {
            redirect_uri: redirect_uri.to_owned(),
            mode,
            params,
        }
    }
}

impl AuthorizationResponse {
    /// Add a parameter (Apple's `user` field).
    pub(crate) fn with_param(mut self, name: &str, value: String) -> Self {
        self.params.push((name.to_owned(), value));
        self
    }

    /// Applies the injected [`AuthzFault`]s for `client_id`.
    pub(crate) fn with_faults(mut self, state: &AppState, client_id: &str) -> Self {
        for fault in state.faults().for_authorization(client_id) {
            match fault {
                AuthzFault::Param(edit) => apply_param_edit(&mut self.params, &edit),
                AuthzFault::Duplicate { name, value } => self.params.push((name, value)),
                AuthzFault::Mode(AuthzMode::Query) => self.mode = ResponseMode::Query,
                AuthzFault::Mode(AuthzMode::FormPost) => self.mode = ResponseMode::FormPost,
            }
        }
        self
    }
}

impl IntoResponse for AuthorizationResponse {
    fn into_response(self) -> Response {
        match self.mode {
            ResponseMode::Query | ResponseMode::Fragment => {
                let Ok(mut target) = url::Url::parse(&self.redirect_uri) else {
                    return pages::error(
                        StatusCode::BAD_REQUEST,
                        "Invalid redirect URI",
                        "The registered redirect URI is not a valid URL.",
                    );
                };
                if self.mode == ResponseMode::Query {
                    let mut query = target.query_pairs_mut();
                    for (name, value) in &self.params {
                        query.append_pair(name, value);
                    }
                } else {
                    let fragment = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&self.params)
                        .finish();
                    target.set_fragment(Some(&fragment));
                }
                match HeaderValue::from_str(target.as_str()) {
                    Ok(location) => {
                        let mut response = StatusCode::SEE_OTHER.into_response();
                        let headers = response.headers_mut();
                        headers.insert(header::LOCATION, location);
                        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                        headers.insert(
                            header::REFERRER_POLICY,
                            HeaderValue::from_static("no-referrer"),
                        );
                        response
                    }
                    Err(_) => pages::error(
                        StatusCode::BAD_REQUEST,
                        "Invalid redirect URI",
                        "The redirect URI cannot be used in a Location header.",
                    ),
                }
            }
            ResponseMode::FormPost => {
                let params: Vec<(&str, &str)> = self
                    .params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                pages::form_post(&self.redirect_uri, &params)
            }
        }
    }
}
