//! The signed-in user as an axum extractor.

use super::record::{self, SessionRecord, session_key};
use super::refresh::{self, REFRESH_LEEWAY, Refreshed};
use super::{Oidc, WhenSignedOut};
use crate::logout::SessionInfo;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::marker::PhantomData;
use tower_sessions::Session;

/// The signed-in user of provider `C`. As a handler argument it requires a
/// signed-in user (otherwise: a redirect to the login route, or 401, see
/// [`WhenSignedOut`]); as `Option<SignedIn<C>>` it is `None` for visitors.
///
/// An expired access token is refreshed on extraction when there is a
/// refresh token, once per session however many requests arrive at once
/// (see the [module docs](super#refresh)). If the provider says the grant
/// is gone (`invalid_grant`) or the refreshed ID token fails verification,
/// the user is signed out; if the provider cannot be reached, the user
/// stays signed in with the stale access token
/// ([`SignedIn::access_token_expired`] tells). A session
/// that a back-channel logout ended (see the [logout
/// registry](crate::logout::LogoutRegistry)) is cleared and counts as
/// signed out.
#[derive(Debug, Clone)]
pub struct SignedIn<C = crate::ClientConfig> {
    record: SessionRecord,
    _config: PhantomData<fn() -> C>,
}

impl<C> SignedIn<C> {
    super::record::record_accessors!();

    pub(super) fn into_record(self) -> SessionRecord {
        self.record
    }
}

/// Why [`SignedIn`] could not be extracted. Each variant answers with a
/// response that says what to do.
#[derive(Debug)]
#[non_exhaustive]
pub enum SignedInRejection {
    /// Not signed in: redirect to this login URL.
    RedirectToLogin(String),
    /// Not signed in, and the application answers 401.
    Unauthorized,
    /// The router has no session layer.
    MissingSessionLayer,
    /// The session store (or the logout registry) failed: answered `503`
    /// with a fixed message, the error logged (its text may name the
    /// store's address or internals).
    Session(String),
}

impl IntoResponse for SignedInRejection {
    fn into_response(self) -> Response {
        match self {
            Self::RedirectToLogin(url) => Redirect::to(&url).into_response(),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                [(header::CACHE_CONTROL, "no-store")],
                "Sign in first.",
            )
                .into_response(),
            Self::MissingSessionLayer => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Can't find the session: add `.layer(oidc_core::web::memory_session_layer())` \
                 (or another tower-sessions SessionManagerLayer) to the router.",
            )
                .into_response(),
            Self::Session(message) => {
                tracing::error!(error = %message, "the session store failed");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::CACHE_CONTROL, "no-store")],
                    "The session store is unavailable. Try again in a moment.",
                )
                    .into_response()
            }
        }
    }
}

impl<S, C> FromRequestParts<S> for SignedIn<C>
where
    Oidc<C>: FromRef<S>,
    S: Send + Sync,
    C: 'static,
{
    type Rejection = SignedInRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let oidc = Oidc::<C>::from_ref(state);
        match load(parts, &oidc).await? {
            Some(signed_in) => Ok(signed_in),
            None => Err(signed_out(parts, &oidc)),
        }
    }
}

impl<S, C> OptionalFromRequestParts<S> for SignedIn<C>
where
    Oidc<C>: FromRef<S>,
    S: Send + Sync,
    C: 'static,
{
    type Rejection = SignedInRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        load(parts, &Oidc::<C>::from_ref(state)).await
    }
}

fn signed_out<C>(parts: &Parts, oidc: &Oidc<C>) -> SignedInRejection {
    match oidc.options.when_signed_out {
        WhenSignedOut::Unauthorized => SignedInRejection::Unauthorized,
        WhenSignedOut::RedirectToLogin => {
            let here = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", here)
                .finish();
            SignedInRejection::RedirectToLogin(format!("{}?{query}", oidc.options.login_path))
        }
    }
}

pub(super) async fn load<C>(
    parts: &Parts,
    oidc: &Oidc<C>,
) -> Result<Option<SignedIn<C>>, SignedInRejection> {
    let session = parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or(SignedInRejection::MissingSessionLayer)?;
    let config = oidc.client.config();
    let key = session_key(config.issuer(), config.client_id());
    let record = record::read(&session, &key)
        .await
        .map_err(|e| SignedInRejection::Session(e.to_string()))?;
    let Some(mut record) = record else {
        return Ok(None);
    };
    // Back-channel logout: the provider said this session ended.
    let session_info = SessionInfo {
        issuer: config.issuer(),
        sub: &record.id_token.sub,
        sid: record.sid.as_deref(),
        signed_in_at_ms: record.signed_in_at_ms,
    };
    let logged_out = oidc
        .registry
        .is_logged_out(session_info)
        .await
        .map_err(|e| SignedInRejection::Session(format!("the logout registry failed: {e}")))?;
    if logged_out {
        tracing::info!(sub = %record.id_token.sub, "session ended by a back-channel logout");
        session
            .flush()
            .await
            .map_err(|e| SignedInRejection::Session(e.to_string()))?;
        return Ok(None);
    }
    if record.tokens.access_token_expired(REFRESH_LEEWAY) && record.tokens.refresh_token.is_some() {
        record = match refresh::refresh(oidc, &session, &key, record).await? {
            Refreshed::Fresh(record) | Refreshed::Stale(record) => record,
            Refreshed::SignedOut => return Ok(None),
        };
    }
    Ok(Some(SignedIn {
        record,
        _config: PhantomData,
    }))
}
