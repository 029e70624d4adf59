//! The `#[oidc_client]` attribute macro for [`oidc-core`]. Use it through
//! `oidc_core::oidc_client` (the default `macros` feature): the generated
//! code calls into `oidc-core`, whose version this crate is pinned to.
//!
//! ```rust
//! use oidc_core::{ClientSecret, Url, oidc_client};
//!
//! #[oidc_client(issuer = "https://login.example.com", scopes("openid", "email"))]
//! struct Auth {
//!     #[oidc(env = "AUTH_CLIENT_ID")]
//!     client_id: String,
//!     #[oidc(env = "AUTH_CLIENT_SECRET")]
//!     client_secret: ClientSecret,
//!     #[oidc(env = "AUTH_REDIRECT_URI", default = "http://localhost:3000/callback")]
//!     redirect_uri: Url,
//! }
//! ```
//!
//! # Options
//!
//! On the struct, `#[oidc_client(...)]`:
//!
//! | Option | Values | Default |
//! | --- | --- | --- |
//! | `issuer = "https://..."` | the provider's issuer, checked at compile time | none (or an `issuer` field) |
//! | `scopes("openid", ...)` | must include `"openid"` | `"openid", "email"` |
//! | `response_mode = "..."` | `"form_post"`, `"query"` | `"form_post"` |
//! | `prompt = "..."` | `"none"`, `"login"`, `"consent"`, `"select_account"`, `"create"` | none |
//! | `auth_method = "..."` | `"client_secret_post"`, `"client_secret_basic"`, `"none"`, `"client_secret_jwt"`, `"private_key_jwt"` (the key cannot be a field yet, so the generated `client_config()` fails with `ConfigError::MissingClientKey`: build that `ClientConfig` with `ClientConfig::private_key` instead) | from the provider's metadata: `client_secret_post` if listed, else `client_secret_basic` |
//! | `crate = "path"` | the path of `oidc-core` | `"::oidc_core"` |
//!
//! On fields, `#[oidc(...)]`:
//!
//! | Option | Meaning |
//! | --- | --- |
//! | `client_id`, `client_secret`, `redirect_uri`, `issuer` | the field's role (or name the field so) |
//! | `env = "VAR"` | `from_env()` reads the field from `VAR` |
//! | `default = "text"` / `default = 8080` | the value when `VAR` is not set |
//! | `default` | `Default::default()` when not set |
//! | `redact` | `Debug` shows `<redacted>` |
//!
//! The attribute's documentation ([`oidc_client`]) has the full reference
//! with examples: what is generated, each option, loading from the
//! environment, and the list of compile-time checks.
//!
//! # How it is built
//!
//! Parse (`attr`, `ast`), check (`check`), generate (`expand`), as
//! `serde_derive` does: every mistake is recorded in an error collector and
//! reported in one compile, each at the user's token. `syn` is used without
//! its `full` feature: the input is a `DeriveInput` and option values are
//! literals.
//!
//! [`oidc-core`]: https://docs.rs/oidc-core

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod suggest;
mod symbol;
mod url;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

#[doc = include_str!("../doc/oidc_client.md")]
#[proc_macro_attribute]
pub fn oidc_client(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::oidc_client(args.into(), item.into()).into()
}
