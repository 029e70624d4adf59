//! The hostile provider and the SDK client under attack, and the assertions
//! every attack shares.

use oidc_core::{
    Authenticated, Callback, CallbackError, Client, ClientConfig, CodeReceived, IdTokenError,
    Login, Redirected, TokenError,
};
use oidc_dev_provider::{Edit, Fault, Injection};
use std::time::Duration;
use tests::browser::Browser;
use tests::dev_login::{Delivered, UserAction};
use tests::fixture::{Fixture, round_trip};

/// The relying party's registration at the provider.
pub(crate) const CLIENT_ID: &str = "hostile-rp";
pub(crate) const CLIENT_SECRET: &str = "hostile-rp-secret";
/// Nothing listens there: the browser stops before delivering.
pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:9/hostile/callback";
/// The user who signs in.
pub(crate) use tests::fixture::USER;

/// The request deadline of the client under test: short, so that a test
/// of a hanging provider ends quickly, long enough for a loaded CI machine.
pub(crate) const HTTP_TIMEOUT: Duration = Duration::from_secs(3);

/// A provider with the relying party registered.
pub(crate) async fn provider() -> Fixture {
    Fixture::builder(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI)
        .start()
        .await
}

/// The client configuration for `provider`: defaults (form_post; the auth
/// method and the algorithms negotiated from the provider's metadata)
/// except a short request deadline.
pub(crate) fn config(provider: &Fixture) -> ClientConfig {
    provider.config().http_timeout(HTTP_TIMEOUT)
}

/// A provider, a discovered client and a browser.
pub(crate) struct Env {
    pub(crate) provider: Fixture,
    pub(crate) client: Client,
    pub(crate) browser: Browser,
}

impl Env {
    /// A standard provider: the guide's inline `userinfo` is removed from
    /// token responses, so a successful login also calls the UserInfo
    /// endpoint, and "no UserInfo request after a bad ID token" means
    /// something.
    pub(crate) async fn new() -> Self {
        Self::with(|c| c).await
    }

    /// [`Env::new`] with a changed client configuration.
    pub(crate) async fn with(configure: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        let provider = provider().await;
        provider.inject(Fault::token_response(Edit::remove("userinfo")));
        Self::on(provider, configure).await
    }

    /// The guide's provider, inline `userinfo` and all.
    pub(crate) async fn guide() -> Self {
        Self::on(provider().await, |c| c).await
    }

    /// A client discovered from `provider`.
    pub(crate) async fn on(
        provider: Fixture,
        configure: impl FnOnce(ClientConfig) -> ClientConfig,
    ) -> Self {
        let client = provider
            .discover(|c| configure(c.http_timeout(HTTP_TIMEOUT)))
            .await;
        Self {
            provider,
            client,
            browser: Browser::new(),
        }
    }

    /// Inject a fault (see [`DevProvider::inject`]).
    pub(crate) fn inject(&self, fault: impl Into<Injection>) {
        self.provider.inject(fault);
    }

    /// Starts a login, signs the user in at the provider and returns the
    /// login with what the browser would deliver to the redirect URI.
    pub(crate) async fn authorize(&self) -> (Login<Redirected>, Delivered) {
        self.authorize_login(self.client.login()).await
    }

    /// [`Env::authorize`] for a login with options.
    pub(crate) async fn authorize_login(
        &self,
        login: Login<oidc_core::Unstarted>,
    ) -> (Login<Redirected>, Delivered) {
        round_trip(&self.browser, login, UserAction::SignIn(USER)).await
    }

    /// A login that passed the callback checks.
    pub(crate) async fn code_received(&self) -> Login<CodeReceived> {
        self.code_received_login(self.client.login()).await
    }

    /// [`Env::code_received`] for a login with options.
    pub(crate) async fn code_received_login(
        &self,
        login: Login<oidc_core::Unstarted>,
    ) -> Login<CodeReceived> {
        let (login, delivered) = self.authorize_login(login).await;
        let callback = delivered.callback().expect("the callback parses");
        login.receive(callback).expect("the callback is accepted")
    }

