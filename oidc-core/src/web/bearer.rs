//! APIs: the bearer access token of a request as an axum extractor.

use crate::access_token::{
    AccessTokenClaims, AccessTokenError, AccessTokenVerifier, BearerError, bearer_token,
};
use crate::error::JwsError;
use crate::secret::AccessToken;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// The scopes a route requires, as a type: the parameter of [`Bearer`].
///
/// ```
/// use oidc_core::web::ScopeSet;
///
/// /// `GET /messages` needs `messages:read`.
/// struct ReadMessages;
/// impl ScopeSet for ReadMessages {
///     const SCOPES: &'static [&'static str] = &["messages:read"];
/// }
/// ```
///
/// `()` requires no scope. For scopes known only at run time (from
/// configuration), take a `Bearer` and call [`Bearer::require_scopes`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of scopes",
    label = "the parameter of `Bearer<...>` must implement `ScopeSet`",
    note = "declare the scopes: `struct ReadMessages; impl oidc_core::web::ScopeSet for ReadMessages {{ const SCOPES: &'static [&'static str] = &[\"messages:read\"]; }}`, then take `Bearer<ReadMessages>`"
)]
pub trait ScopeSet: Send + Sync + 'static {
    /// Every scope the token must have been granted.
    const SCOPES: &'static [&'static str];
}

impl ScopeSet for () {
    const SCOPES: &'static [&'static str] = &[];
}

