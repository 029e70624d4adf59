//! What an application adds to the authorization request of a login that
//! starts at the login route: [`LoginOptions`], returned by the hook set
//! with [`Oidc::login_options`].

use super::Oidc;
use crate::flow::{Login, Unstarted};
use axum::http::request::Parts;
use std::sync::Arc;
use std::time::Duration;

/// The hook of [`Oidc::login_options`]: it sees the login request.
pub(crate) type LoginOptionsHook = Arc<dyn Fn(&Parts) -> LoginOptions + Send + Sync>;

/// Authorization request parameters for one login started at the login
/// route, chosen by the application's [`Oidc::login_options`] hook from the
/// request (its path, query and headers).
///
/// ```
/// use oidc_core::web::LoginOptions;
/// use std::time::Duration;
///
/// let strong = LoginOptions::new()
///     .param("audience", "https://api.example.com")
///     .param("ui_locales", "fr-CA fr")
///     .acr_values(["urn:example:loa:2"])
///     .max_age(Duration::from_secs(300));
/// # let _ = strong;
/// ```
///
/// The parameters the flow sets itself (`state`, `nonce`, `redirect_uri`,
/// `scope`, `prompt`...) cannot be given here, and each parameter only
/// once (counting [`ClientConfig::authorization_param`](crate::ClientConfig::authorization_param)):
/// such a login is refused with a 500 page, the parameter's name logged,
/// since only the application's code can cause it.
#[derive(Debug, Clone, Default)]
#[must_use]
#[non_exhaustive]
pub struct LoginOptions {
    params: Vec<(String, String)>,
    login_hint: Option<String>,
    max_age: Option<Duration>,
    acr_values: Option<Vec<String>>,
}

impl LoginOptions {
    /// No parameters: the login as the route starts it.
    pub fn new() -> Self {
        Self::default()
    }

    /// An extra authorization request parameter: `audience` or `resource`
    /// (RFC 8707), `ui_locales`, `domain_hint`, `claims_locales`... See
    /// [`Login::param`].
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// A hint of who is signing in (`login_hint`); replaces the route's
    /// `?login_hint=`.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Requires the user to have authenticated within `max_age`; the ID
    /// token's `auth_time` is then checked.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Asks for these authentication context classes; the ID token's `acr`
    /// must be one of them or the login is refused. See
    /// [`Login::acr_values`].
    pub fn acr_values<I, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        self.acr_values = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// The login with these options on top of what the route set.
    pub(crate) fn apply(self, mut login: Login<Unstarted>) -> Login<Unstarted> {
        for (name, value) in self.params {
            login = login.param(name, value);
        }
        if let Some(hint) = self.login_hint {
            login = login.login_hint(hint);
        }
        if let Some(max_age) = self.max_age {
            login = login.max_age(max_age);
        }
        if let Some(values) = self.acr_values {
            login = login.acr_values(values);
        }
        login
    }
}

impl<C> Oidc<C> {
    /// Chooses authorization request parameters for each login the login
    /// route starts, from its request: per route (the login path may be
    /// mounted under several prefixes) or per query (`/login?level=high`).
    /// Runs after the route's own query (`prompt`, `login_hint`), so its
    /// `login_hint` wins.
    ///
    /// ```no_run
    /// use axum::http::request::Parts;
    /// use oidc_core::web::{LoginOptions, Oidc};
    ///
    /// # fn f(oidc: Oidc) -> Oidc {
    /// oidc.login_options(|request: &Parts| {
    ///     let high = request.uri.query().is_some_and(|q| q.split('&').any(|p| p == "level=high"));
    ///     let options = LoginOptions::new().param("audience", "https://api.example.com");
    ///     if high { options.acr_values(["urn:example:loa:2"]) } else { options }
    /// })
    /// # }
    /// ```
    pub fn login_options<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Parts) -> LoginOptions + Send + Sync + 'static,
    {
        self.options_mut().login_options = Some(Arc::new(hook));
        self
    }
}