    /// A complete, successful login.
    pub(crate) async fn login(&self) -> Login<Authenticated> {
        self.code_received()
            .await
            .exchange()
            .await
            .expect("the login succeeds")
    }

    /// A complete login succeeds, for the user who signed in.
    pub(crate) async fn assert_login_succeeds(&self) {
        let login = self.login().await;
        assert_eq!(login.sub(), self.provider.sub_of(USER));
    }

    /// The paths of the requests since the last [`Env::clear`], in order
    /// (`METHOD /path`).
    pub(crate) fn requests(&self) -> Vec<String> {
        self.provider
            .requests()
            .into_iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// How many requests went to `path` since the last [`Env::clear`].
    pub(crate) fn count(&self, path: &str) -> usize {
        self.provider.count(path)
    }

    /// Forget the recorded requests.
    pub(crate) fn clear(&self) {
        self.provider.clear_requests();
    }

    /// The callback is rejected by [`Login::receive`] (or already when it
    /// is parsed) and nothing reaches the provider afterwards.
    pub(crate) fn assert_no_request(&self, what: &str) {
        assert!(
            self.requests().is_empty(),
            "{what}: requests reached the provider after the rejection: {:?}",
            self.requests()
        );
    }

    /// After a rejected exchange: one token request, JWKS requests at most,
    /// and no UserInfo request.
    pub(crate) fn assert_stopped_after_token(&self, what: &str) {
        let requests = self.requests();
        assert_eq!(self.count("/token"), 1, "{what}: {requests:?}");
        assert!(
            requests
                .iter()
                .all(|r| r == "POST /token" || r == "GET /jwks"),
            "{what}: a request followed the rejection: {requests:?}"
        );
    }

    /// Runs a login whose exchange must fail; returns the error after
    /// checking that nothing but the token request (and JWKS fetches
    /// during verification) reached the provider from the exchange on.
    pub(crate) async fn exchange_error(&self, what: &str) -> TokenError {
        let login = self.code_received().await;
        self.exchange_error_of(login, what).await
    }

    /// [`Env::exchange_error`] for a given login.
    pub(crate) async fn exchange_error_of(
        &self,
        login: Login<CodeReceived>,
        what: &str,
    ) -> TokenError {
        self.clear();
        let error = match login.exchange().await {
            Ok(login) => panic!("{what}: the login was accepted (sub {})", login.sub()),
            Err(error) => error,
        };
        self.assert_stopped_after_token(what);
        error
    }

    /// Runs a login whose ID token must be rejected; returns why.
    pub(crate) async fn id_token_error(&self, what: &str) -> IdTokenError {
        match self.exchange_error(what).await {
            TokenError::IdToken(error) => error,
            other => panic!("{what}: expected TokenError::IdToken(..), got {other:?}"),
        }
    }

    /// Passes a crafted callback to a fresh login (after a real sign-in);
    /// returns the rejection after checking nothing reached the provider.
    pub(crate) async fn callback_error(
        &self,
        what: &str,
        craft: impl FnOnce(&Delivered) -> Result<Callback, CallbackError>,
    ) -> CallbackError {
        let (login, delivered) = self.authorize().await;
        self.clear();
        let error = match craft(&delivered) {
            Err(error) => error,
            Ok(callback) => match login.receive(callback) {
                Ok(_) => panic!("{what}: the callback was accepted"),
                Err(error) => error,
            },
        };
        self.assert_no_request(what);
        error
    }
}

/// A fresh provider with `fault` injected, and a client for it: the ID
/// token rejection of one login.
pub(crate) async fn id_token_attack(what: &str, fault: impl Into<Injection>) -> IdTokenError {
    let env = Env::new().await;
    env.inject(fault);
    env.id_token_error(what).await
}

/// The current time, in seconds since the epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Base64url without padding (RFC 4648 section 5), for crafted tokens.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}
