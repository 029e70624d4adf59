//! Device sign-in: the OAuth 2.0 Device Authorization Grant (RFC 8628),
//! for TVs, SSH sessions, containers and command-line tools where no
//! browser can come back to the application (not even on a loopback
//! address).
//!
//! ```text
//! Client::device_login()            -> DeviceLogin            (scopes, extra parameters)
//! DeviceLogin::start()              -> DeviceAuthorization    (show verification_uri and user_code)
//! DeviceAuthorization::poll()       -> Login<Authenticated>   (ID token verified)
//! ```
//!
//! [`DeviceLogin::start`] asks the provider's `device_authorization_endpoint`
//! for a device code and a user code, authenticated like a token request
//! (a public client sends its `client_id` only). The application shows the
//! user where to go and what to type; [`DeviceAuthorization::poll`] then
//! asks the token endpoint, every `interval`, until the user approves or
//! denies, or the code expires (the polling rules are in `poll.rs`). The
//! tokens are verified exactly as the code flow's ([`Login::exchange`]:
//! signature, `iss`, `aud`, `azp`, `exp`, `iat` age, `at_hash`, UserInfo),
//! except that no nonce was sent, so none may come back. The result is the
//! same [`Login<Authenticated>`] as a website's: claims, tokens, refresh
//! and logout work the same.
//!
//! Polling is cancel-safe: dropping the future of
//! [`poll`](DeviceAuthorization::poll) stops it, for instance on Ctrl-C:
//!
//! ```no_run
//! # async fn run(client: oidc_core::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let authorization = client.device_login().start().await?;
//! println!(
//!     "Open {} and enter {}",
//!     authorization.verification_uri(),
//!     authorization.user_code()
//! );
//! tokio::select! {
//!     login = authorization.poll() => println!("signed in as {}", login?.sub()),
//!     _ = tokio::signal::ctrl_c() => println!("cancelled"),
//! }
//! # Ok(()) }
//! ```
//!
//! This module uses `crate::client`, `crate::provider` (client
//! authentication, the token endpoint, the spans), `crate::flow` (the
//! verification shared with the code flow and `Login<Authenticated>`) and
//! `crate::error`.

mod poll;
mod response;

pub use poll::{DEFAULT_INTERVAL, MAX_TRANSIENT_RETRIES, MIN_INTERVAL, SLOW_DOWN_STEP};

use crate::client::Client;
use crate::config::{check_scope, parse_issuer};
use crate::error::DeviceError;
use crate::flow::exchange::{LoginChecks, verify_login};
use crate::flow::{Authenticated, Login};
use crate::jose::id_token::NonceCheck;
use crate::provider::client_auth::authenticated_request;
use crate::provider::token_endpoint::{self, token_request};
use crate::provider::trace::{self, step_span};
use crate::secret::DeviceCode;
use std::time::{Duration, SystemTime};
use url::Url;

