//! Service-to-service calls: the client credentials grant (RFC 6749
//! section 4.4), for APIs that call APIs on their own behalf.
//!
//! A [`ServiceClient`] asks the token endpoint for an access token with the
//! client's own credentials, keeps it until shortly before it expires, and
//! fetches the next one once however many tasks ask at the same moment.

use crate::client::Client;
use crate::error::TokenError;
use crate::provider::token_endpoint::{self, TokenSet, token_request};
use crate::provider::trace::{self, step_span};
use crate::secret::AccessToken;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// How long before its expiry a cached token is replaced: enough for a
/// request to reach the API before the token lapses, like the web glue's
/// refresh.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

/// A client that calls APIs as itself: access tokens from the client
/// credentials grant, cached and shared.
///
/// Cheap to clone; clones share the cache. No ID token is involved (there
/// is no user), so the `openid` scope is not needed.
///
/// ```no_run
/// # async fn run() -> Result<(), oidc_core::Error> {
/// use oidc_core::{Client, ClientConfig, ServiceClient};
/// let config = ClientConfig::for_issuer("https://id.example.com")
///     .client_id("reports-job")
///     .redirect_uri("http://localhost/unused")
///     .client_secret("s3cret");
/// let service = ServiceClient::new(Client::discover(config).await?).scopes(["reports:read"]);
/// let token = service.access_token().await?;
/// // reqwest::Client::new().get(api).bearer_auth(token.secret())...
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ServiceClient {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    scopes: Vec<String>,
    extra: Vec<(String, String)>,
    leeway: Duration,
    /// The cached token; holding the lock while fetching makes concurrent
    /// callers wait for one request instead of each sending their own.
    cache: Mutex<Option<TokenSet>>,
}

impl ServiceClient {
    /// A service client with the credentials of `client` (its
    /// `client_secret` and authentication method), no scopes, and the
    /// [`DEFAULT_LEEWAY`].
    pub fn new(client: Client) -> Self {
        ServiceClient {
            inner: Arc::new(Inner {
                client,
                scopes: Vec::new(),
                extra: Vec::new(),
                leeway: DEFAULT_LEEWAY,
                cache: Mutex::new(None),
            }),
        }
    }

    /// The scopes to request (sent as `scope`, space-separated).
    #[must_use]
    pub fn scopes<S: Into<String>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.change(|inner| inner.scopes = scopes.into_iter().map(Into::into).collect())
    }

    /// The API the token is for, as RFC 8707's `resource` parameter (for
    /// providers that issue audience-restricted tokens; Auth0 calls it
    /// `audience`: use [`ServiceClient::param`] there).
    #[must_use]
    pub fn resource(self, resource: impl Into<String>) -> Self {
        self.param("resource", resource)
    }

    /// An extra token request parameter the provider requires (Auth0's
    /// `audience`, for example).
    #[must_use]
    pub fn param(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let pair = (name.into(), value.into());
        self.change(|inner| inner.extra.push(pair))
    }

    /// How long before its expiry a cached token is replaced
    /// ([`DEFAULT_LEEWAY`] unless set). A token that lives no longer than
    /// the leeway is used once and not cached.
    #[must_use]
    pub fn leeway(self, leeway: Duration) -> Self {
        self.change(|inner| inner.leeway = leeway)
    }

    /// Builder steps run before the client is shared, so the `Arc` is
    /// still unique; a clone made earlier gets its own copy.
    fn change(self, edit: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            client: shared.client.clone(),
            scopes: shared.scopes.clone(),
            extra: shared.extra.clone(),
            leeway: shared.leeway,
            cache: Mutex::new(None),
        });
        edit(&mut inner);
        ServiceClient {
            inner: Arc::new(inner),
        }
    }

    /// An access token for the configured scopes: the cached one while it
    /// is valid for more than the leeway, else a new one from the token
    /// endpoint. Concurrent callers share one request.
    ///
    /// A token without `expires_in` is not cached: its lifetime is
    /// unknown. Traced as the `oidc.client_credentials` span around
    /// `oidc.token_request` when a request is made.
    pub async fn access_token(&self) -> Result<AccessToken, TokenError> {
        let mut cache = self.inner.cache.lock().await;
        if let Some(tokens) = cache.as_ref()
            && !tokens.access_token_expired(self.inner.leeway)
        {
            return Ok(tokens.access_token.clone());
        }
        *cache = None;
        let tokens = self.fetch().await?;
        let token = tokens.access_token.clone();
        if tokens.expires_at.is_some() {
            *cache = Some(tokens);
        }
        Ok(token)
    }

    /// Forgets the cached token, so the next call fetches a new one (after
    /// an API refused the token, for instance).
    pub async fn clear(&self) {
        *self.inner.cache.lock().await = None;
    }

    /// The token request's body and `Authorization` header: the grant,
    /// `scope` if any, the extra parameters, and the client's
    /// authentication (never an `openid` scope: there is no ID token).
    fn form(&self) -> Result<(String, Option<reqwest::header::HeaderValue>), TokenError> {
        let scope = self.inner.scopes.join(" ");
        let mut params = vec![("grant_type", "client_credentials")];
        if !scope.is_empty() {
            params.push(("scope", scope.as_str()));
        }
        params.extend(
            self.inner
                .extra
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        token_request(&self.inner.client, &params)
    }

    /// One token request, in the `oidc.client_credentials` span.
    async fn fetch(&self) -> Result<TokenSet, TokenError> {
        let client = &self.inner.client;
        let span = step_span!(
            "oidc.client_credentials",
            trace::issuer_host(client.config().issuer())
        );
        trace::timed(span, async {
            let (body, authorization) = self.form()?;
            let parsed =
                token_endpoint::request(client, "client_credentials", body, authorization).await?;
            Ok(parsed.tokens)
        })
        .await
    }
}

impl fmt::Debug for ServiceClient {
    // The cached token and the client secret stay out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceClient")
            .field("client_id", &self.inner.client.config().client_id)
            .field("scopes", &self.inner.scopes)
            .field("leeway", &self.inner.leeway)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
