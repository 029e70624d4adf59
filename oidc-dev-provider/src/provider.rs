//! Starting, inspecting and stopping a provider.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{DevClient, SigningAlg};
use crate::faults::Injection;
use crate::keys::KeySet;
use crate::profile::Profile;
use crate::state::{AppState, Settings};
use crate::store::{DevUser, RecordedAuthorization, RecordedRequest, Store};

/// The account every provider starts with.
pub const DEFAULT_USER_EMAIL: &str = "alice@example.com";

/// The `acr_values_supported` of [`Profile::Guide`] unless
/// [`DevProviderBuilder::acr_values_supported`] says otherwise: two levels,
/// the first the one a request gets when it asks for none the provider has.
pub const DEFAULT_ACR_VALUES: [&str; 2] = ["urn:dev:loa:1", "urn:dev:loa:2"];

/// How long [`DevProvider::shutdown`] waits for in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Starting the provider failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevProviderError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A client registration is invalid (no redirect URI, bad URL, ...).
    #[error("invalid client registration: {0}")]
    InvalidClient(String),
    /// Two clients share an id.
    #[error("the client id {0:?} is registered twice")]
    DuplicateClient(String),
    /// Generating the signing keys failed.
    #[error("cannot generate signing keys: {0}")]
    Keys(String),
    /// Another start-up step failed.
    #[error("cannot start the provider: {0}")]
    Startup(String),
}

/// Configures and starts a [`DevProvider`]. Get one from
/// [`DevProvider::builder`].
#[derive(Debug, Clone)]
pub struct DevProviderBuilder {
    bind: SocketAddr,
    clients: Vec<DevClient>,
    users: Vec<String>,
    pub(crate) settings: Settings,
    /// `Some` when [`DevProviderBuilder::token_endpoint_auth_methods_supported`]
    /// overrides the profile's list.
    token_auth_methods: Option<Option<Vec<String>>>,
    /// `Some` when [`DevProviderBuilder::code_challenge_methods_supported`]
    /// overrides the profile's list.
    code_challenge_methods: Option<Option<Vec<String>>>,
    /// `Some` when [`DevProviderBuilder::acr_values_supported`] overrides
    /// the profile's list.
    acr_values: Option<Vec<String>>,
    /// `Some` when [`DevProviderBuilder::revocation_endpoint`] overrides
    /// the profile's default.
    revocation: Option<bool>,
    /// `Some` when [`DevProviderBuilder::introspection_endpoint`] overrides
    /// the profile's default.
    pub(crate) introspection: Option<bool>,
    /// `Some` when [`DevProviderBuilder::device_authorization_endpoint`]
    /// overrides the profile's default.
    pub(crate) device_flow: Option<bool>,
}

impl Default for DevProviderBuilder {
    fn default() -> Self {
        DevProviderBuilder {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            clients: Vec::new(),
            users: vec![DEFAULT_USER_EMAIL.to_owned()],
            settings: Settings {
                signing_alg: SigningAlg::RS256,
                code_ttl: Duration::from_secs(60),
                token_ttl: Duration::from_secs(3600),
                allow_minimal_token_requests: false,
                profile: Profile::Guide,
                token_auth_methods: None,
                code_challenge_methods: None,
                jwks_cache_control: None,
                acr_values: Vec::new(),
                revocation: false,
                introspection: false,
                opaque_access_tokens: false,
                device_flow: false,
                device_interval: Duration::from_secs(5),
                device_enforced_interval: None,
                device_code_ttl: Duration::from_secs(600),
            },
            token_auth_methods: None,
            code_challenge_methods: None,
            acr_values: None,
            revocation: None,
            introspection: None,
            device_flow: None,
        }
    }
}

impl DevProviderBuilder {
    /// The address to listen on. Default `127.0.0.1:0` (loopback, any free
    /// port). If the address is unspecified (`0.0.0.0`), the issuer still
    /// names the loopback address.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Register a client (repeatable).
    pub fn client(mut self, client: DevClient) -> Self {
        self.clients.push(client);
        self
    }

    /// Pre-seed another account (besides `alice@example.com`).
    pub fn user(mut self, email: impl Into<String>) -> Self {
        self.users.push(email.into());
        self
    }