/// The grant type of the token requests (RFC 8628 section 3.4).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Parameters the flow sets itself, refused as extra ones.
const RESERVED: [&str; 5] = [
    "scope",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

impl Client {
    /// Starts a device sign-in (RFC 8628): see the [`device`](crate::device)
    /// module. Needs a provider that publishes a
    /// `device_authorization_endpoint`
    /// ([`supports_device_login`](Client::supports_device_login)).
    pub fn device_login(&self) -> DeviceLogin {
        DeviceLogin {
            client: self.clone(),
            scopes: self.config().scopes.clone(),
            extra: Vec::new(),
        }
    }

    /// Whether the provider offers device sign-in (publishes a
    /// `device_authorization_endpoint`).
    pub fn supports_device_login(&self) -> bool {
        self.metadata().device_authorization_endpoint.is_some()
    }
}

/// A device sign-in not yet started: set scopes and parameters, then
/// [`start`](DeviceLogin::start) it.
#[derive(Debug, Clone)]
#[must_use = "a device sign-in does nothing until `start` is awaited"]
pub struct DeviceLogin {
    client: Client,
    scopes: Vec<String>,
    extra: Vec<(String, String)>,
}

impl DeviceLogin {
    /// The scopes to request, instead of the client's configured ones.
    /// `openid` is added if missing: a sign-in needs an ID token.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// An extra parameter of the device authorization request (e.g.
    /// `audience`, `resource`, `acr_values`). `scope` and the client's
    /// credentials cannot be given here: [`start`](DeviceLogin::start)
    /// refuses them with [`DeviceError::ReservedParameter`].
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Asks the provider for a device code and a user code, in the
    /// `oidc.device_authorization` span. No retry: a failure is returned
    /// for the application to show.
    pub async fn start(self) -> Result<DeviceAuthorization, DeviceError> {
        let DeviceLogin {
            client,
            mut scopes,
            extra,
        } = self;
        let endpoint = client
            .metadata()
            .device_authorization_endpoint
            .clone()
            .ok_or(DeviceError::Unsupported)?;
        if let Some((name, _)) = extra.iter().find(|(n, _)| RESERVED.contains(&n.as_str())) {
            return Err(DeviceError::ReservedParameter(name.clone()));
        }
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        for scope in &scopes {
            check_scope(scope)?;
        }
        let scope = scopes.join(" ");
        let mut params = vec![("scope", scope.as_str())];
        params.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let (body, authorization) = authenticated_request(
            client.credentials(),
            client.auth_method(),
            &endpoint,
            &params,
        )?;
        let issuer = parse_issuer(client.config().issuer())?;
        let span = step_span!("oidc.device_authorization", trace::host(&endpoint));
        let parsed = trace::timed(span, async {
            let response = client
                .http()
                .post_form(&endpoint, body, authorization)
                .await?;
            response::parse(&response, &endpoint, &issuer)
        })
        .await?;
        Ok(DeviceAuthorization {
            client,
            device_code: DeviceCode::new(parsed.device_code),
            user_code: parsed.user_code,
            verification_uri: parsed.verification_uri,
            verification_uri_complete: parsed.verification_uri_complete,
            expires_at: SystemTime::now() + parsed.expires_in,
            deadline: tokio::time::Instant::now() + parsed.expires_in,
            interval: parsed.interval,
        })
    }
}

/// A started device sign-in: show the user [`verification_uri`] and
/// [`user_code`] (or [`verification_uri_complete`], e.g. as a QR code),
/// then [`poll`](DeviceAuthorization::poll).
///
/// Its `Debug` redacts the device code.
///
/// [`verification_uri`]: DeviceAuthorization::verification_uri
/// [`user_code`]: DeviceAuthorization::user_code
/// [`verification_uri_complete`]: DeviceAuthorization::verification_uri_complete
#[derive(Debug)]
pub struct DeviceAuthorization {
    client: Client,
    device_code: DeviceCode,
    user_code: String,
    verification_uri: Url,
    verification_uri_complete: Option<Url>,
    expires_at: SystemTime,
    deadline: tokio::time::Instant,
    interval: Option<Duration>,
}

impl DeviceAuthorization {
    /// The code the user types at [`verification_uri`](Self::verification_uri).
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user goes to enter the code.
    pub fn verification_uri(&self) -> &Url {
        &self.verification_uri
    }

    /// The same page with the code filled in, if the provider offers it
    /// (for a QR code or a clickable link; still show the user code, so
    /// the user can check it is the one on the device).
    pub fn verification_uri_complete(&self) -> Option<&Url> {
        self.verification_uri_complete.as_ref()
    }

    /// When the codes expire; polling ends with [`DeviceError::Expired`] then.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// The wait between polls: the provider's `interval` as given (at least
    /// [`MIN_INTERVAL`]), or [`DEFAULT_INTERVAL`] when it gave none.
    pub fn interval(&self) -> Duration {
        poll::Poller::new(self.interval, self.deadline).interval()
    }

    /// The device code, a secret: whoever holds it gets the user's tokens.
    pub fn device_code(&self) -> &DeviceCode {
        &self.device_code
    }

    /// Polls the token endpoint until the user approves, then verifies the
    /// tokens as the code flow does and returns the login. Ends with
    /// [`DeviceError::AccessDenied`] when the user denies,
    /// [`DeviceError::Expired`] when the code expires, and
    /// [`DeviceError::Token`] for any other refusal or failure.
    ///
    /// Waits the interval before each request; `slow_down` lengthens it
    /// by [`SLOW_DOWN_STEP`]; a timeout or a broken connection is retried
    /// up to [`MAX_TRANSIENT_RETRIES`] times in a row, each after doubling
    /// the interval. Cancel-safe: dropping the future stops polling (see
    /// the module's `tokio::select!` example); polling again starts over
    /// at the provider's interval.
    ///
    /// Traced as the `oidc.device_login` span around one
    /// `oidc.token_request` per poll (outcome `token.authorization_pending`
    /// while the user has not approved), `oidc.jwks_fetch` and
    /// `oidc.userinfo`; a failure is logged as one "login refused" event.
    pub async fn poll(&self) -> Result<Login<Authenticated>, DeviceError> {
        let client = &self.client;
        let span = step_span!(
            "oidc.device_login",
            trace::issuer_host(client.config().issuer())
        );
        trace::timed(span, async {
            self.poll_untimed().await.inspect_err(trace::login_refused)
        })
        .await
    }

    async fn poll_untimed(&self) -> Result<Login<Authenticated>, DeviceError> {
        let client = &self.client;
        let poller = poll::Poller::new(self.interval, self.deadline);
        let parsed = poll::run(poller, || async {
            let (body, authorization) = token_request(
                client,
                &[
                    ("grant_type", DEVICE_CODE_GRANT),
                    ("device_code", self.device_code.secret()),
                ],
            )?;
            token_endpoint::request(client, "device_code", body, authorization).await
        })
        .await?;
        let checks = LoginChecks {
            nonce: NonceCheck::NotSent,
            max_age: None,
            acr_values: &[],
        };
        let (tokens, claims, user) = verify_login(client, parsed, checks).await?;
        Ok(Login::authenticated(
            client.clone(),
            Authenticated::new(tokens, claims, user, None),
        ))
    }
}

/// The response parser, for the fuzz target (`support::fuzz`).
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_parse(
    response: &crate::provider::http::Response,
    endpoint: &Url,
    issuer: &Url,
) -> Result<(), DeviceError> {
    response::parse(response, endpoint, issuer).map(drop)
}

#[cfg(test)]
mod tests;
