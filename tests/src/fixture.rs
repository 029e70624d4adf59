//! A dev provider with a relying party registered at it, a client for it,
//! the user's sign-in, and an application served next to it.
//!
//! The pieces most tests start from:
//!
//! ```no_run
//! # async fn run() {
//! use tests::fixture::{Fixture, USER, sign_in};
//! let provider = Fixture::builder("app", "app-secret", "http://127.0.0.1:9/callback")
//!     .start()
//!     .await;
//! let client = provider.client().await; // discovered with `provider.config()`
//! let login = sign_in(&client).await.expect("signed in");
//! assert_eq!(login.sub(), provider.sub_of(USER));
//! # }
//! ```
//!
//! - [`Fixture`]: the started [`DevProvider`] (it derefs to it: faults,
//!   request log, users) and the registration: [`Fixture::config`] is the
//!   `ClientConfig` for it, [`Fixture::client`] and [`Fixture::discover`]
//!   a discovered [`Client`].
//! - [`round_trip`] and [`sign_in`]: a login through the typestate flow,
//!   the test playing the user at the provider's pages.
//! - [`Site`] and [`sign_in_at`]: an application on loopback, and a user
//!   signing in at it through its `/login` route.
//!
//! A redirect URI where nothing listens (`http://127.0.0.1:9/...`) is fine
//! for the typestate flow: the browser stops before delivering.

use crate::browser::{Browser, Page};
use crate::dev_login::{Delivered, UserAction, authorize, deliver};
use oidc_core::{Authenticated, Client, ClientConfig, Login, Redirected, TokenError, Unstarted};
use oidc_dev_provider::{DevClient, DevProvider, DevProviderBuilder};
use reqwest::StatusCode;
use std::ops::Deref;

/// The user who signs in unless a test says otherwise; the dev provider
/// has this account from the start.
pub const USER: &str = "alice@example.com";

/// How to start a [`Fixture`]: [`Fixture::builder`].
#[must_use]
pub struct FixtureBuilder {
    provider: DevProviderBuilder,
    client: DevClient,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
}

impl FixtureBuilder {
    /// Changes the provider before it starts (profile, token lifetimes,
    /// metadata, more clients...).
    pub fn provider(
        mut self,
        change: impl FnOnce(DevProviderBuilder) -> DevProviderBuilder,
    ) -> Self {
        self.provider = change(self.provider);
        self
    }

    /// Changes the registration of the relying party (auth methods, ID
    /// token algorithm, logout URIs...).
    pub fn client(mut self, change: impl FnOnce(DevClient) -> DevClient) -> Self {
        self.client = change(self.client);
        self
    }

    /// Starts the provider with the relying party registered.
    pub async fn start(self) -> Fixture {
        let provider = self
            .provider
            .client(self.client)
            .start()
            .await
            .expect("the dev provider starts");
        Fixture {
            provider,
            client_id: self.client_id,
            client_secret: self.client_secret,
            redirect_uri: self.redirect_uri,
        }
    }
}

/// A started dev provider and the confidential client registered at it.
/// Clones share the provider.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The provider (also reachable through `Deref`).
    pub provider: DevProvider,
    /// The registered client's id.
    pub client_id: String,
    /// The registered client's secret.
    pub client_secret: String,
    /// The registered redirect URI.
    pub redirect_uri: String,
}

impl Fixture {
    /// A dev provider with the confidential client `client_id` registered
    /// for `redirect_uri`.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> FixtureBuilder {
        let (client_id, client_secret, redirect_uri) =
            (client_id.into(), client_secret.into(), redirect_uri.into());
        FixtureBuilder {
            provider: DevProvider::builder(),
            client: DevClient::confidential(&client_id, &client_secret).redirect_uri(&redirect_uri),
            client_id,
            client_secret,
            redirect_uri,
        }
    }

    /// Only what every application needs: issuer, client id, secret and
    /// redirect URI; everything else is the SDK's default.
    pub fn config(&self) -> ClientConfig {
        ClientConfig::for_issuer(self.provider.issuer_str())
            .client_id(&self.client_id)
            .redirect_uri(&self.redirect_uri)
            .client_secret(self.client_secret.as_str())
    }

    /// A client discovered with [`Fixture::config`].
    pub async fn client(&self) -> Client {
        self.discover(|config| config).await
    }

    /// A client discovered with [`Fixture::config`] changed by `configure`.
    pub async fn discover(&self, configure: impl FnOnce(ClientConfig) -> ClientConfig) -> Client {
        Client::discover(configure(self.config()))
            .await
            .expect("discovery succeeds")
    }

    /// The `sub` of the existing account `email`.
    pub fn sub_of(&self, email: &str) -> String {
        self.provider
            .users()
            .into_iter()
            .find(|user| user.email == email)
            .unwrap_or_else(|| panic!("the account {email} exists"))
            .sub
    }

    /// How many requests reached `path` since the last `clear_requests`.
    pub fn count(&self, path: &str) -> usize {
        self.provider
            .requests()
            .iter()
            .filter(|request| request.path == path)
            .count()
    }
}