    /// The default signing algorithm: for access tokens, logout tokens, and
    /// ID tokens of clients without [`DevClient::id_token_alg`]. Default RS256.
    pub fn signing_alg(mut self, alg: SigningAlg) -> Self {
        self.settings.signing_alg = alg;
        self
    }

    /// How long an authorization code is valid. Default 60 seconds.
    pub fn code_ttl(mut self, ttl: Duration) -> Self {
        self.settings.code_ttl = ttl;
        self
    }

    /// How long access and ID tokens are valid. Default one hour.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.settings.token_ttl = ttl;
        self
    }

    /// Accept the integration guide's minimal token request (`client_id`,
    /// `client_secret`, `code`: no `grant_type`, no `redirect_uri`). Off by
    /// default, so that a client omitting the standard parameters is caught.
    pub fn allow_minimal_token_requests(mut self, allow: bool) -> Self {
        self.settings.allow_minimal_token_requests = allow;
        self
    }

    /// Imitate a real provider (see [`Profile`] and the crate documentation's
    /// "Profiles" section). Default [`Profile::Guide`].
    pub fn profile(mut self, profile: Profile) -> Self {
        self.settings.profile = profile;
        self
    }

    /// Override the published `token_endpoint_auth_methods_supported` (any
    /// profile). `None` omits the member, which by OpenID Connect Discovery
    /// 1.0 means `client_secret_basic` only.
    ///
    /// The token endpoint enforces the published list: a client
    /// authenticating with `client_secret_post` or `client_secret_basic`
    /// when the list (or, for an absent member, the implied
    /// `["client_secret_basic"]`) does not name that method is refused with
    /// `invalid_client`, even if the client's own registration
    /// ([`DevClient::auth_methods`]) allows it. Public clients (`none`,
    /// PKCE) are always accepted, whatever the list says, as Auth0 and
    /// Keycloak accept them without listing `none`. Names the provider does
    /// not implement (`private_key_jwt`, ...) may be listed; such requests
    /// are still refused.
    ///
    /// ```
    /// # use oidc_dev_provider::DevProvider;
    /// let builder = DevProvider::builder()
    ///     .token_endpoint_auth_methods_supported(Some(vec!["client_secret_post"]));
    /// let absent = DevProvider::builder().token_endpoint_auth_methods_supported(None);
    /// # let _ = (builder, absent);
    /// ```
    pub fn token_endpoint_auth_methods_supported(mut self, methods: Option<Vec<&str>>) -> Self {
        self.token_auth_methods = Some(methods.map(to_strings));
        self
    }

    /// Override the published `code_challenge_methods_supported` (any
    /// profile); `None` omits the member. Metadata only: the authorization
    /// endpoint still accepts only `S256` from a client that sends a
    /// `code_challenge`, so a client that picks `plain` is caught.
    pub fn code_challenge_methods_supported(mut self, methods: Option<Vec<&str>>) -> Self {
        self.code_challenge_methods = Some(methods.map(to_strings));
        self
    }

    /// Send this `Cache-Control` with the JWKS (say `public, max-age=3600`,
    /// as Google does), telling relying parties how long they may trust
    /// the keys. Default: no header, so that after
    /// [`DevProvider::rotate_keys`] a client may refetch at once.
    pub fn jwks_cache_control(mut self, value: impl Into<String>) -> Self {
        self.settings.jwks_cache_control = Some(value.into());
        self
    }

    /// The authentication context classes the provider supports, published
    /// as `acr_values_supported` (an empty list omits the member). Default
    /// [`DEFAULT_ACR_VALUES`] for [`Profile::Guide`], none for the other
    /// profiles (the real providers' lists differ).
    ///
    /// A request with `acr_values` gets an ID token whose `acr` is the
    /// first requested value in this list, or else the list's first value,
    /// as a real provider may answer with a lower level than asked for
    /// (`acr_values` is a voluntary claim request); with an empty list, no
    /// `acr`. A request without `acr_values` gets no `acr`.
    pub fn acr_values_supported(mut self, values: Vec<&str>) -> Self {
        self.acr_values = Some(to_strings(values));
        self
    }

    /// Serve and publish a `revocation_endpoint` (RFC 7009) at `/revoke`
    /// (Keycloak profile: `/realms/dev/protocol/openid-connect/revoke`), or
    /// not. Default: on for [`Profile::Guide`], off for the other profiles
    /// (whose published metadata is kept as the real providers' was when
    /// imitated). Revoking a refresh token revokes its whole grant, so the
    /// access tokens issued with it stop working too (RFC 7009 section 2.1).
    pub fn revocation_endpoint(mut self, enabled: bool) -> Self {
        self.revocation = Some(enabled);
        self
    }

    /// Bind, generate keys and start serving in the background on the
    /// current Tokio runtime.
    pub async fn start(mut self) -> Result<DevProvider, DevProviderError> {
        let profile = self.settings.profile;
        self.settings.token_auth_methods = self
            .token_auth_methods
            .take()
            .unwrap_or_else(|| profile.token_endpoint_auth_methods());
        self.settings.code_challenge_methods = self
            .code_challenge_methods
            .take()
            .unwrap_or_else(|| profile.code_challenge_methods());
        self.settings.acr_values = self.acr_values.take().unwrap_or_else(|| match profile {
            Profile::Guide => to_strings(DEFAULT_ACR_VALUES.to_vec()),
            _ => Vec::new(),
        });
        self.settings.revocation = self.revocation.unwrap_or(profile == Profile::Guide);
        self.settings.introspection = self.introspection.unwrap_or(profile == Profile::Guide);
        self.settings.device_flow = self.device_flow.unwrap_or(profile == Profile::Guide);
        let mut clients = HashMap::new();
        for client in self.clients {
            client.validate().map_err(DevProviderError::InvalidClient)?;
            if clients.contains_key(&client.id) {
                return Err(DevProviderError::DuplicateClient(client.id));
            }
            clients.insert(client.id.clone(), client);
        }
        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(|source| DevProviderError::Bind {
                addr: self.bind,
                source,
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| DevProviderError::Startup(e.to_string()))?;
        let origin = origin_for(local_addr);

        let keys = tokio::task::spawn_blocking(KeySet::generate)
            .await
            .map_err(|e| DevProviderError::Keys(e.to_string()))?
            .map_err(|e| DevProviderError::Keys(e.to_string()))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| DevProviderError::Startup(e.to_string()))?;
        let mut store = Store::default();
        for email in &self.users {
            // Apple always has the user's name (its `user` form field
            // carries it), so the default account gets one there.
            let name = (profile == Profile::Apple && email == DEFAULT_USER_EMAIL)
                .then(|| APPLE_DEFAULT_NAME.to_owned());
            // Duplicates simply keep the first account.
            let _ = store.create_account(email, name);
        }
        let state = Arc::new(AppState::new(
            origin,
            self.settings,
            clients,
            keys,
            store,
            http,
        ));

        let issuer = state.issuer.clone();
        let issuer_url =
            url::Url::parse(&issuer).map_err(|e| DevProviderError::Startup(e.to_string()))?;
        let app = crate::router::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = server.await {
                tracing::error!(error = %e, "dev provider stopped with an error");
            }
        });
        tracing::info!(issuer = %issuer, profile = %profile, "dev provider listening");
        Ok(DevProvider {
            inner: Arc::new(Handle {
                state,
                issuer_url,
                local_addr,
                shutdown: Mutex::new(Some(tx)),
                task: Mutex::new(Some(task)),
            }),
        })
    }
}

