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

use std::time::Duration;

use serde_json::Value;

use crate::config::SigningAlg;

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
    /// `GET /.well-known/openid-configuration` (Keycloak profile:
    /// `/realms/dev/.well-known/openid-configuration`)
    Discovery,
    /// `GET /jwks` (Keycloak profile: `/realms/dev/protocol/openid-connect/certs`)
    Jwks,
    /// `POST /token` (Keycloak profile: `/realms/dev/protocol/openid-connect/token`)
    Token,
    /// `GET`/`POST /userinfo` (Keycloak profile:
    /// `/realms/dev/protocol/openid-connect/userinfo`; Apple has none)
    UserInfo,
    /// `POST /revoke` (RFC 7009; Keycloak profile:
    /// `/realms/dev/protocol/openid-connect/revoke`), when enabled.
    Revocation,
    /// `POST /introspect` (RFC 7662; Keycloak profile:
    /// `/realms/dev/protocol/openid-connect/token/introspect`), when enabled.
    Introspection,
}

impl Endpoint {
    /// The endpoint served at `path` (the paths depend on the profile).
    fn from_path(path: &str, paths: &crate::profile::Paths) -> Option<Self> {
        if path == paths.discovery {
            Some(Endpoint::Discovery)
        } else if path == paths.jwks {
            Some(Endpoint::Jwks)
        } else if path == paths.token {
            Some(Endpoint::Token)
        } else if paths.userinfo == Some(path) {
            Some(Endpoint::UserInfo)
        } else if path == paths.revocation {
            Some(Endpoint::Revocation)
        } else if path == paths.introspection {
            Some(Endpoint::Introspection)
        } else {
            None
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
    /// Stop publishing the current key for this algorithm while still
    /// signing with it: a key the provider withdrew (rotated out, or
    /// revoked after a leak) that a relying party must stop trusting once
    /// its cached copy of the JWKS expires.
    Withdraw(SigningAlg),
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

mod edit;
mod http;
mod registry;

pub(crate) use edit::{apply_edit, apply_edit_to_map, apply_param_edit};
pub(crate) use http::*;
pub(crate) use registry::*;

#[cfg(test)]
mod tests;
