//! axum integration (feature `axum`): login, callback and logout routes, the
//! pending login in a sealed cookie, the session through `tower-sessions`,
//! and extractors for the signed-in user.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use oidc_core::web::{Oidc, SignedIn, memory_session_layer};
//! use oidc_core::ClientConfig;
//!
//! async fn home(user: Option<SignedIn>) -> String {
//!     match user {
//!         Some(user) => format!("hello {}", user.sub()),
//!         None => "<a href=/login>Sign in</a>".into(),
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ClientConfig::for_issuer("https://login.example.com")
//!     .client_id("id")
//!     .redirect_uri("https://app.example.com/callback")
//!     .client_secret("secret");
//! let oidc = Oidc::discover(config).await?;
//! let app: Router = Router::new()
//!     .route("/", get(home))
//!     .merge(oidc.routes())
//!     .layer(memory_session_layer())
//!     .with_state(oidc);
//! # let _ = app; Ok(()) }
//! ```
//!
//! Routes (paths configurable): `GET /login` (`?prompt=create` for sign-up,
//! `?return_to=/local/path`), the callback at the redirect URI's path (`POST`
//! for `form_post`, `GET` for `query`), `POST /logout`, and, when enabled
//! with [`Oidc::backchannel_logout_path`], the back-channel logout endpoint.
//!
//! Cookies: each login's [`PendingLogin`](crate::PendingLogin) is sealed into
//! its own cookie, named after its `state` so two tabs can sign in at once,
//! deleted on use. Its name starts with `__Host-`, so browsers keep it only
//! with `Secure`, `Path=/` and no `Domain`, set by this very origin: a
//! sibling subdomain or a plain-http response cannot plant a login of the
//! attacker's (login CSRF). A `form_post` callback is a cross-site `POST`,
//! which browsers do not send `SameSite=Lax` cookies with, so that cookie
//! is `SameSite=None; Secure; HttpOnly`; query mode uses `SameSite=Lax`.
//! Browsers treat `http://localhost` and `127.0.0.1` as secure, so all of
//! this works in development without TLS; anywhere else, serve over https.
//!
//! One browser holds at most [`Oidc::max_pending_logins`] pending logins
//! (`/login` drops the oldest), and `/login` starts one only for a
//! top-level navigation when the browser says what the request is
//! (`Sec-Fetch-Mode`, `Sec-Fetch-Dest`): a cross-site page cannot fill the
//! cookie jar from an iframe, an image or `fetch`.
//!
//! The session cookie must be `SameSite=Lax` (not `Strict`) so it is sent
//! on the redirect back from the callback, and should be a `__Host-` cookie
//! too: [`memory_session_layer`] sets that up; with another store, use
//! `.with_name("__Host-session").with_secure(true)` and no `.with_domain`.
//! At login the session starts empty under a new id: nothing stored before
//! sign-in (by anyone who could fix the session id) carries over, not even
//! another provider's login.
//!
//! Error pages name no parameter, description or URL from the request or
//! the provider (those are logged, with `tracing`); login and callback
//! responses are `Cache-Control: no-store`.
//!
//! ## Refresh
//!
//! [`SignedIn`] refreshes the access token when it has expired or expires
//! within 30 seconds and the login has a refresh token: the refreshed ID
//! token is verified (OpenID Connect Core 12.2: same `iss`, `sub`, `aud`),
//! the rotated refresh token replaces the old one in the session, and the
//! handler sees fresh tokens.
//!
//! - **One refresh per session at a time.** Providers that rotate refresh
//!   tokens revoke the grant when a used one comes back (RFC 9700), so the
//!   parallel requests of a page must not each spend it: one refreshes,
//!   saves the new tokens to the store at once, and the others, which
//!   waited, read the session again and use them.
//! - **Several instances.** Each instance coordinates its own requests,
//!   then takes a [`RefreshLock`] shared by the instances (with
//!   `Oidc::with_redis`, on Redis) keyed by the refresh token: one instance
//!   refreshes, the others read the session again (for up to five seconds,
//!   then answer with the stale access token) until its tokens appear.
//!   Without a shared lock, if another instance spent the refresh token
//!   first, the provider answers `invalid_grant`; the session is then read
//!   again for up to two seconds for the other instance's tokens before
//!   the user is signed out (a provider that revokes the grant on such a
//!   reuse makes those tokens short-lived).
//! - **Sign-out only when the grant is gone**: `invalid_grant` (revoked,
//!   expired, provider logout), or a refreshed ID token that fails
//!   verification. A transient failure (timeout, network, 5xx) keeps the
//!   user signed in with the stale access token
//!   ([`SignedIn::access_token_expired`] tells) and pauses this provider's
//!   refreshes for five seconds, so requests do not each wait for a
//!   provider that is down.
//! - **A logout wins.** The session is read again when the refresh returns:
//!   a logout that happened meanwhile wins, and the refreshed tokens are
//!   dropped.
//!
//! ## Logout
//!
//! - **RP-initiated** (OpenID Connect RP-Initiated Logout 1.0): `POST
//!   /logout` (refused when the browser says it comes from another origin:
//!   `Sec-Fetch-Site`, else `Origin`) ends the local session, then redirects to the provider's
//!   `end_session_endpoint` with `id_token_hint`, `client_id` and, if set,
//!   [`Oidc::post_logout_redirect_uri`] (registered with the provider), so
//!   the provider ends its session too and sends the user back. Without an
//!   `end_session_endpoint` it redirects to [`Oidc::after_logout`].
//! - **Back-channel** (OpenID Connect Back-Channel Logout 1.0): with
//!   `.backchannel_logout_path("/backchannel-logout")` the provider can POST
//!   logout tokens there (register `https://your.app/backchannel-logout` as
//!   the client's `backchannel_logout_uri`). Each token is verified
//!   ([`Client::verify_logout_token`](crate::Client::verify_logout_token))
//!   and recorded in a [`LogoutRegistry`]; a session store cannot be
//!   searched by user, so [`SignedIn`] checks the registry and ends a
//!   session whose provider session (`sid`) or user (`sub`) was logged out
//!   after it signed in. The default registry is in memory: **with several
//!   instances, give all of them one shared registry**
//!   ([`Oidc::logout_registry`]; with the `redis` feature, `Oidc::with_redis`
//!   shares it, the used `state`s and the logout `jti`s on Redis, and
//!   `redis_session_layer` the sessions).
//!
//! ```no_run
//! # use oidc_core::web::Oidc;
//! # async fn run(config: oidc_core::ClientConfig) -> Result<(), Box<dyn std::error::Error>> {
//! let oidc = Oidc::discover(config)
//!     .await?
//!     .post_logout_redirect_uri("https://app.example.com/")
//!     .backchannel_logout_path("/backchannel-logout");
//! # let _ = oidc; Ok(()) }
//! ```
//!
//! ## APIs
//!
//! [`Bearer`] verifies the bearer access token of a request with an
//! [`AccessTokenVerifier`](crate::AccessTokenVerifier) from the router's
//! state, and answers failures with RFC 6750 challenges.
//!
//! ## Several providers
//!
//! [`Oidc::named`] puts a provider's routes under `/auth/{name}/`,
//! [`Providers`] mounts several and refuses clashes at start, and
//! [`SignedInAny`] is the user signed in with any of them. One browser is
//! signed in with one provider at a time (a login starts an empty
//! session). See [`Providers`] for an example.