/// The display name of the default account under [`Profile::Apple`].
const APPLE_DEFAULT_NAME: &str = "Alice Example";

fn to_strings(list: Vec<&str>) -> Vec<String> {
    list.into_iter().map(str::to_owned).collect()
}

/// `http://IP:PORT`, with the loopback address for an unspecified bind.
fn origin_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

struct Handle {
    state: Arc<AppState>,
    issuer_url: url::Url,
    local_addr: SocketAddr,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Handle {
    fn signal_shutdown(&self) {
        if let Some(tx) = self
            .shutdown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = tx.send(());
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.signal_shutdown();
    }
}

/// A running OpenID Provider.
///
/// Cheap to clone; the server stops when the last clone is dropped or when
/// [`shutdown`](DevProvider::shutdown) is called on any clone.
#[derive(Clone)]
pub struct DevProvider {
    inner: Arc<Handle>,
}

impl fmt::Debug for DevProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevProvider")
            .field("issuer", &self.issuer_str())
            .field("clients", &self.inner.state.client_ids())
            .finish_non_exhaustive()
    }
}

impl DevProvider {
    /// The shared state, for the `testing` helpers that mint tokens and
    /// the device flow's inspection methods.
    pub(crate) fn state(&self) -> &Arc<AppState> {
        &self.inner.state
    }