/// The verified access token of a request to an API, with the scopes `S`
/// granted. Needs an [`AccessTokenVerifier`] in the router's state (or
/// reachable through `FromRef`).
///
/// ```no_run
/// use axum::{Json, Router, routing::get};
/// use oidc_core::web::{Bearer, BearerRejection, ScopeSet};
/// use oidc_core::{AccessTokenVerifier, ResourceServerConfig};
///
/// struct ReadMessages;
/// impl ScopeSet for ReadMessages {
///     const SCOPES: &'static [&'static str] = &["messages:read"];
/// }
///
/// // Any valid token.
/// async fn me(token: Bearer) -> String {
///     format!("you are {}", token.sub)
/// }
///
/// // A valid token with `messages:read`; otherwise 403 insufficient_scope.
/// async fn messages(token: Bearer<ReadMessages>) -> Json<Vec<String>> {
///     Json(vec![format!("hello {}", token.sub)])
/// }
///
/// // A scope chosen at run time.
/// async fn admin(token: Bearer) -> Result<&'static str, BearerRejection> {
///     token.require_scopes(&["admin"])?;
///     Ok("welcome")
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = AccessTokenVerifier::discover(
///     ResourceServerConfig::new("https://login.example.com", "https://api.example.com"),
/// )
/// .await?;
/// let app: Router = Router::new()
///     .route("/me", get(me))
///     .route("/messages", get(messages))
///     .route("/admin", get(admin))
///     .with_state(verifier);
/// # let _ = app; Ok(()) }
/// ```
///
/// Rejections ([`BearerRejection`]) answer as RFC 6750 requires:
///
/// | The request | Status | `WWW-Authenticate` |
/// | --- | --- | --- |
/// | has no `Authorization` header, or another scheme | 401 | `Bearer realm="R"` |
/// | has a malformed `Bearer` header (no token, two tokens, bad characters, two headers) | 400 | `Bearer realm="R", error="invalid_request", error_description="..."` |
/// | has a token that does not verify (expired, wrong `aud`/`iss`, bad signature, an ID token, inactive at introspection, ...) | 401 | `Bearer realm="R", error="invalid_token", error_description="..."` |
/// | lacks a scope of `S` | 403 | `Bearer realm="R", error="insufficient_scope", error_description="...", scope="..."` |
/// | arrives while the provider's keys cannot be fetched, or its introspection endpoint is unavailable | 503 | none |
/// | cannot be introspected because the provider refuses the API's introspection credentials | 500 | none |
///
/// `R` is the verifier's [realm](crate::ResourceServerConfig::realm) (the
/// audience by default). The details of a refusal are logged at `debug`
/// level; the response only says what kind of problem it is.
///
/// As `Option<Bearer<S>>` it is `None` when the request has no bearer token
/// at all (for routes that also serve anonymous callers), and still rejects
/// a token that does not verify.
pub struct Bearer<S: ScopeSet = ()> {
    claims: AccessTokenClaims,
    token: AccessToken,
    verifier: AccessTokenVerifier,
    _scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeSet> fmt::Debug for Bearer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bearer")
            .field("claims", &self.claims)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl<S: ScopeSet> Clone for Bearer<S> {
    fn clone(&self) -> Self {
        Self {
            claims: self.claims.clone(),
            token: self.token.clone(),
            verifier: self.verifier.clone(),
            _scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet> Deref for Bearer<S> {
    type Target = AccessTokenClaims;
    fn deref(&self) -> &AccessTokenClaims {
        &self.claims
    }
}

impl<S: ScopeSet> Bearer<S> {
    /// The verified claims (also reachable through `Deref`: `token.sub`).
    pub fn claims(&self) -> &AccessTokenClaims {
        &self.claims
    }

    /// The token itself, e.g. to call another API on the user's behalf.
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// The claims, taking ownership.
    pub fn into_claims(self) -> AccessTokenClaims {
        self.claims
    }

    /// Requires more scopes than `S` (e.g. chosen at run time): a
    /// rejection answering 403 `insufficient_scope` if one is missing.
    pub fn require_scopes(&self, scopes: &[&str]) -> Result<(), BearerRejection> {
        self.claims
            .require_scopes(scopes)
            .map_err(|e| BearerRejection::new(BearerError::Token(e), self.verifier.realm()))
    }
}

/// Why [`Bearer`] could not be extracted: answers with the status and the
/// RFC 6750 `WWW-Authenticate` challenge of [`BearerError`].
#[derive(Debug)]
pub struct BearerRejection {
    error: BearerError,
    challenge: Option<String>,
}

impl BearerRejection {
    fn new(error: BearerError, realm: &str) -> Self {
        let challenge = error.www_authenticate(realm);
        Self { error, challenge }
    }

    /// What went wrong.
    pub fn error(&self) -> &BearerError {
        &self.error
    }

    /// The `WWW-Authenticate` header this rejection answers with.
    pub fn www_authenticate(&self) -> Option<&str> {
        self.challenge.as_deref()
    }
}

impl fmt::Display for BearerRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for BearerRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl IntoResponse for BearerRejection {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let body = match &self.error {
            BearerError::MissingToken => {
                "This API needs an access token: send `Authorization: Bearer <access token>`.".to_owned()
            }
            BearerError::InvalidRequest(description) => format!("Malformed Authorization header: {description}."),
            BearerError::Token(AccessTokenError::Jws(JwsError::KeysUnavailable(_))) => {
                "The API cannot verify access tokens right now (the provider's keys are unavailable); try again later."
                    .to_owned()
            }
            BearerError::Token(error) if error.server_status() == Some(503) => {
                "The API cannot verify access tokens right now (the provider's introspection endpoint is unavailable); try again later."
                    .to_owned()
            }
            BearerError::Token(error) if error.server_status().is_some() => {
                "The API cannot verify access tokens (its configuration is refused by the provider).".to_owned()
            }
            BearerError::Token(error) => format!("{}.", error.error_description()),
        };
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(challenge) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// The `Authorization` header: `None` if absent, an error if repeated or
/// not visible ASCII.
fn authorization(parts: &Parts) -> Result<Option<&str>, BearerError> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(BearerError::InvalidRequest(
            "send a single Authorization header",
        ));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| BearerError::InvalidRequest("the Authorization header is not visible ASCII"))
}

async fn extract<S: ScopeSet>(
    parts: &Parts,
    verifier: AccessTokenVerifier,
) -> Result<Bearer<S>, BearerRejection> {
    let verified = async {
        let token = bearer_token(authorization(parts)?)?;
        let claims = verifier.verify(token).await?;
        claims.require_scopes(S::SCOPES)?;
        Ok::<_, BearerError>((claims, AccessToken::new(token)))
    }
    .await;
    match verified {
        Ok((claims, token)) => Ok(Bearer {
            claims,
            token,
            verifier,
            _scopes: PhantomData,
        }),
        Err(error) => {
            match &error {
                BearerError::Token(token_error) if token_error.server_status().is_some() => {
                    tracing::warn!(%error, "cannot verify a bearer token");
                }
                _ => tracing::debug!(%error, "bearer token refused"),
            }
            Err(BearerRejection::new(error, verifier.realm()))
        }
    }
}

impl<St, S> FromRequestParts<St> for Bearer<S>
where
    AccessTokenVerifier: FromRef<St>,
    St: Send + Sync,
    S: ScopeSet,
{
    type Rejection = BearerRejection;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        extract(parts, AccessTokenVerifier::from_ref(state)).await
    }
}

impl<St, S> OptionalFromRequestParts<St> for Bearer<S>
where
    AccessTokenVerifier: FromRef<St>,
    St: Send + Sync,
    S: ScopeSet,
{
    type Rejection = BearerRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        let verifier = AccessTokenVerifier::from_ref(state);
        match authorization(parts).map(bearer_token) {
            Ok(Err(BearerError::MissingToken)) => Ok(None),
            _ => extract(parts, verifier).await.map(Some),
        }
    }
}
