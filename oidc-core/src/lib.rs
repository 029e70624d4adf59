//! # oidc-core: Sign in with OpenID Connect, in an order the compiler checks
//!
//! A relying-party (client) library for OpenID Connect's authorization code
//! flow, for websites, APIs and native apps. The login is a value whose type
//! is its state; each step consumes it and returns the next, so a login
//! cannot skip the `state` check or use unverified tokens: that code does not
//! compile.
//!
//! ```text
//! Client::login()                     -> Login<Unstarted>
//! Login<Unstarted>::redirect()        -> (AuthorizationRequest, Login<Redirected>)
//! Login<Redirected>::into_pending()   -> PendingLogin   (seal it into a cookie)
//! Client::resume(PendingLogin)        -> Login<Redirected>   (at the callback)
//! Login<Redirected>::receive(Callback)-> Login<CodeReceived> (state, iss, mode checked)
//! Login<CodeReceived>::exchange()     -> Login<Authenticated> (ID token verified)
//! ```
//!
//! ## The flow, step by step
//!
//! ```no_run
//! use oidc_core::{Callback, Client, ClientConfig, SealingKey};
//!
//! # async fn run() -> Result<(), oidc_core::Error> {
//! // Once, at start-up: configure and discover the provider.
//! let client = Client::discover(
//!     ClientConfig::for_issuer("https://login.example.com")
//!         .client_id("my-client")
//!         .redirect_uri("https://app.example.com/callback")
//!         .client_secret("from-your-secret-store"),
//! )
//! .await?;
//! let key = SealingKey::generate()?; // share one key between your instances
//!
//! // GET /login: send the user to the provider.
//! let (request, login) = client.login().redirect()?;
//! let cookie_value = login.into_pending().seal(&key)?;
//! // ... set `cookie_value` in a cookie, redirect (303) to `request.url()` ...
//! # let _ = request;
//!
//! // POST /callback (form_post): finish the login.
//! # let body: &[u8] = b"";
//! let login = client.resume_sealed(&cookie_value, &key)?;
//! let login = login.receive(Callback::from_form_post(body)?)?;
//! let login = login.exchange().await?;
//! println!("signed in: sub={} email={:?}", login.sub(), login.email());
//! # Ok(()) }
//! ```
//!
//! With the `axum` feature the routes, cookies and sessions are done for you;
//! with the `macros` feature `#[oidc_client]` derives the configuration.
//!
//! ## Where things are
//!
//! | Path | What |
//! | --- | --- |
//! | the crate root | the website flow ([`Client`], [`Login`] and its states, [`Callback`], [`PendingLogin`], [`SealingKey`]), its configuration ([`ClientConfig`] and its vocabulary) and the errors |
//! | [`flow`] | the typestate plumbing you only meet in signatures |
//! | [`web`] (feature `axum`) | routes, the `SignedIn` and `Bearer` extractors, sessions |
//! | [`access_token`] | APIs: verifying bearer access tokens |
//! | [`loopback`] | native and command-line apps: the loopback redirect |
//! | [`device`] | TVs, SSH sessions and CLIs without a browser: device sign-in (RFC 8628) |
//! | [`logout`] | RP-initiated and back-channel logout |
//! | [`error`] | one enum per failure domain, [`Error`] over all of them |
//! | [`secret`] | secret types: redacted `Debug`, no `Display` |
//!
//! ## Configuration from a struct: `#[oidc_client]`
//!
//! The shortest way to a [`Client`]: describe the configuration as a struct.
//! Mistakes the compiler can see (a missing secret, a `String` where the
//! secret belongs, an `http://` issuer, a typo in an option) are compile
//! errors on your token; `from_env()` reports every missing variable at once.
//! The [`oidc_client`] page lists every option.
//!
//! ```no_run
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
//!
//! # async fn run() -> Result<(), oidc_core::Error> {
//! let client = Auth::from_env()?.discover().await?;
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! ## APIs: verifying bearer access tokens
//!
//! An API checks the JWT access tokens (RFC 9068) that websites and apps
//! send as `Authorization: Bearer`: [`AccessTokenVerifier`] needs only the
//! issuer and the API's audience, caches the provider's keys, and refuses
//! ID tokens, tokens for other APIs or issuers, expired tokens and missing
//! scopes, each with its RFC 6750 status and `WWW-Authenticate` challenge
//! ([`access_token`] module). With `axum`, `web::Bearer<Scopes>` is the
//! extractor.
//!
//! ```no_run
//! use oidc_core::{AccessTokenVerifier, ResourceServerConfig};
//!
//! # async fn run(header: Option<&str>) -> Result<(), oidc_core::Error> {
//! let verifier = AccessTokenVerifier::discover(
//!     ResourceServerConfig::new("https://login.example.com", "https://api.example.com"),
//! )
//! .await?;
//! let claims = verifier.verify_authorization(header).await?; // per request
//! claims.require_scopes(&["messages:read"])?;
//! println!("{} via {:?}", claims.sub, claims.client_id);
//! # Ok(()) }
//! ```
//!
//! ## Apps: native and command-line sign-in
//!
//! [`loopback::LoopbackServer`] listens on `127.0.0.1` on a free port and
//! receives the authorization response there (RFC 8252), in `query` or
//! `form_post` mode, with a timeout; the client is public
//! ([`AuthMethod::None`]) and PKCE protects the code. See `examples/cli_login`.
//!
//! ```no_run
//! use oidc_core::loopback::{DEFAULT_TIMEOUT, LoopbackServer};
//! use oidc_core::{AuthMethod, Client, ClientConfig};
//!
//! # async fn run() -> Result<(), oidc_core::Error> {
//! let server = LoopbackServer::bind().await?;
//! let client = Client::discover(
//!     ClientConfig::for_issuer("https://login.example.com")
//!         .client_id("my-cli")
//!         .redirect_uri(server.redirect_uri())
//!         .auth_method(AuthMethod::None),
//! )
//! .await?;
//! let (request, login) = client.login().redirect()?;
//! println!("open {}", request.url());
//! let login = server.receive(login, DEFAULT_TIMEOUT).await?.exchange().await?;
//! println!("signed in as {}", login.sub());
//! # Ok(()) }
//! ```
//!
//! ## Refresh
//!
//! [`Login::refresh`] (or [`Client::refresh`] with stored tokens) uses the
//! refresh token, keeps the rotated one, and verifies the new ID token like
//! the first, plus OpenID Connect Core 12.2: same `iss`, `sub`, `aud` (and
//! `azp`, `auth_time`), no `nonce` required. The axum glue refreshes an
//! expiring access token on its own.
//!
//! ```no_run
//! # async fn run(login: oidc_core::Login<oidc_core::Authenticated>) -> Result<(), oidc_core::TokenError> {
//! use std::time::Duration;
//! if login.tokens().access_token_expired(Duration::from_secs(30)) {
//!     let login = login.refresh().await?;
//!     # let _ = login;
//! }
//! # Ok(()) }
//! ```
//!
//! ## Logout
//!
//! - RP-initiated: [`Client::end_session_url`] builds the provider's logout
//!   URL (`id_token_hint`, `client_id`, `post_logout_redirect_uri`,
//!   `state`); the axum glue's `POST /logout` uses it.
//! - Back-channel: [`Client::verify_logout_token`] checks a provider's
//!   logout token (signature, `iss`, `aud`, `iat`, `exp`, `events`,
//!   `sub`/`sid`, no `nonce`, `jti` not replayed), and a
//!   [`logout::LogoutRegistry`] remembers which sessions ended; the
//!   axum glue serves the endpoint and ends those sessions
//!   ([`logout`] module).
//!
//! ```no_run
//! # async fn run(client: oidc_core::Client, login: oidc_core::Login<oidc_core::Authenticated>) {
//! let url = client.end_session_url(
//!     login.tokens().id_token.as_ref(),
//!     Some("https://app.example.com/signed-out"),
//!     None,
//! );
//! // ... end the local session, then redirect to `url` if there is one ...
//! # let _ = url;
//! # }
//! ```
//!
//! ## What is verified, by default
//!
//! - **Discovery**: `issuer` equals the configured issuer exactly (or as
//!   the [`IssuerPolicy`] says); endpoints are https (http only when the
//!   issuer is loopback); the provider supports `code`, the response mode
//!   and any explicitly configured auth method. What the configuration
//!   leaves open (algorithms, auth method) is read from the metadata.
//! - **Authorization request**: fresh 256-bit `state`, `nonce` and PKCE
//!   verifier (S256) per login; `prompt=create` unless the provider's
//!   published prompt list lacks it.
//! - **Callback**: the response mode is the requested one; `state` matches in
//!   constant time; each login completes once; `iss` matches (required when
//!   the provider advertises RFC 9207); no duplicated parameters and no
//!   tokens in the response; `error` responses become
//!   [`CallbackError::Provider`].
//! - **ID token** (OIDC Core 3.1.3.7): compact JWS only (a JWE is
//!   refused); `alg` in the allow-list (RS256 by default; `none` in any
//!   spelling and HMAC can never be allowed, whatever discovery advertises);
//!   no duplicate header or claim names, no `crit`, no embedded or remote
//!   keys (`jwk`, `jku`, `x5u`, `x5c`), `typ` absent or `JWT`; the key from
//!   the provider's JWKS by `kid`, of the right type, use and `alg`;
//!   `iss`, `aud` (no untrusted extra audiences), `azp`, `exp`, `iat` (not in
//!   the future, not older than the maximum age), `nbf`, `nonce`,
//!   `auth_time` (not in the future; within `max_age` when one was
//!   requested), `at_hash` when present.
//! - **User claims**: the inline `userinfo` or UserInfo response must have
//!   the ID token's `sub`; UserInfo is called only after the ID token
//!   verified.
//! - **Refresh** (OIDC Core 12.2): a refreshed ID token is verified like the
//!   first and must keep `iss`, `sub`, `aud`, `azp` and `auth_time`.
//!
//! ## Limits and defaults
//!
//! | Setting | Default | Set with |
//! | --- | --- | --- |
//! | Clock tolerance (`exp`, `iat`, `nbf`, `auth_time`) | 60 s (max 5 min) | [`ClientConfig::clock_tolerance`] |
//! | Maximum ID token age (now − `iat`, plus the tolerance) | 10 min | [`ClientConfig::max_id_token_age`] |
//! | Request deadline, per request, from connect to the last body byte (a slowly trickled body cannot extend it) | 10 s | [`ClientConfig::http_timeout`] |
//! | Connect deadline | 5 s | [`ClientConfig::connect_timeout`] |
//! | Response body cap, counted after decompression (gzip), for discovery, JWKS, token and UserInfo | 512 KiB | [`ClientConfig::max_response_bytes`] |
//! | JWKS refetch on an unknown `kid`: at most one per cooldown, counted from the last refetch an unknown `kid` caused (the first fetch and expiry refetches do not start it); a failed fetch is reported again within it | 10 s | [`ClientConfig::jwks_refresh_cooldown`] |
//! | How long fetched keys are trusted (ID, access and logout tokens): the JWKS response's `max-age` minus `Age`, clamped to the range; `no-store`/`no-cache` mean the minimum; the default without a usable `max-age`. Expired keys are refetched by the next verification, once for all concurrent ones | 1 h within [1 min, 24 h] (range within [1 s, 7 days]) | [`ClientConfig::jwks_max_age`], [`ResourceServerConfig::jwks_max_age`](access_token::ResourceServerConfig::jwks_max_age) |
//! | Expired keys kept while their refetch fails (retried once per cooldown), then `KeysUnavailable` | 5 min | fixed |
//! | Pending login lifetime (and how long a used `state` is remembered) | 10 min | [`ClientConfig::pending_login_ttl`] |
//! | Used `state`s remembered per client: when full, the soonest-expiring are forgotten an eighth at a time, and a callback whose login expires no later than the last one forgotten is refused (`CallbackError::ReplayUnverifiable`), never accepted twice | 100,000 | fixed |
//! | ID token and logout token algorithms (any of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA; never `none` or HMAC) | the provider's advertised ones among these; RS256 if it lists none | [`ClientConfig::allowed_algorithms`] |
//! | Token endpoint authentication | with a key, `private_key_jwt` if the provider lists it; with a secret, `client_secret_post` if listed, else `client_secret_basic` (also when it lists nothing), else `client_secret_jwt` if it is the only secret method listed; `none` without either | [`ClientConfig::auth_method`], [`ClientConfig::private_key`] |
//! | Client assertions (`private_key_jwt`, `client_secret_jwt`) | `aud` the token endpoint, `exp` 60 s, a random `jti`; the key's first algorithm the provider lists (HS256 for the secret) | [`ClientConfig::client_assertion_audience`] |
//! | `iss` matching | exact | [`ClientConfig::issuer_policy`] |
//! | `prompt=create` | sent unless a published `prompt_values_supported` lacks it | [`ClientConfig::prompt_create`] |
//! | Extra audiences trusted in `aud` | none | [`ClientConfig::trusted_audiences`] |
//! | Largest ID token / callback / sealed pending login | 64 KiB / 32 KiB / 8 KiB | fixed |
//! | Parameters in one authorization response (distinct names; more is refused before any check) | 24 | fixed |
//! | JWKS keys considered / smallest RSA key | the first 100 / 2048 bits | fixed |
//! | `sub` length | 1 to 255 characters | fixed |
//! | Token type | `Bearer`; absent only in the guide's shape (with inline `userinfo`), otherwise an invalid token response | fixed |
//! | Logout token `jti`s remembered: each until min(`iat` + maximum ID token age, `exp`) + tolerance; when full, the same rule as for `state`s (refused as `Replayed`) | 10,000 | fixed |
//! | When a back-channel logout takes effect | the end of the second its `iat` names, at the latest now: a late or replayed token spares sessions started after the logout | fixed |
//! | Loopback listener (apps): connections served at once (more wait in the kernel's queue, first come first served); pause after a descriptor or buffer shortage on accept; `Duration::MAX` as the timeout | 16; 100 ms; no deadline | fixed |
//! | Web glue: pending logins per browser (each a `__Host-` cookie; `/login` drops the oldest) | 5 (1 to 20) | [`Oidc::max_pending_logins`](web::Oidc::max_pending_logins) |
//! | Web glue: `return_to` length | 2048 bytes (1 to 2048) | [`Oidc::max_return_to_len`](web::Oidc::max_return_to_len) |
//! | Web glue: sessions held by `memory_session_layer` (expired ones are removed; beyond it the least used go) | 100,000 | [`MEMORY_SESSIONS_MAX`](web::MEMORY_SESSIONS_MAX) |
//! | Web glue: access token refreshed this long before it expires | 30 s | fixed |
//! | Web glue: refreshes of one session at once, per instance (its other requests wait, then use the stored result) | 1 | fixed |
//! | Web glue: after `invalid_grant`, the session is re-read for another instance's new tokens before signing out | up to 2 s, every 100 ms | fixed |
//! | Web glue: refreshes at a provider pause after a transient failure (timeout, network, 5xx); meanwhile `SignedIn` answers with the stale token ([`SignedIn::access_token_expired`](web::SignedIn::access_token_expired)) | 5 s | fixed |
//! | APIs: how long an introspection answer (RFC 7662) is relied on: min(the token's `exp`, the bound); inactive answers are not cached; a revoked token may be accepted for up to the bound | 60 s (at most 1 h; zero: no cache) | [`ResourceServerConfig::introspection_cache_ttl`](access_token::ResourceServerConfig::introspection_cache_ttl) |
//! | APIs: introspection answers cached (keyed by the token's SHA-256 digest; beyond it the least used go) | 10,000 | [`INTROSPECTION_CACHE_CAPACITY`](access_token::INTROSPECTION_CACHE_CAPACITY), fixed |
//! | APIs: introspection endpoint authentication | from `introspection_endpoint_auth_methods_supported`, else the token endpoint's list: `client_secret_post` if listed, else `client_secret_basic` (also when nothing is listed) | [`ResourceServerConfig::introspection_auth_method`](access_token::ResourceServerConfig::introspection_auth_method) |
//! | Client credentials token replaced this long before it expires (one request for all concurrent callers) | 30 s | [`ServiceClient::leeway`](crate::ServiceClient::leeway) |
//! | Redis (feature `redis`): deadline of each command and of connecting; reconnect retries per outage | 2 s; 2 | [`RedisOptions`](redis::RedisOptions) |
//! | Redis: margin added to every expiry (Redis expires keys by its own clock) | 60 s | [`RedisOptions`](redis::RedisOptions) |
//! | Redis: a used `state` / logout `jti` is kept | while a replay could be accepted (as in memory), plus the margin | fixed |
//! | Redis: back-channel logouts kept with `Oidc::with_redis`; sessions of `redis_session_layer` | 1 day (no count limit: Redis `maxmemory` bounds it); the record's expiry (1 day of inactivity) | a longer registry with [`RedisStore::logout_registry`](redis::RedisStore::logout_registry) |
//! | Redirects on back-channel calls | never followed | fixed |
//!
//! A login's exchange makes at most three requests, each with its own
//! deadline: token, JWKS (only when the keys are not cached, have expired,
//! or the `kid` is unknown) and UserInfo (only when the token response has no inline
//! `userinfo`).
//!
//! ## Secrets
//!
//! Client secrets, codes, tokens, nonces, states and PKCE verifiers live in
//! types with a redacting `Debug` and no `Display` (see [`secret`]); errors
//! never include them.