    /// Configure a provider.
    pub fn builder() -> DevProviderBuilder {
        DevProviderBuilder::default()
    }

    /// The issuer as a URL. Note that [`url::Url`] always shows a root path,
    /// so with the default profile `as_str()` ends with `/`; the issuer
    /// identifier used in discovery and tokens is
    /// [`issuer_str`](Self::issuer_str), without it.
    pub fn issuer(&self) -> &url::Url {
        &self.inner.issuer_url
    }

    /// The issuer identifier a client is configured with; discovery is at
    /// [`discovery_url`](Self::discovery_url). By profile:
    ///
    /// * [`Profile::Guide`], [`Profile::Google`], [`Profile::Entra`],
    ///   [`Profile::Apple`]: `http://127.0.0.1:PORT`, no trailing slash.
    ///   For Guide and Apple it is exactly the discovery `issuer` and the
    ///   `iss` of every token; Google's tokens carry the schemeless alias
    ///   and Entra's discovery `issuer` is a template (see
    ///   [`id_token_issuer`](Self::id_token_issuer)).
    /// * [`Profile::Auth0`]: `http://127.0.0.1:PORT/`, **with** the trailing
    ///   slash, exactly as in discovery and in `iss`.
    /// * [`Profile::Keycloak`]: `http://127.0.0.1:PORT/realms/dev`, exactly
    ///   as in discovery and in `iss`.
    pub fn issuer_str(&self) -> &str {
        &self.inner.state.issuer
    }

    /// The `iss` claim of the tokens this provider mints (ID, access and
    /// logout tokens): [`issuer_str`](Self::issuer_str), except for
    /// [`Profile::Google`] (`127.0.0.1:PORT`, the scheme stripped) and
    /// [`Profile::Entra`] (`http://127.0.0.1:PORT/TENANT/v2.0`, the
    /// discovery template filled with [`tenant_id`](Self::tenant_id)).
    pub fn id_token_issuer(&self) -> &str {
        &self.inner.state.token_issuer
    }

    /// The URL of the discovery document: `{origin}/.well-known/openid-configuration`,
    /// or `{origin}/realms/dev/.well-known/openid-configuration` for Keycloak.
    pub fn discovery_url(&self) -> String {
        let state = &self.inner.state;
        state.endpoint(state.paths.discovery)
    }

    /// The profile the provider imitates.
    pub fn profile(&self) -> Profile {
        self.inner.state.profile()
    }

    /// Under [`Profile::Entra`], the tenant (a GUID fixed for the provider's
    /// lifetime) every user belongs to: the `tid` claim. `None` otherwise.
    pub fn tenant_id(&self) -> Option<&str> {
        self.inner.state.tenant_id.as_deref()
    }

