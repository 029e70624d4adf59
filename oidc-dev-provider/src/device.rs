//! The device authorization grant (RFC 8628): the device authorization
//! endpoint, the user's page (`/device`), and the token endpoint's
//! `urn:ietf:params:oauth:grant-type:device_code` grant.
//!
//! The user enters the user code at `/device` (prefilled from
//! `?user_code=`, the `verification_uri_complete`), signs in with the
//! authorize flow's own sign-in pages (the interaction carries the device
//! authorization instead of a redirect URI), then approves or denies on a
//! consent page. Meanwhile the device polls: `authorization_pending`
//! until then, `slow_down` when it polls faster than the interval,
//! `access_denied` after a denial, `expired_token` after the device code's
//! lifetime, `invalid_grant` once the code was used. ID tokens carry no
//! nonce (the grant has none).

mod pages;
mod store;

pub(crate) use store::DeviceStore;

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::authz_response::ResponseMode;
use crate::client_auth::{answer, authenticated_form};
use crate::config::DevClient;
use crate::oauth_error::OAuthError;
use crate::pages::PageContext;
use crate::params::{Params, is_form};
use crate::state::AppState;
use crate::store::{DevUser, Grant, INTERACTION_TTL, Interaction};
use crate::util::{now_secs, random_token};
use store::{DeviceEntry, Lookup, PollAnswer, Status};

/// The grant type of the device's token requests.
pub(crate) const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Scopes the device flow grants (others are ignored, as at `/authorize`).
const SUPPORTED_SCOPES: [&str; 4] = ["openid", "email", "profile", "offline_access"];

/// `POST` at the device authorization endpoint (`/device/code`).
pub(crate) async fn device_authorization(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut client_id = None;
    let result = authorize(&state, &headers, &body, &mut client_id);
    answer(result, "device authorization refused", client_id.as_deref())
}

fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    client_id: &mut Option<String>,
) -> Result<Response, OAuthError> {
    let (client, params) = authenticated_form(
        state,
        headers,
        body,
        "device authorization request",
        client_id,
    )?;
    let requested: Vec<&str> = params.get("scope").unwrap_or("").split(' ').collect();
    if !requested.contains(&"openid") {
        return Err(OAuthError::invalid_scope("The scope must include openid."));
    }
    let mut granted: Vec<&str> = Vec::new();
    for scope in requested {
        if SUPPORTED_SCOPES.contains(&scope) && !granted.contains(&scope) {
            granted.push(scope);
        }
    }
    let settings = &state.settings;
    let device_code = random_token(32);
    let user_code = {
        let mut devices = state.devices();
        devices.insert(
            &device_code,
            DeviceEntry::new(&client.id, granted.join(" "), settings.device_code_ttl),
        )
    };
    let verification_uri = state.endpoint("/device");
    let complete = format!(
        "{verification_uri}?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("user_code", &user_code)
            .finish()
    );
    tracing::info!(client_id = %client.id, "device authorization issued");
    Ok(no_store(Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": complete,
        "expires_in": settings.device_code_ttl.as_secs(),
        "interval": settings.device_interval.as_secs(),
    }))))
}

/// The token endpoint's device code grant (RFC 8628 section 3.4).
pub(crate) fn grant(
    state: &AppState,
    client: &DevClient,
    params: &Params,
) -> Result<Response, OAuthError> {
    let device_code = params
        .get("device_code")
        .ok_or_else(|| OAuthError::invalid_request("device_code is required."))?;
    let enforced = state
        .settings
        .device_enforced_interval
        .unwrap_or(state.settings.device_interval);
    let answer = state
        .devices()
        .poll(device_code, &client.id, enforced, Instant::now());
    let (sub, auth_time, scope) = match answer {
        PollAnswer::Approved {
            sub,
            auth_time,
            scope,
        } => (sub, auth_time, scope),
        PollAnswer::Refused(error, description) => {
            return Err(OAuthError::bad_request(error, description));
        }
    };
    let grant = Grant {
        client_id: client.id.clone(),
        sub,
        scope: scope.clone(),
        auth_time,
        sid: random_token(16),
        token_audience: None,
        acr: None,
        revoked: false,
        session_active: true,
    };
    let grant_id = state.store().insert_grant(grant.clone());
    crate::token_endpoint::issue(state, client, &grant_id, &grant, &scope, None)
}

/// `GET /device[?user_code=...]`: the page where the user enters the code.
pub(crate) async fn device_page(RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    pages::enter_code(None, params.get("user_code").unwrap_or(""))
}