mod backchannel;
mod bearer;
mod cookies;
mod extract;
mod handlers;
mod login_options;
mod memory_store;
mod pages;
mod providers;
mod record;
mod refresh;

pub use bearer::{Bearer, BearerRejection, ScopeSet};
pub use extract::{SignedIn, SignedInRejection};
pub use login_options::LoginOptions;
pub use providers::{MAX_PROVIDER_NAME_LEN, Providers, ProvidersError, SignedInAny};
pub use record::SessionRecord;
pub use refresh::{InProcessRefreshLock, RefreshLock};

use crate::client::Client;
use crate::config::OidcConfig;
use crate::error::{ConfigError, DiscoveryError};
use crate::flow::pending::SealingKey;
use crate::logout::{LogoutRegistry, MemoryLogoutRegistry};
use crate::provider::userinfo::UserInfo;
use axum::Router;
use axum::routing::{get, post};
pub use memory_store::MemoryStore;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The name of [`memory_session_layer`]'s cookie: `__Host-` so that only
/// this origin, over a secure connection, can set it (session fixation).
pub const SESSION_COOKIE: &str = "__Host-session";

/// A session layer with a [`RedisSessionStore`](crate::redis::RedisSessionStore)
/// (feature `redis`), shared by every instance, and the same cookie
/// attributes as [`memory_session_layer`] (`__Host-session`, `Secure`,
/// `Path=/`, `SameSite=Lax`, `HttpOnly`, a day of inactivity). Give the
/// instances the same [`Oidc::with_redis`] too.
#[cfg(feature = "redis")]
pub fn redis_session_layer(
    redis: &crate::redis::RedisStore,
) -> SessionManagerLayer<crate::redis::RedisSessionStore> {
    SessionManagerLayer::new(redis.session_store())
        .with_name(SESSION_COOKIE)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_secure(true)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(1),
        ))
}

