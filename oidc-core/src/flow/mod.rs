//! The login flow as types: `Login<Unstarted>` → `Login<Redirected>` →
//! `Login<CodeReceived>` → `Login<Authenticated>`.
//!
//! Each step consumes the login and returns the next state. The state types
//! have private fields and no public constructors, so the only way to a
//! `Login<CodeReceived>` is [`Login::receive`], which checks `state`, `iss`
//! and the response mode; and the only way to a `Login<Authenticated>` is
//! [`Login::exchange`], which verifies the ID token. Skipping a check is a
//! compile error:
//!
//! ```compile_fail
//! # async fn f(login: oidc_core::Login<oidc_core::Redirected>) {
//! // error[E0277]: `exchange` needs a login whose callback was checked,
//! //                but this login is `Login<Redirected>`
//! let login = login.exchange().await;
//! # }
//! ```
//!
//! ```compile_fail
//! // error[E0451]: the fields of `CodeReceived` are private
//! let forged = oidc_core::CodeReceived { code: todo!(), pending: todo!() };
//! ```
//!
//! The logins, their states and the pending login are re-exported at the
//! crate root. This module also holds what users only meet in signatures:
//! the sealed capability traits that say which state may call which step
//! ([`LoginState`], [`ReadyToRedirect`], [`AwaitingCallback`],
//! [`CallbackChecked`]) and the named future of the exchange ([`Exchange`]).
//!
//! This layer uses `crate::provider` (token endpoint, UserInfo), `crate::jose`
//! (ID token verification), `crate::config` and `crate::util`.

mod authenticated;
mod authorize;
mod callback;
pub(crate) mod exchange;
pub(crate) mod pending;
mod refresh;

pub use authenticated::{Authenticated, TokenSet, UserInfo};
pub use authorize::AuthorizationRequest;
pub use callback::Callback;
pub use exchange::Exchange;
pub use refresh::Refreshed;

use crate::client::Client;
use crate::config::Prompt;
use crate::flow::pending::PendingLogin;
use crate::secret::AuthorizationCode;
use std::fmt;
use std::time::Duration;

mod sealed {
    pub trait Sealed {}
}

/// A state of a [`Login`]. Sealed: only the four states of this crate exist.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a login state",
    note = "a login is one of Login<Unstarted>, Login<Redirected>, Login<CodeReceived>, Login<Authenticated>"
)]
pub trait LoginState: sealed::Sealed + fmt::Debug {}

/// A login that can be sent to the provider: only `Login<Unstarted>`.
#[diagnostic::on_unimplemented(
    message = "`redirect` starts a login, but this login is already `Login<{Self}>`",
    label = "this login was redirected before",
    note = "every login redirects once, with fresh state, nonce and PKCE: start another with `client.login()`"
)]
pub trait ReadyToRedirect: sealed::Sealed {
    #[doc(hidden)]
    fn into_unstarted(self) -> Unstarted;
}

/// A login waiting for its callback: only `Login<Redirected>`.
#[diagnostic::on_unimplemented(
    message = "`receive` checks the callback of a redirected login, but this login is `Login<{Self}>`",
    label = "not a `Login<Redirected>`",
    note = "call `.redirect()` first; at the callback, restore it with `client.resume(pending)` and then call `.receive(callback)`"
)]
pub trait AwaitingCallback: sealed::Sealed {
    #[doc(hidden)]
    fn into_redirected(self) -> Redirected;
}

/// A login whose callback passed the checks: only `Login<CodeReceived>`.
#[diagnostic::on_unimplemented(
    message = "`exchange` needs a login whose callback was checked, but this login is `Login<{Self}>`",
    label = "call `.receive(callback)` on it first",
    note = "`receive` checks `state`, `iss` and the response mode and returns the `Login<CodeReceived>` that `exchange` takes"
)]
pub trait CallbackChecked: sealed::Sealed {
    #[doc(hidden)]
    fn into_code_received(self) -> CodeReceived;
}

impl ReadyToRedirect for Unstarted {
    fn into_unstarted(self) -> Unstarted {
        self
    }
}

impl AwaitingCallback for Redirected {
    fn into_redirected(self) -> Redirected {
        self
    }
}

