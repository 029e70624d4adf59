//! Fault injection: make the provider misbehave on purpose, to test how a
//! relying party copes with a broken or hostile OpenID Provider.
//!
//! A [`Fault`] says *what* goes wrong (an ID token claim, the JOSE header,
//! the signing key, the JWKS, the authorization response, the body or the
//! transport of an endpoint's response). An [`Injection`] says *when*:
//! every time until [`DevProvider::clear_faults`](crate::DevProvider::clear_faults)
//! (the default), a limited number of times ([`Fault::once`],
//! [`Fault::times`]), and for every client or only one
//! ([`DevProvider::inject_for`](crate::DevProvider::inject_for)).
//!
//! ```no_run
//! use oidc_dev_provider::{DevProvider, Edit, Endpoint, Fault, HttpFault, Signing};
//! use std::time::Duration;
//!
//! # async fn example(provider: DevProvider) {
//! // The next ID token names another issuer.
//! provider.inject(Fault::id_claim(Edit::set("iss", "https://evil.example")).once());
//! // Every ID token is unsigned, with `alg: none`.
//! provider.inject(Fault::id_signing(Signing::Unsigned { alg: "none".into() }));
//! // The discovery document forgets its token endpoint.
//! provider.inject(Fault::discovery(Edit::remove("token_endpoint")));
//! // The UserInfo endpoint answers one byte every 100 ms.
//! provider.inject(Fault::http(Endpoint::UserInfo, HttpFault::Trickle {
//!     interval: Duration::from_millis(100),
//! }));
//! // Only for client `app-2`: the authorization response repeats `state`.
//! provider.inject_for("app-2", Fault::authorization(oidc_dev_provider::AuthzFault::Duplicate {
//!     name: "state".into(),
//!     value: "forged".into(),
//! }));
//! provider.clear_faults();
//! # }
//! ```
//!
//! # Where each fault acts
//!
//! | fault | acts on |
//! | --- | --- |
//! | [`Fault::Claim`], [`Fault::Header`], [`Fault::Signing`] | every JWT of that [`TokenKind`] the provider mints (token endpoint, both grants; back-channel logout) |
//! | [`Fault::Jwks`] | the `GET /jwks` document's keys |
//! | [`Fault::Authorization`] | the authorization response sent to the redirect URI (success, error and cancel) |
//! | [`Fault::Body`] | the JSON body of an [`Endpoint`]'s response, whatever its status |
//! | [`Fault::Http`] | the HTTP response of an [`Endpoint`]: status, body size, compression, pace, redirects |
//!
//! Faults are applied in the order they were injected; several can act on
//! the same response (for example a claim change *and* a header change).
//! A one-shot fault is used up by the first response it changes.
//!
//! A fault scoped to a client acts only on responses the provider gives
//! that client: authorization responses, token responses (the client that
//! authenticated, or the `client_id` it sent) and UserInfo responses (the
//! client the access token was issued to). Discovery and JWKS requests are
//! made on behalf of no client: a client-scoped fault never acts on them.
//!
//! With no fault injected, the provider behaves exactly as documented in
//! the crate root.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::config::SigningAlg;
use crate::keys::SigningKey;
use crate::state::AppState;

/// Which JWTs a token fault changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// ID tokens (`typ: JWT`), from both the `authorization_code` and the
    /// `refresh_token` grant.
    IdToken,
    /// Access tokens (`typ: at+jwt`). The provider's own UserInfo endpoint
    /// then refuses a token it can no longer verify.
    AccessToken,
    /// Back-channel logout tokens (`typ: logout+jwt`).
    LogoutToken,
}

/// An endpoint whose HTTP response [`Fault::Body`] or [`Fault::Http`] changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /.well-known/openid-configuration`
    Discovery,
    /// `GET /jwks`
    Jwks,
    /// `POST /token`
    Token,
    /// `GET`/`POST /userinfo`
    UserInfo,
}

impl Endpoint {
    fn from_path(path: &str) -> Option<Self> {
        match path {
            "/.well-known/openid-configuration" => Some(Endpoint::Discovery),
            "/jwks" => Some(Endpoint::Jwks),
            "/token" => Some(Endpoint::Token),
            "/userinfo" => Some(Endpoint::UserInfo),
            _ => None,
        }
    }
}