/// The most sessions [`memory_session_layer`] keeps; beyond it the least
/// used are evicted (those users sign in again).
pub const MEMORY_SESSIONS_MAX: u64 = 100_000;

/// A session layer with an in-memory store and the cookie attributes the
/// login flow needs (`__Host-session`: `Secure`, `Path=/`, no `Domain`;
/// `SameSite=Lax`, `HttpOnly`, expiry after a day of inactivity). The
/// store forgets expired sessions and keeps at most
/// [`MEMORY_SESSIONS_MAX`]. For several instances use `redis_session_layer`
/// (feature `redis`) or any `tower-sessions` store with the same attributes.
pub fn memory_session_layer() -> SessionManagerLayer<MemoryStore> {
    SessionManagerLayer::new(MemoryStore::new(MEMORY_SESSIONS_MAX))
        .with_name(SESSION_COOKIE)
        .with_same_site(SameSite::Lax)
        .with_http_only(true)
        .with_secure(true)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(1),
        ))
}

/// What the signed-in extractor does for a visitor who is not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WhenSignedOut {
    /// Redirect to the login route, returning to the page afterwards (websites).
    #[default]
    RedirectToLogin,
    /// Answer `401 Unauthorized` (APIs, fetch requests).
    Unauthorized,
}

/// Why the application's login hook refused a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRejected {
    /// HTTP status for the error page (e.g. 403).
    pub status: u16,
    /// A message for the user.
    pub message: String,
}

impl LoginRejected {
    /// A refusal with status 403 and a message for the user.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: 403,
            message: message.into(),
        }
    }
}

type HookFuture = Pin<Box<dyn Future<Output = Result<(), LoginRejected>> + Send>>;
type LoginHook = Arc<dyn Fn(UserInfo) -> HookFuture + Send + Sync>;

/// Route paths and behaviour of the web integration.
#[derive(Clone)]
pub(crate) struct Options {
    pub(crate) login_path: String,
    pub(crate) logout_path: String,
    pub(crate) callback_path: String,
    /// Set by [`Oidc::named`] for an application with several providers.
    pub(crate) name: Option<String>,
    pub(crate) after_login: String,
    pub(crate) after_logout: String,
    pub(crate) post_logout_redirect_uri: Option<String>,
    pub(crate) backchannel_logout_path: Option<String>,
    pub(crate) when_signed_out: WhenSignedOut,
    pub(crate) default_prompt: Option<crate::config::Prompt>,
    pub(crate) on_login: Option<LoginHook>,
    pub(crate) login_options: Option<login_options::LoginOptionsHook>,
    pub(crate) max_pending_logins: usize,
    pub(crate) max_return_to_len: usize,
    /// [`Oidc::revoke_on_logout`].
    pub(crate) revoke_on_logout: bool,
}

/// Default of [`Oidc::max_pending_logins`].
pub const DEFAULT_MAX_PENDING_LOGINS: usize = 5;
/// Default of [`Oidc::max_return_to_len`].
pub const DEFAULT_MAX_RETURN_TO_LEN: usize = 2048;

/// The web integration for one provider: a [`Client`], the key that seals
/// pending logins, and route options. Cheap to clone; keep it in your
/// router's state (the extractors find it with `FromRef`).
///
/// `C` is the configuration type (a `#[oidc_client]` struct, or
/// [`ClientConfig`](crate::ClientConfig)): it names the provider, so an
/// application with several providers has distinct `SignedIn<C>` types.
pub struct Oidc<C = crate::ClientConfig> {
    pub(crate) client: Client,
    pub(crate) key: SealingKey,
    pub(crate) options: Arc<Options>,
    pub(crate) registry: Arc<dyn LogoutRegistry>,
    pub(crate) refreshes: Arc<refresh::RefreshLocks>,
    pub(crate) refresh_lock: Arc<dyn RefreshLock>,
    _config: PhantomData<fn() -> C>,
}

impl<C> Clone for Oidc<C> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            key: self.key.clone(),
            options: Arc::clone(&self.options),
            registry: Arc::clone(&self.registry),
            refreshes: Arc::clone(&self.refreshes),
            refresh_lock: Arc::clone(&self.refresh_lock),
            _config: PhantomData,
        }
    }
}

