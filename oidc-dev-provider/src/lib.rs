//! A local OpenID Provider for development and tests.
//!
//! `oidc-dev-provider` is a real, in-process OpenID Provider (built on axum)
//! that behaves like the provider in the integration guide (or, with a
//! [`Profile`], like Google, Entra ID, Auth0, Keycloak or Apple): a sign-in page
//! and a "Create an account" page (`prompt=create`), `query` and `form_post`
//! responses, and a token endpoint that returns the guide's inline
//! `userinfo` object next to the `id_token` and `access_token`. It also
//! implements what a standard provider has: discovery, JWKS with key
//! rotation, UserInfo, refresh tokens, PKCE, RP-initiated and back-channel
//! logout. It is not a mock: requests are validated as the specifications
//! require, and tokens are signed with keys generated at start.
//!
//! # Starting it in a test
//!
//! ```no_run
//! use oidc_dev_provider::{DevClient, DevProvider};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = DevProvider::builder()
//!     .client(
//!         DevClient::confidential("my-app", "my-secret")
//!             .redirect_uri("http://127.0.0.1:3000/callback"),
//!     )
//!     .start()
//!     .await?;
//!
//! // Point your client at the issuer; discovery is at
//! // {issuer}/.well-known/openid-configuration.
//! let issuer = provider.issuer_str(); // "http://127.0.0.1:PORT", no trailing slash
//! # let _ = issuer;
//!
//! // ... run the login ...
//!
//! // Assert on the traffic, e.g. that nothing more was fetched:
//! provider.clear_requests();
//! assert!(provider.requests().is_empty());
//! provider.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! It listens on `127.0.0.1` and a free port by default, serves in the
//! background on the current Tokio runtime, and stops when the last
//! [`DevProvider`] handle is dropped. One account exists from the start,
//! `alice@example.com`; add more with [`DevProvider::add_user`] or
//! [`DevProviderBuilder::user`], or through the create-account page.
//!
//! # Testing your application (feature `testing`)
//!
//! With the `testing` feature (off by default; enable it in your
//! `[dev-dependencies]`), the module `testing` has what an application's
//! own tests need: `testing::sign_in` plays the user through the
//! application's login route and this provider's sign-in page over plain
//! HTTP (the session cookie stays in the client), and
//! `DevProvider::mint_access_token`, `mint_id_token` and
//! `mint_logout_token` sign tokens for a user with the provider's current
//! keys and any claims the test sets.
//!
//! ```no_run
//! # #[cfg(feature = "testing")]
//! # async fn example(provider: oidc_dev_provider::DevProvider) -> Result<(), Box<dyn std::error::Error>> {
//! use oidc_dev_provider::testing::{browser_client, sign_in};
//!
//! let browser = browser_client()?;
//! sign_in(&browser, &"http://127.0.0.1:3000/login".parse()?, "alice@example.com").await?;
//! // `browser` now carries the application's session cookie.
//!
//! let token = provider
//!     .mint_access_token("my-app", "alice@example.com", "openid profile")?
//!     .claim("roles", serde_json::json!(["admin"]))
//!     .sign()?;
//! # let _ = token;
//! # Ok(())
//! # }
//! ```
//!
//! # The issuer
//!
//! The issuer identifier is `http://IP:PORT` **without** a trailing slash:
//! [`DevProvider::issuer_str`] is exactly the `issuer` of the discovery
//! document, the `iss` of every token and the `iss` authorization response
//! parameter. [`DevProvider::issuer`] is the same as a [`url::Url`] (whose
//! string form adds `/`). [Profiles](#profiles) change this: Auth0's issuer
//! ends with `/`, Keycloak's is `http://IP:PORT/realms/dev`, and Google's and
//! Entra's tokens carry another `iss` ([`DevProvider::id_token_issuer`]).
//!
//! # Endpoints
//!
//! With [`Profile::Keycloak`] the protocol endpoints move under the realm:
//! discovery at `/realms/dev/.well-known/openid-configuration`, and
//! `/realms/dev/protocol/openid-connect/{auth,token,userinfo,certs,logout}`
//! instead of `/authorize`, `/token`, `/userinfo`, `/jwks` and `/logout`
//! (the root paths are then not served; the sign-in pages stay where they
//! are). [`Profile::Apple`] serves no `/userinfo` and no `/logout`, and
//! [`Profile::Google`] no `/logout`. [`DevProvider::discovery_url`] always
//! gives the discovery address.
//!
//! | path | what |
//! | --- | --- |
//! | `GET /.well-known/openid-configuration` | discovery document |
//! | `GET /jwks` | public keys: RSA (RS256), P-256 (ES256), Ed25519 (EdDSA) |
//! | `GET`/`POST /authorize` | authorization request; shows the sign-in or create-account page |
//! | `GET /authorize/sign-in?interaction=ID` | the sign-in page of a pending request |
//! | `GET /authorize/create?interaction=ID` | the create-account page of a pending request |
//! | `POST /authorize/decision` | the pages' forms post here |
//! | `POST /token` | `authorization_code`, `refresh_token`, `client_credentials` and device code grants |
//! | `POST /device/code` | device authorization (RFC 8628; [`Profile::Guide`] unless [`DevProviderBuilder::device_authorization_endpoint`] says otherwise) |
//! | `GET`/`POST /device` | the user enters the device's code (`?user_code=` prefills it), then signs in on the sign-in page |
//! | `POST /device/decision` | the device consent page's forms post here (approve or deny) |
//! | `GET`/`POST /userinfo` | claims for a bearer access token |
//! | `GET`/`POST /logout` | RP-initiated logout |
//!
//! # The sign-in forms
//!
//! Tests drive these pages over plain HTTP (parse the HTML, post the form) or
//! in a browser; the markup below is stable. Every form is
//! `method="post" action="/authorize/decision"`, and carries the action in a
//! **hidden input** (submit buttons have no `name`), so posting a form's
//! `<input>` elements as they are is always correct.
//!
//! | page | form id | inputs (`name`, id where visible) | submit button id |
//! | --- | --- | --- | --- |
//! | Sign in | `sign-in-form` | `interaction` (hidden), `action=sign_in` (hidden), `email` (`#email`, prefilled from `login_hint`) | `continue` ("Continue") |
//! | Sign in, quick pick (one per account) | class `account-pick` | `interaction`, `action=sign_in`, `email` (all hidden) | class `pick`, `data-email` |
//! | Create an account | `create-form` | `interaction` (hidden), `action=create` (hidden), `email` (`#email`), `name` (`#name`, optional) | `create-account` ("Create account") |
//! | both pages | `cancel-form` | `interaction` (hidden), `action=cancel` (hidden) | `cancel` ("Cancel") |
//!
//! Links: `#create-account-link` (sign-in page to create page) and
//! `#sign-in-link` (back). A problem is shown in `#error` (for example
//! "No account for this email." with a "Create one?" link `#error-link`, or
//! "An account with this email already exists."), with the page re-rendered
//! (status 200). A missing `action` counts as `sign_in`. Error pages (unknown
//! client, unregistered redirect URI, expired interaction) have the message
//! in `#error-message` and never redirect.
//!
//! The device flow's pages: `#device-form` (input `user_code`, `#user_code`)
//! posts to `/device`; after the sign-in page, `#approve-form` and
//! `#deny-form` (hidden `decision` and `action`) post to `/device/decision`;
//! the result is in `#device-result`. Cancel on the sign-in page denies the
//! device. User codes look like `BCDF-GHJK` and are compared ignoring case,
//! dashes and spaces.
//!
//! # Authorization responses
//!
//! * `response_mode=query` (default): `303 See Other` to the redirect URI
//!   with `code`, `state` (if sent, echoed exactly) and `iss` appended to its
//!   query.
//! * `response_mode=form_post`: a `200` HTML page with
//!   `<form id="response-form" method="post" action="REDIRECT_URI">` holding
//!   hidden inputs `code`, `state`, `iss` and a visible "Continue" button
//!   (`#continue`); a one-line inline script submits it on load.
//!
//! Errors use the same modes with `error`, `error_description`, `state` and
//! `iss`; cancelling gives `error=access_denied`, "The user cancelled the
//! sign-in.", and `prompt=none` gives `login_required` (the provider keeps
//! no browser session).
//!
//! # Tokens
//!
//! The token response has `access_token` (an RFC 9068 JWT, `typ` `at+jwt`,
//! `aud` = issuer + `/api` unless [`DevClient::access_token_audience`] says
//! otherwise), `token_type` `Bearer`, `expires_in`, `id_token` (`typ` `JWT`,
//! signed with the client's [`SigningAlg`]), a rotating opaque
//! `refresh_token`, `scope`, and `userinfo` `{sub, email, email_verified}`.
//! Authorization codes are single-use (reuse revokes what was issued from
//! them), bound to the client, redirect URI and PKCE challenge, and live 60
//! seconds by default.
//!
//! # Profiles
//!
//! To test a relying party against what real providers publish and do,
//! start the provider with [`DevProviderBuilder::profile`] (or the binary's
//! `--profile NAME`). [`Profile::Guide`] is the default and is everything
//! described above. The others keep the same validation (registered
//! redirect URIs, PKCE with S256 only even where `plain` is listed, client
//! authentication, single-use codes, token checks) and change:
//!
//! | profile | metadata | behaviour |
//! | --- | --- | --- |
//! | [`Guide`](Profile::Guide) | as above | as above |
//! | [`Google`](Profile::Google) | no `response_modes_supported` (query implied), no `prompt_values_supported`, no `authorization_response_iss_parameter_supported`, no `end_session_endpoint`; auth methods `client_secret_post`, `client_secret_basic`; PKCE `plain`, `S256`; algs `RS256` | ID token `iss` is the issuer without its scheme (`127.0.0.1:PORT`, like Google's `accounts.google.com`), plus `azp`; no `iss` in authorization responses; `form_post` still works; no inline `userinfo` (UserInfo serves the claims) |
//! | [`Entra`](Profile::Entra) | `issuer` is the template `{issuer}/{tenantid}/v2.0` (literally); auth methods `client_secret_post`, `private_key_jwt`, `client_secret_basic`; no `code_challenge_methods_supported`; modes `query`, `fragment`, `form_post`; algs `RS256`; no `authorization_response_iss_parameter_supported` | every user is in one tenant ([`DevProvider::tenant_id`], a GUID): ID tokens carry `tid`, `ver` `2.0` and `iss` = the template filled in; a resource scope (containing `://` or ending in `/.default`, e.g. `api://my-api/.default`) makes the access token's `aud` that resource (`api://my-api`), and UserInfo answers 401 `invalid_token` to it (it accepts only Graph tokens, the default `aud` `00000003-0000-0000-c000-000000000000`); scopes of two resources at once are `invalid_scope`; no `iss` parameter, no inline `userinfo` |
//! | [`Auth0`](Profile::Auth0) | `issuer` ends with `/`; auth methods `client_secret_basic`, `client_secret_post`, `private_key_jwt`; modes `query`, `fragment`, `form_post`; algs `HS256`, `RS256`, `PS256` (it still signs RS256); PKCE `S256`, `plain` | issuer and `iss` are `http://IP:PORT/`; the `audience` authorization parameter gives an RFC 9068 access token (`typ` `at+jwt`) with `aud` `[audience, userinfo endpoint]`; without it the access token is the usual one; no `iss` parameter, no inline `userinfo` |
//! | [`Keycloak`](Profile::Keycloak) | issuer `http://IP:PORT/realms/dev`, endpoints under `/realms/dev/protocol/openid-connect/`; auth methods `private_key_jwt`, `client_secret_basic`, `client_secret_post`, `tls_client_auth`, `client_secret_jwt`; Keycloak's long alg list; PKCE `plain`, `S256`; modes including the JARM ones; `authorization_response_iss_parameter_supported: true` | `iss` parameter sent; ID tokens add `azp` and `preferred_username`; `fragment` works but the JARM modes (`*.jwt`, `jwt`) are listed only and refused; no inline `userinfo` |
//! | [`Apple`](Profile::Apple) | no `userinfo_endpoint`, no `end_session_endpoint`, no `code_challenge_methods_supported`; auth method `client_secret_post` only; modes `query`, `fragment`, `form_post`; algs `RS256`; scopes `openid`, `email`, `name` | `name` or `email` scope requires `response_mode=form_post`; a user's first sign-in to a client adds the form field `user` = `{"name":{"firstName":..,"lastName":..},"email":..}` (what the scope asked for; the default account is "Alice Example"), later ones do not; ID tokens have `email_verified` `"true"` and `is_private_email` `"false"` as strings; no `iss` parameter, no inline `userinfo` |
//!
//! The token endpoint enforces the published `token_endpoint_auth_methods_supported`
//! for secret-based methods (so Apple refuses `client_secret_basic`), while
//! public clients (`none` with PKCE) are accepted under every profile.
//! [`DevProviderBuilder::token_endpoint_auth_methods_supported`] and
//! [`DevProviderBuilder::code_challenge_methods_supported`] override the
//! two lists for any profile (`None` omits the member; an absent auth
//! method list means `client_secret_basic` only). Listed methods the
//! provider does not implement (`private_key_jwt`, `client_secret_jwt`,
//! `tls_client_auth`) are refused at the token endpoint.
//!
//! [`DevProvider::issuer_str`] per profile: `http://IP:PORT` for Guide,
//! Google, Entra and Apple; `http://IP:PORT/` for Auth0;
//! `http://IP:PORT/realms/dev` for Keycloak.
//!
//! # Fault injection
//!
//! To test how a relying party copes with a broken or hostile provider,
//! make this one misbehave on purpose with [`DevProvider::inject`]: alter,
//! remove or mistype any ID token claim; alter the JOSE header (`alg`,
//! `kid`, `typ`, `crit`, embedded `jwk`/`jku`/`x5u`/`x5c`); sign with a
//! wrong, unlisted, encryption-only or attacker key, HMAC with the public
//! key, or not at all (`alg: none`); publish extra or edited keys; change
//! the authorization response (`state`, `iss`, `code`, duplicates,
//! injected tokens, response mode); edit the discovery, JWKS, token and
//! UserInfo JSON; or make those endpoints fail over HTTP (errors, non-JSON,
//! huge or gzip-bombed bodies, slow bodies, delays, redirects).
//!
//! ```no_run
//! use oidc_dev_provider::{DevProvider, Edit, Fault};
//!
//! # async fn example(provider: DevProvider) {
//! provider.inject(Fault::id_claim(Edit::shift("iat", 3600)).once()); // issued in the future
//! provider.inject_for("my-app", Fault::discovery(Edit::remove("jwks_uri")));
//! provider.clear_faults();
//! # }
//! ```
//!
//! Faults are one-shot or persistent, for every client or one; see
//! [`faults`] for the full list. With none injected (the default) the
//! provider behaves exactly as described above.

mod authorize;
mod authz_response;
mod client_assertion;
mod client_auth;
mod client_credentials;
mod config;
mod device;
mod discovery;
pub mod faults;
mod introspection;
mod keys;
mod logout;
mod oauth_error;
mod pages;
mod params;
mod profile;
mod provider;
mod revocation;
mod router;
mod state;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
mod token_endpoint;
mod tokens;
mod userinfo;
mod util;

pub use config::{ClientAuthMethod, DevClient, SigningAlg};
pub use faults::{
    AuthzFault, AuthzMode, Change, Edit, Endpoint, Fault, HttpFault, Injection, JwksFault, Signing,
    TokenKind,
};
pub use profile::{Profile, UnknownProfile};
pub use provider::{
    DEFAULT_ACR_VALUES, DEFAULT_USER_EMAIL, DevProvider, DevProviderBuilder, DevProviderError,
};
pub use store::{DevUser, RecordedAuthorization, RecordedRequest};