/// What happens to one member of a JSON object (or to one parameter of an
/// authorization response).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// Add the member, or replace its value (any JSON value: give a claim
    /// the wrong type with, say, `json!(42)`). For a parameter, a string is
    /// used as it is and other values as their JSON text.
    Set(Value),
    /// Remove the member (every occurrence, for a parameter).
    Remove,
    /// Add this many seconds to a numeric member (move `iat` into the
    /// future, `exp` into the past). A missing or non-numeric member is set
    /// to the current time plus the shift.
    Shift(i64),
    /// Replace the value by the value of another member of the same
    /// document (a name or a JSON Pointer), e.g. `state` := `code`. Nothing
    /// happens if that member does not exist.
    CopyFrom(String),
}

/// A change to one member of a JSON document: the member is named by
/// `path`, either a plain member name (`"iss"`, `"x5c"`) or, starting with
/// `/`, a JSON Pointer (RFC 6901) into nested objects (`"/userinfo/sub"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The member: a name, or a JSON Pointer starting with `/`.
    pub path: String,
    /// What happens to it.
    pub change: Change,
}

impl Edit {
    /// Set `path` to `value`.
    pub fn set(path: impl Into<String>, value: impl Into<Value>) -> Self {
        Edit {
            path: path.into(),
            change: Change::Set(value.into()),
        }
    }

    /// Remove `path`.
    pub fn remove(path: impl Into<String>) -> Self {
        Edit {
            path: path.into(),
            change: Change::Remove,
        }
    }

    /// Add `seconds` to the number at `path`.
    pub fn shift(path: impl Into<String>, seconds: i64) -> Self {
        Edit {
            path: path.into(),
            change: Change::Shift(seconds),
        }
    }

    /// Copy the value of `from` to `path`.
    pub fn copy(path: impl Into<String>, from: impl Into<String>) -> Self {
        Edit {
            path: path.into(),
            change: Change::CopyFrom(from.into()),
        }
    }
}

/// How a token is signed instead of normally (with the provider's current,
/// published key for the token's algorithm).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signing {
    /// With a key the provider does not publish, under the genuine key's
    /// `kid`: a forgery that only the signature check catches.
    ForeignKey,
    /// With a key the provider does not publish, under that key's own
    /// `kid`, which no JWKS lists (not even after a refetch).
    UnlistedKey,
    /// With the genuine key, under a fresh random `kid` every time: a flood
    /// of unknown `kid`s for the relying party's JWKS cache.
    RandomKid,
    /// With an RSA key that the JWKS lists for encryption only (`"use":
    /// "enc"`, no `alg`) once [`JwksFault::PublishEncryptionKey`] is set,
    /// under that key's `kid`; `alg` RS256.
    EncryptionKey,
    /// With the attacker's RSA key ([`DevProvider::attacker_jwk`](crate::DevProvider::attacker_jwk)),
    /// under its `kid`; `alg` RS256. Combine with a [`Fault::Header`] that
    /// embeds that key (`jwk`) or points at it (`jku`, `x5u`).
    AttackerKey,
    /// The algorithm-confusion attack: `alg` set to this HMAC algorithm
    /// (`HS256`, `HS384` or `HS512`; others are MAC'd with SHA-256) and the
    /// token MAC'd with the provider's *public* RSA key (its PEM text) as
    /// the secret, under the RSA key's `kid`.
    HmacWithPublicKey {
        /// The `alg` header value.
        alg: String,
    },
    /// Unsigned: `alg` set to this value (`none`, `None`, `NONE`, ...) and
    /// an empty signature (`header.payload.`).
    Unsigned {
        /// The `alg` header value.
        alg: String,
    },
    /// Signed normally, then one bit of the signature flipped.
    CorruptSignature,
    /// Signed normally, then the signature removed (`header.payload.`).
    StripSignature,
}

/// A change to the JWKS document's keys (`GET /jwks`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum JwksFault {
    /// Also publish a second, unrelated public key for this algorithm,
    /// with its own `kid` (a key nobody signs with).
    ExtraKey(SigningAlg),
    /// Also publish the RSA key [`Signing::EncryptionKey`] signs with, as an
    /// encryption key (`"use": "enc"`).
    PublishEncryptionKey,
    /// Change every published key, or only the keys for `alg` (by their
    /// `alg` member): e.g. remove `kid`, set `use` to `enc`.
    EditKeys {
        /// The keys to change: `None` for all.
        alg: Option<SigningAlg>,
        /// The change.
        edit: Edit,
    },
}

