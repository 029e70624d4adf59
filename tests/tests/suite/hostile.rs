//! The SDK against a hostile OpenID Provider.
//!
//! Every test starts `oidc-dev-provider`, makes it misbehave with one
//! injected fault (`DevProvider::inject`), drives a real login through the
//! SDK's typestate flow with the scriptless test browser, and asserts two
//! things:
//!
//! 1. the exact typed error the SDK returns, e.g.
//!    `Err(TokenError::IdToken(IdTokenError::Claims(ClaimsError::WrongIssuer { .. })))`;
//! 2. that nothing more reached the provider after the rejection: no token
//!    request after a bad authorization response, no UserInfo request
//!    after a bad ID token (the provider's request log is checked).
//!
//! By default the provider behaves like a standard one here: the guide's
//! inline `userinfo` is removed from token responses, so that a good login
//! calls the UserInfo endpoint (`happy_path_calls_userinfo` checks that)
//! and its absence after a rejection is meaningful.
//!
//! Areas, one module each: discovery, JWKS and keys, ID token claims, JOSE
//! header and algorithms, the callback (authorization response), the token
//! endpoint, UserInfo, transport (deadlines, size caps, compression,
//! redirects) and refresh. Everything runs on 127.0.0.1; checks that need a
//! non-loopback issuer (http endpoints of an https provider) are unit tests
//! of `oidc-core`'s discovery module.
//!
//! ```sh
//! cargo test -p tests --test suite hostile::
//! ```

pub(crate) mod harness;

mod callback;
mod claims;
mod discovery;
mod header;
mod jwks;
mod refresh;
mod token;
mod transport;
mod userinfo;
