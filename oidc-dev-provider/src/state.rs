//! The state shared by every endpoint.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use crate::config::{DevClient, SigningAlg};
use crate::faults::Faults;
use crate::keys::KeySet;
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
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    /// The issuer identifier, without a trailing slash.
    pub(crate) issuer: String,
    pub(crate) settings: Settings,
    clients: RwLock<HashMap<String, DevClient>>,
    keys: RwLock<Arc<KeySet>>,
    store: Mutex<Store>,
    /// For back-channel logout deliveries.
    pub(crate) http: reqwest::Client,
    /// Injected faults (none unless a test asks).
    faults: Faults,
}

impl AppState {
    pub(crate) fn new(
        issuer: String,
        settings: Settings,
        clients: HashMap<String, DevClient>,
        keys: KeySet,
        store: Store,
        http: reqwest::Client,
    ) -> Self {
        AppState {
            issuer,
            settings,
            clients: RwLock::new(clients),
            keys: RwLock::new(Arc::new(keys)),
            store: Mutex::new(store),
            http,
            faults: Faults::default(),
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

    /// An absolute URL on this provider.
    pub(crate) fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The algorithm ID tokens for `client` are signed with.
    pub(crate) fn id_token_alg(&self, client: &DevClient) -> SigningAlg {
        client.id_token_alg.unwrap_or(self.settings.signing_alg)
    }

    /// The `aud` of access tokens issued to `client`.
    pub(crate) fn access_token_audience(&self, client: &DevClient) -> String {
        client
            .access_token_audience
            .clone()
            .unwrap_or_else(|| self.endpoint("/api"))
    }
}