impl Deref for Fixture {
    type Target = DevProvider;

    fn deref(&self) -> &DevProvider {
        &self.provider
    }
}

/// Starts `login`, lets the user `action` at the provider's pages in
/// `browser`, and returns the login with what the browser would deliver to
/// the redirect URI (the one the authorization request names).
pub async fn round_trip(
    browser: &Browser,
    login: Login<Unstarted>,
    action: UserAction<'_>,
) -> (Login<Redirected>, Delivered) {
    let (request, login) = login.redirect().expect("the login starts");
    let redirect_uri = request
        .url()
        .query_pairs()
        .find(|(name, _)| name == "redirect_uri")
        .expect("the authorization request names its redirect URI")
        .1
        .into_owned();
    let (delivered, _page) = authorize(browser, request.url(), &redirect_uri, action)
        .await
        .expect("the provider answers");
    (login, delivered)
}

/// A whole login of [`USER`] through the typestate flow, in a fresh
/// browser: the callback must be accepted; the exchange's result is
/// returned.
pub async fn sign_in(client: &Client) -> Result<Login<Authenticated>, TokenError> {
    let (login, delivered) =
        round_trip(&Browser::new(), client.login(), UserAction::SignIn(USER)).await;
    let login = login
        .receive(delivered.callback().expect("a well-formed callback"))
        .expect("the callback is accepted");
    login.exchange().await
}

/// A loopback listener for an application, bound before the application
/// exists so that its URLs can be registered at the provider first.
///
/// The application is addressed as `http://localhost:PORT`: another site
/// than the dev provider's `127.0.0.1`, so a `form_post` callback is a
/// cross-site POST as in production.
#[derive(Debug)]
pub struct Site {
    listener: tokio::net::TcpListener,
    port: u16,
}

impl Site {
    /// Binds `127.0.0.1` on a free port.
    pub async fn bind() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let port = listener.local_addr().expect("a bound address").port();
        Self { listener, port }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://localhost:PORT`.
    pub fn base(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// `http://localhost:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// Serves `app` in the background; returns [`Site::base`].
    pub fn serve(self, app: axum::Router) -> String {
        let base = self.base();
        tokio::spawn(async move { axum::serve(self.listener, app).await });
        base
    }
}

/// What a user's sign-in at an application ended with.
#[derive(Debug)]
pub struct Arrival {
    /// What the provider sent the browser back with.
    pub delivered: Delivered,
    /// The application's answer to it (at its redirect URI).
    pub page: Page,
}

/// The user at an application: `GET login_url` (which must redirect to the
/// provider with 303), `action` at the provider's pages, then the response
/// delivered to `redirect_uri` as the browser would (a GET or the form
/// POST).
pub async fn sign_in_at(
    browser: &Browser,
    login_url: &str,
    redirect_uri: &str,
    action: UserAction<'_>,
) -> Arrival {
    let start = browser
        .get(login_url)
        .await
        .expect("the login route answers");
    assert_eq!(start.status(), StatusCode::SEE_OTHER, "{}", start.body());
    let authorization_url = start.location().expect("a redirect to the provider");
    let (delivered, _) = authorize(browser, &authorization_url, redirect_uri, action)
        .await
        .expect("the provider answers");
    let page = deliver(browser, redirect_uri, &delivered)
        .await
        .expect("the application answers");
    Arrival { delivered, page }
}
