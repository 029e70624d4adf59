//! The state shared by every endpoint.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use crate::config::{DevClient, SigningAlg};
use crate::device::DeviceStore;
use crate::faults::Faults;
use crate::keys::KeySet;
use crate::profile::{ENTRA_GRAPH_AUDIENCE, Paths, Profile};
use crate::store::Store;

/// Provider-wide settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Algorithm for access tokens and for ID tokens of clients that did not
    /// choose one.
    pub(crate) signing_alg: SigningAlg,
    pub(crate) code_ttl: Duration,
    pub(crate) token_ttl: Duration,
    /// Accept the guide's minimal token request (no `grant_type`, no
    /// `redirect_uri`).
    pub(crate) allow_minimal_token_requests: bool,
    /// The real provider imitated.
    pub(crate) profile: Profile,
    /// Published `token_endpoint_auth_methods_supported` (`None`: absent,
    /// which means `client_secret_basic` only). The token endpoint enforces
    /// it for secret-based methods.
    pub(crate) token_auth_methods: Option<Vec<String>>,
    /// Published `code_challenge_methods_supported` (`None`: absent).
    /// Metadata only: the authorization endpoint accepts S256 whatever it says.
    pub(crate) code_challenge_methods: Option<Vec<String>>,
    /// The `Cache-Control` of the JWKS response (`None`: no header).
    pub(crate) jwks_cache_control: Option<String>,
    /// Published `acr_values_supported` (empty: absent), in the order the
    /// provider falls back to them.
    pub(crate) acr_values: Vec<String>,
    /// Whether the revocation endpoint (RFC 7009) is served and published.
    pub(crate) revocation: bool,
    /// Whether the introspection endpoint (RFC 7662) is served and published.
    pub(crate) introspection: bool,
    /// Whether access tokens are opaque strings (see `introspection.rs`).
    pub(crate) opaque_access_tokens: bool,
    /// Whether the device authorization endpoint (RFC 8628) is served and
    /// published.
    pub(crate) device_flow: bool,
    /// The device flow's advertised `interval`.
    pub(crate) device_interval: Duration,
    /// The poll spacing below which the token endpoint answers
    /// `slow_down` (`None`: the advertised interval).
    pub(crate) device_enforced_interval: Option<Duration>,
    /// How long a device code and its user code live.
    pub(crate) device_code_ttl: Duration,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    /// `http://IP:PORT`: every endpoint URL starts with it.
    pub(crate) origin: String,
    /// The issuer identifier ([`DevProvider::issuer_str`](crate::DevProvider::issuer_str)):
    /// `origin` for most profiles, `origin/` for Auth0, `origin/realms/dev`
    /// for Keycloak.
    pub(crate) issuer: String,
    /// The `iss` of every JWT minted (differs from `issuer` for Google and Entra).
    pub(crate) token_issuer: String,
    /// Entra's tenant of every user (`tid`); `None` for other profiles.
    pub(crate) tenant_id: Option<String>,
    /// Where the protocol endpoints are served.
    pub(crate) paths: Paths,
    pub(crate) settings: Settings,
    clients: RwLock<HashMap<String, DevClient>>,
    keys: RwLock<Arc<KeySet>>,
    store: Mutex<Store>,
    /// The device authorizations (RFC 8628), apart from the main store.
    devices: Mutex<DeviceStore>,
    /// For back-channel logout deliveries.
    pub(crate) http: reqwest::Client,
    /// Injected faults (none unless a test asks).
    faults: Faults,
    /// (client id, `jti`) of accepted client assertions, with their `exp`.
    used_assertions: Mutex<HashMap<(String, String), u64>>,
}

impl AppState {
    pub(crate) fn new(
        origin: String,
        settings: Settings,
        clients: HashMap<String, DevClient>,
        keys: KeySet,
        store: Store,
        http: reqwest::Client,
    ) -> Self {
        let profile = settings.profile;
        let issuer = profile.issuer(&origin);
        let tenant_id = (profile == Profile::Entra).then(|| uuid::Uuid::new_v4().to_string());
        let token_issuer = profile.token_issuer(&issuer, tenant_id.as_deref());
        AppState {
            origin,
            issuer,
            token_issuer,
            tenant_id,
            paths: profile.paths(),
            settings,
            clients: RwLock::new(clients),
            keys: RwLock::new(Arc::new(keys)),
            store: Mutex::new(store),
            devices: Mutex::new(DeviceStore::default()),
            http,
            faults: Faults::default(),
            used_assertions: Mutex::new(HashMap::new()),
        }
    }

    /// The injected faults.
    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The store, locked. Never hold the guard across an `.await`.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The device authorizations, locked. Never hold the guard across an
    /// `.await`, nor together with [`AppState::store`].
    pub(crate) fn devices(&self) -> MutexGuard<'_, DeviceStore> {
        self.devices.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current signing keys.
    pub(crate) fn keys(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replace the signing keys.
    pub(crate) fn set_keys(&self, keys: KeySet) {
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
    }

    /// Records the `jti` of a client assertion valid until `exp`: `false`
    /// if it was seen before (a replay). Expired entries are dropped, as
    /// their assertions are refused anyway.
    pub(crate) fn first_use_of_assertion(&self, client_id: &str, jti: &str, exp: u64) -> bool {
        let now = crate::util::now_secs();
        let mut used = self
            .used_assertions
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        used.retain(|_, until| *until >= now);
        used.insert((client_id.to_owned(), jti.to_owned()), exp)
            .is_none()
    }

    /// A registered client.
    pub(crate) fn client(&self, id: &str) -> Option<DevClient> {
        self.clients
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// Register (or replace) a client.
    pub(crate) fn insert_client(&self, client: DevClient) {
        self.clients
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(client.id.clone(), client);
    }

    /// The ids of all registered clients, sorted.
    pub(crate) fn client_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .clients
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// An absolute URL on this provider (`path` from the origin).
    pub(crate) fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The `iss` authorization response parameter, if the profile sends it.
    pub(crate) fn response_iss(&self) -> Option<&str> {
        self.profile().sends_iss().then_some(self.issuer.as_str())
    }

    /// The profile imitated.
    pub(crate) fn profile(&self) -> Profile {
        self.settings.profile
    }

    /// The algorithm ID tokens for `client` are signed with.
    pub(crate) fn id_token_alg(&self, client: &DevClient) -> SigningAlg {
        client.id_token_alg.unwrap_or(self.settings.signing_alg)
    }

    /// The default `aud` of access tokens issued to `client` (when the
    /// authorization request named no API): the client's
    /// [`DevClient::access_token_audience`], else Microsoft Graph for Entra,
    /// else the issuer followed by `/api`.
    pub(crate) fn access_token_audience(&self, client: &DevClient) -> String {
        client.access_token_audience.clone().unwrap_or_else(|| {
            if self.profile() == Profile::Entra {
                ENTRA_GRAPH_AUDIENCE.to_owned()
            } else {
                format!("{}/api", self.issuer.trim_end_matches('/'))
            }
        })
    }
}
