//! JOSE and JWT: the strict JWS parser, the JWKS cache (each key bound to
//! the algorithms its type and `alg` allow), typed claim readers, the
//! issuer rule shared by every token, and ID token verification (OpenID
//! Connect Core 3.1.3.7). Access and logout tokens reuse all of it.
//!
//! This layer uses `crate::provider::http` (to fetch the JWKS),
//! `crate::config` (the algorithm vocabulary) and `crate::util`.

pub(crate) mod claims;
pub(crate) mod id_token;
pub(crate) mod issuer;
pub(crate) mod jwks;
pub(crate) mod jws;