/// `POST /device`: the user entered a code; on to the sign-in page.
pub(crate) async fn device_submit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return bad_form();
    }
    let params = Params::parse(&body);
    let entered = params.get("user_code").unwrap_or("");
    let found = state.devices().lookup_user_code(entered, Instant::now());
    let (key, client_id, scope) = match found {
        Lookup::Pending {
            key,
            client_id,
            scope,
        } => (key, client_id, scope),
        Lookup::Unknown => {
            return pages::enter_code(
                Some("That code is not valid, or it has expired or was already used."),
                entered,
            );
        }
    };
    let interaction = Interaction {
        client_id: client_id.clone(),
        redirect_uri: String::new(),
        response_mode: ResponseMode::Query,
        state: None,
        nonce: None,
        scope,
        code_challenge: None,
        login_hint: None,
        max_age: None,
        token_audience: None,
        acr: None,
        expires_at: Instant::now() + INTERACTION_TTL,
        device: Some(key),
    };
    let (id, accounts) = {
        let mut store = state.store();
        (store.insert_interaction(interaction), store.users())
    };
    let ctx = PageContext {
        interaction: id,
        client_id,
        accounts,
    };
    crate::pages::sign_in(&ctx, None, "")
}

/// The user signed in at a device interaction's sign-in page: ask them to
/// approve the device (called by the authorize flow's decision handler).
pub(crate) fn signed_in(state: &AppState, interaction_id: &str, user: &DevUser) -> Response {
    let Some(interaction) = state.store().take_interaction(interaction_id) else {
        return pages::done(StatusCode::BAD_REQUEST, pages::Outcome::Expired);
    };
    let Some(key) = interaction.device else {
        return pages::done(StatusCode::BAD_REQUEST, pages::Outcome::Expired);
    };
    let decision = state
        .devices()
        .signed_in(&key, &user.sub, now_secs(), Instant::now());
    match decision {
        Some((decision, user_code)) => {
            pages::consent(&decision, &interaction.client_id, &user_code, &user.email)
        }
        None => pages::done(StatusCode::BAD_REQUEST, pages::Outcome::Expired),
    }
}

/// The user pressed Cancel on a device interaction's sign-in page: the
/// device is denied.
pub(crate) fn cancelled(state: &AppState, interaction_id: &str) -> Response {
    let interaction = state.store().take_interaction(interaction_id);
    if let Some(key) = interaction.and_then(|i| i.device) {
        state.devices().deny(&key);
    }
    pages::done(StatusCode::OK, pages::Outcome::Denied)
}

/// `POST /device/decision`: fields `decision` and `action`
/// (`approve` | `deny`).
pub(crate) async fn decision(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_form(&headers) {
        return bad_form();
    }
    let params = Params::parse(&body);
    let approve = match params.get("action") {
        Some("approve") => true,
        Some("deny") => false,
        _ => return bad_form(),
    };
    let decided = state.devices().decide(
        params.get("decision").unwrap_or(""),
        approve,
        Instant::now(),
    );
    match decided {
        Some(Status::Approved { .. }) => pages::done(StatusCode::OK, pages::Outcome::Approved),
        Some(_) => pages::done(StatusCode::OK, pages::Outcome::Denied),
        None => pages::done(StatusCode::BAD_REQUEST, pages::Outcome::Expired),
    }
}

fn bad_form() -> Response {
    crate::pages::error(
        StatusCode::BAD_REQUEST,
        "Invalid request",
        "The form must be sent as application/x-www-form-urlencoded, with its fields.",
    )
}

fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl crate::DevProviderBuilder {
    /// Serve and publish a `device_authorization_endpoint` (RFC 8628) at
    /// `/device/code` (Keycloak profile:
    /// `/realms/dev/protocol/openid-connect/auth/device`), with the user's
    /// page at `/device`, or not. Default: on for
    /// [`Profile::Guide`](crate::Profile::Guide), off for the other
    /// profiles (whose metadata is kept as the real providers' was).
    pub fn device_authorization_endpoint(mut self, enabled: bool) -> Self {
        self.device_flow = Some(enabled);
        self
    }

    /// The device flow's `interval` (whole seconds): how long a device
    /// waits between polls, and the spacing below which the token
    /// endpoint answers `slow_down`. Default 5 seconds (RFC 8628's
    /// default); tests may ask for 1.
    pub fn device_poll_interval(mut self, interval: std::time::Duration) -> Self {
        self.settings.device_interval = interval;
        self
    }

    /// Answer `slow_down` to polls spaced less than `interval` apart, while
    /// still advertising [`device_poll_interval`](Self::device_poll_interval):
    /// a provider under load asking devices to back off (RFC 8628 section
    /// 3.5), to test that clients honour it.
    pub fn device_slow_down_below(mut self, interval: std::time::Duration) -> Self {
        self.settings.device_enforced_interval = Some(interval);
        self
    }

    /// How long device codes and user codes live (`expires_in`). Default
    /// 10 minutes.
    pub fn device_code_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.settings.device_code_ttl = ttl;
        self
    }
}

impl crate::DevProvider {
    /// What the token endpoint answered to each device code poll, in order:
    /// `ok` (tokens issued) or the error code (`authorization_pending`,
    /// `slow_down`, `access_denied`, `expired_token`, `invalid_grant`).
    pub fn device_poll_answers(&self) -> Vec<&'static str> {
        self.state().devices().answers()
    }

    /// Forget the recorded device poll answers.
    pub fn clear_device_poll_answers(&self) {
        self.state().devices().clear_answers();
    }
}

#[cfg(test)]
mod tests;