impl<C> fmt::Debug for Oidc<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Oidc")
            .field("client", &self.client)
            .field("key", &self.key)
            .field("callback_path", &self.options.callback_path)
            .finish_non_exhaustive()
    }
}

impl<C: OidcConfig> Oidc<C> {
    /// Discovers the provider and prepares the routes, with a random sealing
    /// key (logins must then finish on this instance; set a shared key with
    /// [`Oidc::sealing_key`] when running several).
    ///
    /// A configuration problem is reported as [`DiscoveryError::Config`],
    /// before anything is fetched.
    pub async fn discover(config: C) -> Result<Self, DiscoveryError> {
        let default_prompt = config.default_prompt();
        let client_config = config.client_config()?;
        let client = Client::discover(client_config).await?;
        Ok(Self::from_client(client, SealingKey::generate()?).default_prompt(default_prompt))
    }
}

impl<C> Oidc<C> {
    /// The integration for an existing client.
    pub fn from_client(client: Client, key: SealingKey) -> Self {
        let callback_path = url::Url::parse(client.config().redirect_uri())
            .map(|u| u.path().to_owned())
            .unwrap_or_else(|_| "/callback".into());
        Self {
            client,
            key,
            options: Arc::new(Options {
                login_path: "/login".into(),
                logout_path: "/logout".into(),
                callback_path,
                name: None,
                after_login: "/".into(),
                after_logout: "/".into(),
                post_logout_redirect_uri: None,
                backchannel_logout_path: None,
                when_signed_out: WhenSignedOut::default(),
                default_prompt: None,
                on_login: None,
                login_options: None,
                max_pending_logins: DEFAULT_MAX_PENDING_LOGINS,
                max_return_to_len: DEFAULT_MAX_RETURN_TO_LEN,
                revoke_on_logout: true,
            }),
            registry: Arc::new(MemoryLogoutRegistry::default()),
            refreshes: Arc::default(),
            refresh_lock: Arc::new(InProcessRefreshLock),
            _config: PhantomData,
        }
    }

    fn options_mut(&mut self) -> &mut Options {
        Arc::make_mut(&mut self.options)
    }

    /// Whether `POST /logout` revokes the session's refresh token, then its
    /// access token, at the provider (RFC 7009) before redirecting to its
    /// end-session endpoint. Default `true`; it applies only when the
    /// provider publishes a `revocation_endpoint`. Best effort: a failed
    /// revocation is logged (`warn`, with its check name) and the sign-out
    /// goes on. Turn it off if the application keeps using the tokens after
    /// the user signs out (an offline job holding the refresh token).
    pub fn revoke_on_logout(mut self, revoke: bool) -> Self {
        self.options_mut().revoke_on_logout = revoke;
        self
    }

    /// The key that seals pending-login cookies; give every instance the same one
    /// (a ring `NEW,OLD` to rotate it: see [`SealingKey`]).
    pub fn sealing_key(mut self, key: SealingKey) -> Self {
        self.key = key;
        self
    }

    /// The login route's path (default `/login`).
    pub fn login_path(mut self, path: impl Into<String>) -> Self {
        self.options_mut().login_path = path.into();
        self
    }

    /// The logout route's path (default `/logout`).
    pub fn logout_path(mut self, path: impl Into<String>) -> Self {
        self.options_mut().logout_path = path.into();
        self
    }

    /// Where to go after a login without `return_to` (default `/`).
    pub fn after_login(mut self, path: impl Into<String>) -> Self {
        self.options_mut().after_login = path.into();
        self
    }

    /// Where to go after a local logout (default `/`).
    pub fn after_logout(mut self, path: impl Into<String>) -> Self {
        self.options_mut().after_logout = path.into();
        self
    }

