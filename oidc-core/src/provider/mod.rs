//! Talking to the OpenID Provider: discovery and its checks, what the
//! client negotiates from the metadata, the back-channel HTTP client (timeouts,
//! body caps, no redirects), the token endpoint, UserInfo, token revocation
//! (RFC 7009), and the `tracing` spans and events of each step (`trace`).
//!
//! This layer uses `crate::config` (what the application asked for),
//! `crate::jose` (the issuer rule) and `crate::util`; it knows nothing of
//! the login's states, which live in `crate::flow`.

pub(crate) mod client_auth;
pub(crate) mod discovery;
pub(crate) mod http;
pub(crate) mod negotiated;
pub(crate) mod revocation;
pub(crate) mod token_endpoint;
pub(crate) mod trace;
pub(crate) mod userinfo;
