//! Routes, and the middleware that records every request.
//!
//! Each endpoint is a plain handler registered here. Two layers wrap them
//! all: the request log (outermost, so even a faulted request is recorded)
//! and the fault layer, which applies injected body and HTTP faults to the
//! responses of discovery, JWKS, token, UserInfo and revocation.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;
use crate::{
    authorize, device, discovery, introspection, logout, pages, revocation, token_endpoint,
    userinfo,
};

/// The provider's routes. The protocol endpoints' paths come from the
/// profile (Keycloak serves them under `/realms/dev/...`); the sign-in pages
/// are always at `/authorize/sign-in`, `/authorize/create` and
/// `/authorize/decision`.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let paths = state.paths;
    let mut router = Router::new()
        .route("/", get(discovery::home))
        .route(paths.discovery, get(discovery::openid_configuration))
        .route(paths.jwks, get(discovery::jwks))
        .route(
            paths.authorize,
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route("/authorize/sign-in", get(authorize::sign_in_page))
        .route("/authorize/create", get(authorize::create_page))
        .route("/authorize/decision", post(authorize::decision))
        .route(paths.token, post(token_endpoint::token));
    if let Some(path) = paths.userinfo {
        router = router.route(path, get(userinfo::userinfo).post(userinfo::userinfo));
    }
    if let Some(path) = paths.logout {
        router = router.route(path, get(logout::logout_get).post(logout::logout_post));
    }
    if state.settings.revocation {
        router = router.route(paths.revocation, post(revocation::revoke));
    }
    if state.settings.introspection {
        router = router.route(paths.introspection, post(introspection::introspect));
    }
    if state.settings.device_flow {
        router = router
            .route(
                paths.device_authorization,
                post(device::device_authorization),
            )
            .route(
                "/device",
                get(device::device_page).post(device::device_submit),
            )
            .route("/device/decision", post(device::decision));
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::http_layer,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

/// Record the request (method and path only: no query, no body) before
/// handling it.
async fn record(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    state.store().record(
        request.method().to_string(),
        request.uri().path().to_owned(),
    );
    next.run(request).await
}

async fn not_found() -> Response {
    pages::error(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing at this address.",
    )
}