/// A response mode for [`AuthzFault::Mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthzMode {
    /// A `303` redirect with the parameters in the query.
    Query,
    /// An auto-submitting HTML form.
    FormPost,
}

/// A change to the authorization response sent to the redirect URI.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuthzFault {
    /// Set, remove or copy a parameter (`state`, `iss`, `code`, or an
    /// injected `access_token` / `id_token`).
    Param(Edit),
    /// Append a second `name=value` after the existing one(s).
    Duplicate {
        /// The parameter name.
        name: String,
        /// The extra value.
        value: String,
    },
    /// Deliver the response by this mode, whatever the request asked for.
    Mode(AuthzMode),
}

/// A change to the HTTP response of an [`Endpoint`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HttpFault {
    /// Answer with an OAuth error (`{"error", "error_description"}`, JSON)
    /// and this status instead.
    OAuthError {
        /// The HTTP status.
        status: u16,
        /// The `error` code.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// Answer with exactly this status, content type and body instead
    /// (non-JSON, wrong content type, empty bodies, server errors).
    Replace {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type`, if any.
        content_type: Option<String>,
        /// The body.
        body: Vec<u8>,
    },
    /// Pad the normal body with trailing spaces (still valid JSON) to
    /// `bytes` bytes. With `chunked`, it is streamed without a
    /// `Content-Length`, so only counting the bytes read can catch it.
    Huge {
        /// The body size.
        bytes: usize,
        /// Stream it in chunks without announcing the length.
        chunked: bool,
    },
    /// Pad the normal body to `bytes` bytes as for [`HttpFault::Huge`], then
    /// send it gzip-compressed (`Content-Encoding: gzip`): a few KiB on the
    /// wire that decompress past any sensible cap.
    HugeGzip {
        /// The decompressed body size.
        bytes: usize,
    },
    /// Send the status and headers at once, then the body one byte at a
    /// time with this pause between bytes (a slow-loris response).
    Trickle {
        /// The pause between two bytes.
        interval: Duration,
    },
    /// Wait this long before answering at all.
    Delay(Duration),
    /// Answer with a redirect (`301`, `302`, `303`, `307` or `308`) to this
    /// location instead.
    Redirect {
        /// The HTTP status.
        status: u16,
        /// The `Location`.
        location: String,
    },
}

/// One way for the provider to misbehave. Inject it with
/// [`DevProvider::inject`](crate::DevProvider::inject); see the
/// [module documentation](self) for where each acts.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Change a claim of the minted tokens of a kind (applied after the
    /// provider built the claims, before signing).
    Claim {
        /// Which tokens.
        token: TokenKind,
        /// The change.
        edit: Edit,
    },
    /// Change a JOSE header member of the minted tokens of a kind (`alg`,
    /// `kid`, `typ`, `crit`, or embed `jwk`, `jku`, `x5u`, `x5c`). The token
    /// is still signed with the key the provider chose.
    Header {
        /// Which tokens.
        token: TokenKind,
        /// The change.
        edit: Edit,
    },
    /// Sign the tokens of a kind differently.
    Signing {
        /// Which tokens.
        token: TokenKind,
        /// How.
        signing: Signing,
    },
    /// Change the published keys.
    Jwks(JwksFault),
    /// Change the authorization response.
    Authorization(AuthzFault),
    /// Change a member of an endpoint's JSON response body (discovery
    /// metadata, JWKS document, token response, UserInfo claims).
    Body {
        /// The endpoint.
        endpoint: Endpoint,
        /// The change.
        edit: Edit,
    },
    /// Change how an endpoint answers over HTTP.
    Http {
        /// The endpoint.
        endpoint: Endpoint,
        /// The change.
        fault: HttpFault,
    },
}

impl Fault {
    /// A change to a claim of every ID token.
    pub fn id_claim(edit: Edit) -> Self {
        Fault::Claim {
            token: TokenKind::IdToken,
            edit,
        }
    }

    /// A change to the JOSE header of every ID token.
    pub fn id_header(edit: Edit) -> Self {
        Fault::Header {
            token: TokenKind::IdToken,
            edit,
        }
    }

    /// Sign every ID token differently.
    pub fn id_signing(signing: Signing) -> Self {
        Fault::Signing {
            token: TokenKind::IdToken,
            signing,
        }
    }

    /// A change to the discovery document.
    pub fn discovery(edit: Edit) -> Self {
        Fault::Body {
            endpoint: Endpoint::Discovery,
            edit,
        }
    }

    /// A change to the token endpoint's JSON response (`"/userinfo/sub"`
    /// reaches into the inline `userinfo`).
    pub fn token_response(edit: Edit) -> Self {
        Fault::Body {
            endpoint: Endpoint::Token,
            edit,
        }
    }

    /// A change to the UserInfo endpoint's claims.
    pub fn userinfo(edit: Edit) -> Self {
        Fault::Body {
            endpoint: Endpoint::UserInfo,
            edit,
        }
    }

    /// A change to the authorization response.
    pub fn authorization(fault: AuthzFault) -> Self {
        Fault::Authorization(fault)
    }

    /// A change to an endpoint's HTTP response.
    pub fn http(endpoint: Endpoint, fault: HttpFault) -> Self {
        Fault::Http { endpoint, fault }
    }

    /// This fault for the next response it changes only.
    pub fn once(self) -> Injection {
        Injection::from(self).times(1)
    }

    /// This fault for the next `n` responses it changes.
    pub fn times(self, n: u32) -> Injection {
        Injection::from(self).times(n)
    }

    /// This fault only for responses to `client_id`.
    pub fn for_client(self, client_id: impl Into<String>) -> Injection {
        Injection::from(self).for_client(client_id)
    }
}

/// A [`Fault`] with when it applies: how many times (default: until
/// cleared) and for which client (default: all). Build one from a fault
/// with [`Fault::once`], [`Fault::times`], [`Fault::for_client`] or `into()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Injection {
    fault: Fault,
    client: Option<String>,
    remaining: Option<u32>,
}

impl From<Fault> for Injection {
    fn from(fault: Fault) -> Self {
        Injection {
            fault,
            client: None,
            remaining: None,
        }
    }
}

impl Injection {
    /// Apply to the next `n` responses only (`0` never applies).
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Apply to the next response only.
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Apply only to responses to `client_id`.
    pub fn for_client(mut self, client_id: impl Into<String>) -> Self {
        self.client = Some(client_id.into());
        self
    }

    /// The fault.
    pub fn fault(&self) -> &Fault {
        &self.fault
    }

    /// The client it is limited to, if any.
    pub fn client(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// How many more times it applies (`None`: until cleared).
    pub fn remaining(&self) -> Option<u32> {
        self.remaining
    }
}

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
    fn for_response(&self, endpoint: Endpoint, client: Option<&str>) -> Vec<Fault> {
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

/// The current time in seconds, as a JSON number.
fn now_value(shift: i64) -> Value {
    let now = i64::try_from(crate::util::now_secs()).unwrap_or(i64::MAX);
    Value::from(now.saturating_add(shift))
}

/// Split a path into its parent pointer and last member name.
fn split_path(path: &str) -> (String, String) {
    if !path.starts_with('/') {
        return (String::new(), path.to_owned());
    }
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    (parent.to_owned(), unescape(last))
}

fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    if path.starts_with('/') {
        root.pointer(path)
    } else {
        root.get(path)
    }
}

/// Apply `edit` to a JSON document (an object; nested objects by pointer).
pub(crate) fn apply_edit(root: &mut Value, edit: &Edit) {
    let copied = match &edit.change {
        Change::CopyFrom(from) => match lookup(root, from) {
            Some(value) => Some(value.clone()),
            None => return,
        },
        _ => None,
    };
    let (parent, name) = split_path(&edit.path);
    let Some(Value::Object(object)) = (if parent.is_empty() {
        Some(root)
    } else {
        root.pointer_mut(&parent)
    }) else {
        return;
    };
    apply_to_member(object, &name, &edit.change, copied);
}

/// Apply `edit` to a JSON object (claims, header).
pub(crate) fn apply_edit_to_map(map: &mut Map<String, Value>, edit: &Edit) {
    let mut root = Value::Object(std::mem::take(map));
    apply_edit(&mut root, edit);
    if let Value::Object(object) = root {
        *map = object;
    }
}

fn apply_to_member(
    object: &mut Map<String, Value>,
    name: &str,
    change: &Change,
    copied: Option<Value>,
) {
    match change {
        Change::Set(value) => {
            object.insert(name.to_owned(), value.clone());
        }
        Change::Remove => {
            object.remove(name);
        }
        Change::Shift(seconds) => {
            let shifted = match object.get(name).and_then(Value::as_i64) {
                Some(n) => Value::from(n.saturating_add(*seconds)),
                None => match object.get(name).and_then(Value::as_f64) {
                    // Whole seconds are enough for every time claim.
                    #[allow(clippy::cast_precision_loss)]
                    Some(f) => Value::from(f + *seconds as f64),
                    None => now_value(*seconds),
                },
            };
            object.insert(name.to_owned(), shifted);
        }
        Change::CopyFrom(_) => {
            if let Some(value) = copied {
                object.insert(name.to_owned(), value);
            }
        }
    }
}

/// Apply an edit to a list of parameters (authorization responses).
pub(crate) fn apply_param_edit(params: &mut Vec<(String, String)>, edit: &Edit) {
    let as_text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let current = |params: &[(String, String)], name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let new_value = match &edit.change {
        Change::Remove => {
            params.retain(|(n, _)| *n != edit.path);
            return;
        }
        Change::Set(value) => as_text(value),
        Change::Shift(seconds) => {
            let base = current(params, &edit.path)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or_else(|| i64::try_from(crate::util::now_secs()).unwrap_or(i64::MAX));
            base.saturating_add(*seconds).to_string()
        }
        Change::CopyFrom(from) => match current(params, from) {
            Some(value) => value,
            None => return,
        },
    };
    match params.iter_mut().find(|(n, _)| *n == edit.path) {
        Some((_, value)) => *value = new_value,
        None => params.push((edit.path.clone(), new_value)),
    }
}

// ---- HTTP faults -----------------------------------------------------------

/// The client a response was given to, attached by the handlers so that
/// client-scoped body and HTTP faults can find it.
#[derive(Debug, Clone)]
pub(crate) struct ResponseClient(pub(crate) String);

/// Attach the client to a response (see [`ResponseClient`]).
pub(crate) fn tag_client(mut response: Response, client_id: Option<&str>) -> Response {
    if let Some(client_id) = client_id {
        response
            .extensions_mut()
            .insert(ResponseClient(client_id.to_owned()));
    }
    response
}

/// The largest body the fault layer reads back to edit it.
const MAX_EDITABLE_BODY: usize = 16 * 1024 * 1024;

/// Middleware: apply the [`Fault::Body`] and [`Fault::Http`] faults of the
/// endpoint to its response.
pub(crate) async fn http_layer(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(endpoint) = Endpoint::from_path(request.uri().path()) else {
        return next.run(request).await;
    };
    let response = next.run(request).await;
    let client = response
        .extensions()
        .get::<ResponseClient>()
        .map(|c| c.0.clone());
    let faults = state.faults().for_response(endpoint, client.as_deref());
    if faults.is_empty() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut body = match axum::body::to_bytes(body, MAX_EDITABLE_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "fault injection could not read the response");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut delay = None;
    let mut pace = None;
    for fault in faults {
        match fault {
            Fault::Body { edit, .. } => {
                if let Ok(mut doc) = serde_json::from_slice::<Value>(&body) {
                    apply_edit(&mut doc, &edit);
                    body = Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
                }
            }
            Fault::Http { fault, .. } => match fault {
                HttpFault::OAuthError {
                    status,
                    error,
                    description,
                } => {
                    parts.status = status_code(status);
                    let mut doc = serde_json::json!({ "error": error });
                    if let (Some(d), Some(obj)) = (description, doc.as_object_mut()) {
                        obj.insert("error_description".into(), d.into());
                    }
                    body = Bytes::from(doc.to_string());
                    parts.headers.insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                }
                HttpFault::Replace {
                    status,
                    content_type,
                    body: replacement,
                } => {
                    parts.status = status_code(status);
                    parts.headers.remove(header::CONTENT_TYPE);
                    if let Some(value) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok())
                    {
                        parts.headers.insert(header::CONTENT_TYPE, value);
                    }
                    body = Bytes::from(replacement);
                }
                HttpFault::Huge { bytes, chunked } => {
                    body = padded(&body, bytes);
                    if chunked {
                        pace = Some(Pace::Chunked);
                    }
                }
                HttpFault::HugeGzip { bytes } => {
                    body = gzip(&padded(&body, bytes));
                    parts
                        .headers
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                }
                HttpFault::Trickle { interval } => pace = Some(Pace::Trickle(interval)),
                HttpFault::Delay(duration) => delay = Some(duration),
                HttpFault::Redirect { status, location } => {
                    parts.status = status_code(status);
                    if let Ok(value) = HeaderValue::from_str(&location) {
                        parts.headers.insert(header::LOCATION, value);
                    }
                    body = Bytes::new();
                }
            },
            _ => {}
        }
    }
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = match pace {
        None => Body::from(body),
        Some(pace) => streamed(body, pace),
    };
    Response::from_parts(parts, body)
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `body` followed by spaces up to `size` bytes.
fn padded(body: &[u8], size: usize) -> Bytes {
    let mut out = Vec::with_capacity(size.max(body.len()));
    out.extend_from_slice(body);
    out.resize(size.max(body.len()), b' ');
    Bytes::from(out)
}

fn gzip(data: &[u8]) -> Bytes {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(compressed) => Bytes::from(compressed),
        Err(_) => Bytes::new(),
    }
}

#[derive(Debug, Clone, Copy)]
enum Pace {
    /// 64 KiB chunks, as fast as the client reads.
    Chunked,
    /// One byte, then a pause.
    Trickle(Duration),
}

/// A streamed body (no `Content-Length`).
fn streamed(body: Bytes, pace: Pace) -> Body {
    let stream = futures_util::stream::unfold((body, pace), |(mut rest, pace)| async move {
        if rest.is_empty() {
            return None;
        }
        let chunk = match pace {
            Pace::Chunked => rest.split_to(rest.len().min(64 * 1024)),
            Pace::Trickle(interval) => {
                tokio::time::sleep(interval).await;
                rest.split_to(1)
            }
        };
        Some((Ok::<_, std::io::Error>(chunk), (rest, pace)))
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edits_by_name_and_pointer() {
        let mut doc = json!({"iss": "a", "iat": 10, "userinfo": {"sub": "u"}});
        apply_edit(&mut doc, &Edit::set("iss", "b"));
        apply_edit(&mut doc, &Edit::shift("iat", 5));
        apply_edit(&mut doc, &Edit::set("/userinfo/sub", 42));
        apply_edit(&mut doc, &Edit::remove("missing"));
        apply_edit(&mut doc, &Edit::copy("aud", "iss"));
        apply_edit(&mut doc, &Edit::copy("x", "nothing"));
        assert_eq!(
            doc,
            json!({"iss": "b", "iat": 15, "aud": "b", "userinfo": {"sub": 42}})
        );
        apply_edit(&mut doc, &Edit::remove("/userinfo/sub"));
        assert_eq!(doc["userinfo"], json!({}));
    }

    #[test]
    fn param_edits() {
        let mut params = vec![
            ("code".to_owned(), "c".to_owned()),
            ("state".to_owned(), "s".to_owned()),
        ];
        apply_param_edit(&mut params, &Edit::set("state", "t"));
        apply_param_edit(&mut params, &Edit::copy("iss", "code"));
        apply_param_edit(&mut params, &Edit::remove("code"));
        apply_param_edit(&mut params, &Edit::set("n", 5));
        assert_eq!(
            params,
            vec![
                ("state".to_owned(), "t".to_owned()),
                ("iss".to_owned(), "c".to_owned()),
                ("n".to_owned(), "5".to_owned()),
            ]
        );
    }

    #[test]
    fn one_shot_and_scoped_faults() {
        let faults = Faults::default();
        let claim = Fault::id_claim(Edit::remove("iss"));
        faults.inject(claim.clone().once());
        faults.inject(Fault::id_header(Edit::remove("kid")).for_client("a"));
        faults.inject(Fault::id_claim(Edit::remove("never")).times(0));
        let first = faults.for_token(TokenKind::IdToken, "b");
        assert_eq!(first.claims, vec![Edit::remove("iss")]);
        assert!(first.header.is_empty());
        let second = faults.for_token(TokenKind::IdToken, "a");
        assert!(second.claims.is_empty(), "used up");
        assert_eq!(second.header, vec![Edit::remove("kid")]);
        assert!(
            faults
                .for_token(TokenKind::AccessToken, "a")
                .header
                .is_empty()
        );
        assert_eq!(faults.active().len(), 1);
        faults.clear();
        assert!(faults.active().is_empty());
    }

    #[test]
    fn padding_keeps_json_valid() {
        let body = padded(br#"{"a":1}"#, 1000);
        assert_eq!(body.len(), 1000);
        assert!(serde_json::from_slice::<Value>(&body).is_ok());
        let compressed = gzip(&padded(b"{}", 1_000_000));
        assert!(compressed.len() < 10_000, "{}", compressed.len());
    }
}