    /// The `post_logout_redirect_uri` sent to the provider's
    /// `end_session_endpoint` (must be registered with the provider).
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.options_mut().post_logout_redirect_uri = Some(uri.into());
        self
    }

    /// Serves back-channel logout at `path` (e.g. `/backchannel-logout`;
    /// off by default). Register the full URL with the provider as the
    /// client's `backchannel_logout_uri`. See the [module docs](self#logout).
    pub fn backchannel_logout_path(mut self, path: impl Into<String>) -> Self {
        self.options_mut().backchannel_logout_path = Some(path.into());
        self
    }

    /// Where back-channel logouts are remembered until the sessions they
    /// end are next used (default: a [`MemoryLogoutRegistry`] keeping
    /// entries for a day, for one instance). Several instances must share
    /// one registry; keep entries at least as long as your sessions live.
    pub fn logout_registry(mut self, registry: Arc<dyn LogoutRegistry>) -> Self {
        self.registry = registry;
        self
    }

    /// Makes logins and logout tokens single use across every instance
    /// sharing `store` ([`Client::with_replay_store`]).
    pub fn replay_store(mut self, store: Arc<dyn crate::replay::ReplayStore>) -> Self {
        self.client = self.client.with_replay_store(store);
        self
    }

    /// The lock the instances share so that one refresh token is spent
    /// once (default: [`InProcessRefreshLock`], enough for one instance).
    /// See [`RefreshLock`].
    pub fn refresh_lock(mut self, lock: Arc<dyn RefreshLock>) -> Self {
        self.refresh_lock = lock;
        self
    }

    /// Shares this integration's state with the other instances through
    /// Redis (feature `redis`): the used `state`s and logout `jti`s
    /// ([`Oidc::replay_store`]), the back-channel logout registry
    /// ([`Oidc::logout_registry`], keeping logouts for a day, the session
    /// layer's idle expiry) and the refresh lock ([`Oidc::refresh_lock`]).
    /// Use [`redis_session_layer`] for the sessions and give every instance
    /// the same [`Oidc::sealing_key`].
    #[cfg(feature = "redis")]
    pub fn with_redis(self, redis: &crate::redis::RedisStore) -> Self {
        let retention = std::time::Duration::from_secs(24 * 60 * 60);
        self.replay_store(Arc::new(redis.replay_store()))
            .logout_registry(Arc::new(redis.logout_registry(retention)))
            .refresh_lock(Arc::new(redis.refresh_lock()))
    }

    /// What [`SignedIn`] does for visitors who are not signed in.
    pub fn when_signed_out(mut self, behaviour: WhenSignedOut) -> Self {
        self.options_mut().when_signed_out = behaviour;
        self
    }

    /// A `prompt` sent with every login that does not ask for one.
    pub fn default_prompt(mut self, prompt: Option<crate::config::Prompt>) -> Self {
        self.options_mut().default_prompt = prompt;
        self
    }

    /// Runs after every verified login, before the session starts: e.g.
    /// create the application's user record keyed by `sub`. Returning an
    /// error shows it to the user and starts no session.
    pub fn on_login<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(UserInfo) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), LoginRejected>> + Send + 'static,
    {
        self.options_mut().on_login = Some(Arc::new(move |user| Box::pin(hook(user))));
        self
    }

    /// The most logins one browser can have in progress at once (default
    /// 5, allowed 1 to 20): each is a cookie sent with every request, so
    /// `/login` drops the oldest beyond this. A few cover several tabs.
    pub fn max_pending_logins(mut self, max: usize) -> Result<Self, ConfigError> {
        if !(1..=20).contains(&max) {
            return Err(ConfigError::WebLimit {
                field: "max_pending_logins",
                reason: "must be between 1 and 20",
            });
        }
        self.options_mut().max_pending_logins = max;
        Ok(self)
    }

    /// The longest `return_to` path `/login` accepts, in bytes (default
    /// and most 2048, least 1): it travels sealed in the pending-login
    /// cookie, and browsers drop cookies over 4 KiB.
    pub fn max_return_to_len(mut self, max: usize) -> Result<Self, ConfigError> {
        if !(1..=DEFAULT_MAX_RETURN_TO_LEN).contains(&max) {
            return Err(ConfigError::WebLimit {
                field: "max_return_to_len",
                reason: "must be between 1 and 2048 bytes",
            });
        }
        self.options_mut().max_return_to_len = max;
        Ok(self)
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl<C: 'static> Oidc<C> {
    /// The login, callback and logout routes (and back-channel logout, if
    /// enabled), for any router state.
    pub fn routes<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let options = &self.options;
        let callback = match self.client.config().configured_response_mode() {
            crate::ResponseMode::FormPost => post(handlers::callback_form_post::<C>),
            crate::ResponseMode::Query => get(handlers::callback_query::<C>),
        };
        let mut router = Router::new()
            .route(&options.login_path, get(handlers::login::<C>))
            .route(&options.callback_path, callback)
            .route(&options.logout_path, post(handlers::logout::<C>));
        if let Some(path) = &options.backchannel_logout_path {
            router = router.route(path, post(backchannel::backchannel_logout::<C>));
        }
        router.with_state(self.clone())
    }
}