#![warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod access_token;
mod client;
mod config;
pub mod device;
pub mod error;
pub mod flow;
mod jose;
pub mod logout;
pub mod loopback;
mod provider;
#[cfg(feature = "redis")]
pub mod redis;
pub mod replay;
pub mod secret;
pub mod service;
mod support;
mod util;
#[cfg(feature = "axum")]
pub mod web;

#[cfg(feature = "bench")]
#[doc(hidden)]
pub use support::bench as __bench;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use support::fuzz as __fuzz;

pub use access_token::{
    AccessTokenClaims, AccessTokenError, AccessTokenType, AccessTokenVerifier,
    ResourceServerConfig, TokenValidation,
};
pub use client::Client;
pub use config::{
    AssertionAudience, AuthMethod, ClientConfig, ClientKey, IssuerPolicy, OidcConfig, Prompt,
    PromptCreate, ResponseMode, SigningAlgorithm, UserInfoPolicy, WantsClientId, WantsRedirectUri,
    is_loopback,
};
pub use device::{DeviceAuthorization, DeviceLogin};
pub use error::{
    AuthorizeError, CallbackError, ClaimProblem, ClaimsError, ClaimsTypeError, ConfigError,
    DeviceError, DiscoveryError, EnvProblem, Error, IdTokenError, JwsError, PendingLoginError,
    StoreError, TokenError, TransportError,
};
pub use flow::pending::{PendingLogin, SealingKey};
pub use flow::{
    Authenticated, AuthorizationRequest, Callback, CodeReceived, Login, Redirected, Refreshed,
    TokenSet, Unstarted, UserInfo,
};
pub use jose::id_token::IdTokenClaims;
pub use logout::{LogoutToken, LogoutTokenError};
pub use provider::discovery::ProviderMetadata;
pub use secret::{
    AccessToken, AuthorizationCode, ClientSecret, CsrfState, DeviceCode, IdTokenJwt, Nonce,
    PkceVerifier, RefreshToken,
};
pub use service::ServiceClient;

/// URLs, as used by [`ClientConfig`] and accepted as the type of a
/// `redirect_uri` field of an `#[oidc_client]` struct.
pub use url::Url;

#[cfg(feature = "macros")]
pub use oidc_macros::oidc_client;

#[doc(hidden)]
pub use support::private as __private;