impl CallbackChecked for CodeReceived {
    fn into_code_received(self) -> CodeReceived {
        self
    }
}

/// One login of one user, in state `S`. Start one with
/// [`Client::login`](crate::Client::login).
#[must_use = "a login does nothing until it is driven to the next state"]
pub struct Login<S: LoginState = Unstarted> {
    client: Client,
    state: S,
}

impl<S: LoginState> fmt::Debug for Login<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("client", &self.client)
            .field("state", &self.state)
            .finish()
    }
}

impl<S: LoginState> Login<S> {
    /// The client this login belongs to.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// A login that has not sent the user anywhere yet. Set options, then call
/// [`Login::redirect`].
#[derive(Debug, Clone, Default)]
pub struct Unstarted {
    prompts: Vec<Prompt>,
    login_hint: Option<String>,
    max_age: Option<Duration>,
    extra: Vec<(String, String)>,
    acr_values: Vec<String>,
    app_data: Option<String>,
}

/// The user was sent to the provider. Keep this (as a [`PendingLogin`]) until
/// the callback, then call [`Login::receive`].
#[derive(Debug)]
pub struct Redirected {
    pending: PendingLogin,
}

/// The callback was accepted: `state`, `iss` and the response mode checked.
/// Call [`Login::exchange`] to get and verify the tokens.
#[derive(Debug)]
pub struct CodeReceived {
    pending: PendingLogin,
    code: AuthorizationCode,
}

impl sealed::Sealed for Unstarted {}
impl sealed::Sealed for Redirected {}
impl sealed::Sealed for CodeReceived {}
impl sealed::Sealed for Authenticated {}
impl LoginState for Unstarted {}
impl LoginState for Redirected {}
impl LoginState for CodeReceived {}
impl LoginState for Authenticated {}

impl Login<Unstarted> {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            state: Unstarted::default(),
        }
    }

    /// Adds a `prompt` value, e.g. [`Prompt::Create`] for the sign-up page.
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        if !self.state.prompts.contains(&prompt) {
            self.state.prompts.push(prompt);
        }
        self
    }

    /// A hint of who is signing in (`login_hint`), e.g. an email address.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.state.login_hint = Some(hint.into());
        self
    }

    /// Requires the user to have authenticated within `max_age`; the ID
    /// token's `auth_time` is then checked.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.state.max_age = Some(max_age);
        self
    }

    /// An extra authorization request parameter (e.g. `ui_locales`,
    /// `audience`, `resource`, `domain_hint`). The parameters the flow
    /// controls cannot be overridden, and each may be given once (here or
    /// in [`ClientConfig::authorization_param`](crate::ClientConfig::authorization_param)):
    /// [`Login::redirect`] refuses the login otherwise. `acr_values` given
    /// here is checked like [`Login::acr_values`].
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.state.extra.push((name.into(), value.into()));
        self
    }

    /// Asks for an authentication context class (`acr_values`, in order of
    /// preference), e.g. a level with a second factor. The ID token's `acr`
    /// must then be one of them, or [`Login::exchange`] fails with
    /// [`IdTokenError::AcrNotSatisfied`](crate::IdTokenError::AcrNotSatisfied)
    /// (OpenID Connect Core 3.1.3.7 step 12): providers may answer with
    /// another level than asked for. Replaces the values of an earlier
    /// call; no values ask for nothing.
    pub fn acr_values<I, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        self.state.acr_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// A value of the application's carried through the round trip (e.g. the
    /// path to return to), sealed with the pending login.
    pub fn app_data(mut self, data: impl Into<String>) -> Self {
        self.state.app_data = Some(data.into());
        self
    }
}

impl Login<Redirected> {
    pub(crate) fn resumed(client: Client, pending: PendingLogin) -> Self {
        Self {
            client,
            state: Redirected { pending },
        }
    }

    /// The pending login, to seal into a cookie or store until the callback.
    pub fn into_pending(self) -> PendingLogin {
        self.state.pending
    }

    /// The pending login, borrowed.
    pub fn pending(&self) -> &PendingLogin {
        &self.state.pending
    }
}

impl Login<CodeReceived> {
    /// The application value attached when the login started.
    pub fn app_data(&self) -> Option<&str> {
        self.state.pending.app_data()
    }
}
