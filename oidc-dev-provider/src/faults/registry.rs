//! The set of active faults, shared by the provider's handlers.

use super::*;
use crate::config::SigningAlg;
use crate::keys::SigningKey;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// The injected faults, shared by every endpoint.
#[derive(Default)]
pub(crate) struct Faults {
    active: Mutex<Vec<Injection>>,
    keys: FaultKeys,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faults")
            .field("active", &self.active())
            .finish_non_exhaustive()
    }
}

impl Faults {
    pub(crate) fn inject(&self, injection: Injection) {
        if injection.remaining == Some(0) {
            return;
        }
        self.lock().push(injection);
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    pub(crate) fn active(&self) -> Vec<Injection> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Injection>> {
        self.active.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The faults `pick` selects for a response to `client`, in injection
    /// order; one-shot faults are used up.
    fn take<T>(&self, client: Option<&str>, pick: impl Fn(&Fault) -> Option<T>) -> Vec<T> {
        let mut active = self.lock();
        let mut picked = Vec::new();
        active.retain_mut(|injection| {
            let in_scope = match (&injection.client, client) {
                (None, _) => true,
                (Some(scope), Some(client)) => scope == client,
                (Some(_), None) => false,
            };
            if !in_scope {
                return true;
            }
            let Some(item) = pick(&injection.fault) else {
                return true;
            };
            picked.push(item);
            match &mut injection.remaining {
                None => true,
                Some(n) => {
                    *n = n.saturating_sub(1);
                    *n > 0
                }
            }
        });
        picked
    }

    /// The faults for a token of `kind` minted for `client_id`.
    pub(crate) fn for_token(&self, kind: TokenKind, client_id: &str) -> TokenFaults {
        let mut faults = TokenFaults::default();
        let picked = self.take(Some(client_id), |fault| match fault {
            Fault::Claim { token, .. }
            | Fault::Header { token, .. }
            | Fault::Signing { token, .. }
                if *token == kind =>
            {
                Some(fault.clone())
            }
            _ => None,
        });
        for fault in picked {
            match fault {
                Fault::Claim { edit, .. } => faults.claims.push(edit),
                Fault::Header { edit, .. } => faults.header.push(edit),
                Fault::Signing { signing, .. } => {
                    faults.signing.get_or_insert(signing);
                }
                _ => {}
            }
        }
        faults
    }

    /// The faults for the JWKS document.
    pub(crate) fn for_jwks(&self) -> Vec<JwksFault> {
        self.take(None, |fault| match fault {
            Fault::Jwks(jwks) => Some(jwks.clone()),
            _ => None,
        })
    }

    /// The faults for an authorization response to `client_id`.
    pub(crate) fn for_authorization(&self, client_id: &str) -> Vec<AuthzFault> {
        self.take(Some(client_id), |fault| match fault {
            Fault::Authorization(authz) => Some(authz.clone()),
            _ => None,
        })
    }

    /// The body and HTTP faults for a response of `endpoint` to `client`.
    pub(super) fn for_response(&self, endpoint: Endpoint, client: Option<&str>) -> Vec<Fault> {
        self.take(client, |fault| match fault {
            Fault::Body { endpoint: e, .. } | Fault::Http { endpoint: e, .. } if *e == endpoint => {
                Some(fault.clone())
            }
            _ => None,
        })
    }

    /// A key nobody publishes, for [`Signing::ForeignKey`] and
    /// [`Signing::UnlistedKey`].
    pub(crate) fn foreign_key(&self, alg: SigningAlg) -> Option<Arc<SigningKey>> {
        self.keys.get(KeyRole::Foreign, alg)
    }

    /// The attacker's RSA key.
    pub(crate) fn attacker_key(&self) -> Option<Arc<SigningKey>> {
        self.keys.get(KeyRole::Attacker, SigningAlg::RS256)
    }

    /// The RSA key published for encryption only.
    pub(crate) fn encryption_key(&self) -> Option<Arc<SigningKey>> {
        self.keys.get(KeyRole::Encryption, SigningAlg::RS256)
    }

    /// A decoy key for [`JwksFault::ExtraKey`].
    pub(crate) fn extra_key(&self, alg: SigningAlg) -> Option<Arc<SigningKey>> {
        self.keys.get(KeyRole::Extra, alg)
    }
}

/// The faults that change one minted token.
#[derive(Debug, Default)]
pub(crate) struct TokenFaults {
    pub(crate) header: Vec<Edit>,
    pub(crate) claims: Vec<Edit>,
    /// The first signing fault injected, if several apply.
    pub(crate) signing: Option<Signing>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyRole {
    Foreign,
    Attacker,
    Encryption,
    Extra,
}

/// Keys that only faults use, generated on first use (so that a provider
/// without faults starts as fast as before) and kept across rotations.
#[derive(Default)]
struct FaultKeys {
    keys: Mutex<HashMap<(KeyRole, SigningAlg), Arc<SigningKey>>>,
}

impl FaultKeys {
    fn get(&self, role: KeyRole, alg: SigningAlg) -> Option<Arc<SigningKey>> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = keys.get(&(role, alg)) {
            return Some(Arc::clone(key));
        }
        let mut key = match SigningKey::generate(alg) {
            Ok(key) => key,
            Err(e) => {
                tracing::error!(error = %e, "cannot generate a key for a fault");
                return None;
            }
        };
        if role == KeyRole::Encryption {
            key.jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Encryption);
            key.jwk.common.key_algorithm = None;
        }
        let key = Arc::new(key);
        keys.insert((role, alg), Arc::clone(&key));
        Some(key)
    }
}

// ---- applying edits ------------------------------------------------------