    /// The address the provider listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr
    }

    /// Stop the server (for every clone) and wait for in-flight requests, at
    /// most a few seconds.
    pub async fn shutdown(self) {
        self.inner.signal_shutdown();
        let task = self
            .inner
            .task
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(mut task) = task
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    /// Replace every signing key with a fresh one. The JWKS then lists only
    /// the new keys; tokens signed with the old ones no longer verify here
    /// either.
    pub fn rotate_keys(&self) {
        match KeySet::generate() {
            Ok(keys) => self.inner.state.set_keys(keys),
            Err(e) => tracing::error!(error = %e, "key rotation failed; keeping the old keys"),
        }
    }

    /// Make the provider misbehave: every time until
    /// [`clear_faults`](Self::clear_faults), or as the [`Injection`] says
    /// ([`Fault::once`](crate::Fault::once), [`Fault::times`](crate::Fault::times),
    /// [`Fault::for_client`](crate::Fault::for_client)). See
    /// [`faults`](crate::faults) for what each fault does and where.
    ///
    /// ```no_run
    /// # use oidc_dev_provider::{DevProvider, Edit, Fault};
    /// # fn f(provider: &DevProvider) {
    /// provider.inject(Fault::id_claim(Edit::set("aud", "someone-else")).once());
    /// # }
    /// ```
    pub fn inject(&self, fault: impl Into<Injection>) {
        self.inner.state.faults().inject(fault.into());
    }

    /// [`inject`](Self::inject), limited to the responses given to
    /// `client_id` (authorization, token and UserInfo responses; discovery
    /// and JWKS requests belong to no client, so they are never changed by
    /// a client-scoped fault).
    pub fn inject_for(&self, client_id: impl Into<String>, fault: impl Into<Injection>) {
        self.inner
            .state
            .faults()
            .inject(fault.into().for_client(client_id));
    }

    /// Remove every injected fault: the provider behaves normally again.
    pub fn clear_faults(&self) {
        self.inner.state.faults().clear();
    }

    /// The injected faults that still apply (one-shot faults disappear once
    /// used), in injection order.
    pub fn active_faults(&self) -> Vec<Injection> {
        self.inner.state.faults().active()
    }

    /// The `kid` of the current signing key for `alg` (it changes with
    /// [`rotate_keys`](Self::rotate_keys)).
    pub fn kid(&self, alg: SigningAlg) -> String {
        self.inner
            .state
            .keys()
            .for_alg(alg)
            .map(|key| key.kid.clone())
            .unwrap_or_default()
    }

    /// The public JWK of the attacker's RSA key, the key
    /// [`Signing::AttackerKey`](crate::Signing::AttackerKey) signs with: to
    /// embed in a header (`jwk`) or serve from a `jku`. `Null` if the key
    /// could not be generated.
    pub fn attacker_jwk(&self) -> serde_json::Value {
        self.inner
            .state
            .faults()
            .attacker_key()
            .and_then(|key| serde_json::to_value(&key.jwk).ok())
            .unwrap_or_default()
    }

    /// Every HTTP request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.state.store().requests()
    }

    /// Every authorization request received so far, in order, with its
    /// parameters but without the login's secrets: what the client asked
    /// for (`acr_values`, `ui_locales`, `audience`...).
    pub fn authorization_requests(&self) -> Vec<RecordedAuthorization> {
        self.inner.state.store().authorizations()
    }

    /// Forget the recorded requests (and authorization requests).
    pub fn clear_requests(&self) {
        self.inner.state.store().clear_requests();
    }

    /// The accounts the provider knows.
    pub fn users(&self) -> Vec<DevUser> {
        self.inner.state.store().users()
    }

    /// Create an account (or return the existing one with this email). The
    /// `sub` is stable for the provider's lifetime.
    pub fn add_user(&self, email: &str) -> DevUser {
        let mut store = self.inner.state.store();
        match store.create_account(email, None) {
            Ok(user) | Err(user) => user,
        }
    }

    /// Register (or replace) a client while running, e.g. once a test app
    /// knows its own port.
    pub fn register_client(&self, client: DevClient) -> Result<(), DevProviderError> {
        client.validate().map_err(DevProviderError::InvalidClient)?;
        self.inner.state.insert_client(client);
        Ok(())
    }

    /// End every session of `sub` and send back-channel logout tokens to the
    /// clients that have one and registered a `backchannel_logout_uri`.
    /// Returns once every delivery finished (each is bounded by a timeout).
    pub async fn backchannel_logout(&self, sub: &str) {
        let ended = self.inner.state.store().end_sessions(sub, None);
        crate::logout::send_backchannel(&self.inner.state, ended).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_uses_loopback_for_unspecified() {
        let v4: SocketAddr = "0.0.0.0:9000".parse().expect("addr");
        assert_eq!(origin_for(v4), "http://127.0.0.1:9000");
        let v6: SocketAddr = "[::]:9000".parse().expect("addr");
        assert_eq!(origin_for(v6), "http://[::1]:9000");
        let lo: SocketAddr = "127.0.0.1:1".parse().expect("addr");
        assert_eq!(origin_for(lo), "http://127.0.0.1:1");
    }
}
