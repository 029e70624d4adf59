//! The login, callback and logout handlers.

use super::pages::{error_page, no_store, public_message};
use super::record::{self, SessionRecord, session_key};
use super::{Oidc, cookies};
use crate::config::Prompt;
use crate::error::{AuthorizeError, CallbackError, Error, IdTokenError, JwsError, TokenError};
use crate::flow::Callback;
use crate::provider::trace;
use crate::util::is_form_urlencoded;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use tower_sessions::Session;

/// Query parameters of the login route.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    prompt: Option<String>,
    return_to: Option<String>,
    login_hint: Option<String>,
}

/// A path on this site: `/x`, never `//host` or `/\host` (open redirects).
/// Its length is checked against [`Oidc::max_return_to_len`] separately.
pub(crate) fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

/// Whether the browser said this request is something else than a
/// top-level navigation (an iframe, an image, `fetch`...). Browsers that
/// send no `Sec-Fetch-*` headers are let through: they are old or not
/// browsers, and the pending-login cap still bounds them.
fn is_not_top_level_navigation(headers: &HeaderMap) -> bool {
    let differs = |name: &str, expected: &str| {
        headers
            .get(name)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(expected.as_bytes()))
    };
    differs("sec-fetch-mode", "navigate") || differs("sec-fetch-dest", "document")
}

/// `GET /login`: starts a login and redirects to the provider.
pub(crate) async fn login<C: 'static>(
    State(oidc): State<Oidc<C>>,
    parts: Parts,
    jar: CookieJar,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    no_store(start_login(&oidc, &parts, jar, query))
}

fn start_login<C>(
    oidc: &Oidc<C>,
    parts: &Parts,
    mut jar: CookieJar,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    const TITLE: &str = "Cannot start the sign-in";
    let headers = &parts.headers;
    // A cross-site page must not be able to start logins in the background
    // (each one is a cookie in this browser's jar).
    if is_not_top_level_navigation(headers) {
        tracing::warn!(
            mode = ?headers.get("sec-fetch-mode"),
            dest = ?headers.get("sec-fetch-dest"),
            "login refused: not a top-level navigation"
        );
        return error_page(
            StatusCode::FORBIDDEN,
            TITLE,
            "a sign-in starts only when this page is opened in the browser, not from inside \
             another page.",
        );
    }
    let Query(query) = match query {
        Ok(query) => query,
        Err(e) => {
            tracing::warn!(error = %e, "login refused: malformed query");
            return error_page(StatusCode::BAD_REQUEST, TITLE, "the address is malformed.");
        }
    };
    let mut login = oidc.client.login();
    let prompt = match query.prompt.as_deref() {
        Some(p) => match p.parse::<Prompt>() {
            Ok(prompt) => Some(prompt),
            Err(message) => {
                tracing::warn!(%message, "login refused: invalid prompt");
                return error_page(
                    StatusCode::BAD_REQUEST,
                    TITLE,
                    "the `prompt` parameter is not one this site accepts.",
                );
            }
        },
        None => oidc.options.default_prompt,
    };
    if let Some(prompt) = prompt {
        login = login.prompt(prompt);
    }
    if let Some(hint) = query.login_hint {
        login = login.login_hint(hint);
    }
    if let Some(return_to) = query.return_to {
        if return_to.len() > oidc.options.max_return_to_len {
            tracing::warn!(len = return_to.len(), "login refused: return_to too long");
            return error_page(StatusCode::BAD_REQUEST, TITLE, "return_to is too long.");
        }
        if !is_local_path(&return_to) {
            return error_page(
                StatusCode::BAD_REQUEST,
                TITLE,
                "return_to must be a path on this site, such as /account",
            );
        }
        login = login.app_data(return_to);
    }
    // The application's parameters for this request, after the route's.
    if let Some(hook) = &oidc.options.login_options {
        login = hook(parts).apply(login);
    }
    let (request, login) = match login.redirect() {
        Ok(started) => started,
        Err(e) => {
            // Only the application's own parameters (its configuration or
            // its `login_options` hook) can be reserved or repeated: a bug
            // of the site, not of the request.
            if let AuthorizeError::ReservedParameter(name)
            | AuthorizeError::DuplicateParameter(name) = &e
            {
                tracing::error!(
                    parameter = %name,
                    error = %e,
                    "login could not start: the application's authorization request parameters are invalid"
                );
                return error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    TITLE,
                    &public_message(&e.into()),
                );
            }
            let e = Error::from(e);
            tracing::warn!(error = %e, "login could not start");
            return error_page(StatusCode::BAD_REQUEST, TITLE, &public_message(&e));
        }
    };
    let pending = login.into_pending();
    let sealed = match pending.seal(&oidc.key) {
        Ok(sealed) => sealed,
        Err(e) => {
            let e = Error::from(e);
            tracing::error!(error = %e, "could not seal a pending login");
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                TITLE,
                &public_message(&e),
            );
        }
    };
    // One more pending login: drop the oldest beyond the cap.
    for name in cookies::to_drop_for_one_more(&jar, oidc.options.max_pending_logins) {
        jar = jar.remove(cookies::removal(name));
    }
    let max_age = pending.expires_at() - crate::util::unix_now();
    let cookie = cookies::pending_cookie(
        pending.state().secret(),
        &sealed,
        crate::util::unix_now_ms(),
        pending.response_mode(),
        max_age,
    );
    (jar.add(cookie), Redirect::to(request.url().as_str())).into_response()
}

/// `POST {callback}` for `response_mode=form_post`.
pub(crate) async fn callback_form_post<C: 'static>(
    State(oidc): State<Oidc<C>>,
    session: Session,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE);
    if !is_form_urlencoded(content_type.and_then(|v| v.to_str().ok())) {
        return no_store(error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Sign-in failed",
            "the callback must be an application/x-www-form-urlencoded POST",
        ));
    }
    no_store(finish(oidc, session, jar, Callback::from_form_post(&body)).await)
}

/// `GET {callback}` for `response_mode=query`.
pub(crate) async fn callback_query<C: 'static>(
    State(oidc): State<Oidc<C>>,
    session: Session,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    let callback = Callback::from_query(query.as_deref().unwrap_or(""));
    no_store(finish(oidc, session, jar, callback).await)
}

async fn finish<C>(
    oidc: Oidc<C>,
    session: Session,
    jar: CookieJar,
    callback: Result<Callback, CallbackError>,
) -> Response {
    // The refusals made here, before the flow has the callback, are logged
    // here; the flow logs its own (`trace::login_refused`), once.
    let callback = match callback {
        Ok(callback) => callback,
        Err(e) => return refused_here(jar, e.into()),
    };
    let Some(state) = callback.state().map(str::to_owned) else {
        return refused_here(jar, CallbackError::MissingState.into());
    };
    let name = cookies::name_for_state(&state);
    let Some(sealed) = jar
        .get(&name)
        .map(|c| cookies::sealed_value(c.value()).to_owned())
    else {
        tracing::warn!(
            target: trace::LOGIN_TARGET,
            check = "pending_login.missing",
            error = "no pending login cookie matches the callback's state",
            "login refused"
        );
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "no login in progress in this browser matches this response: it expired, was already used, \
             or the browser did not send its cookie. Start the sign-in again.",
        );
    };
    // The pending login is single use: delete its cookie whatever happens.
    let jar = jar.remove(cookies::removal(name));
    let outcome: Result<_, Error> = async {
        let login = oidc.client.resume_sealed(&sealed, &oidc.key)?;
        let login = login.receive(callback)?;
        Ok(login.exchange().await?)
    }
    .await;
    let login = match outcome {
        Ok(login) => login,
        Err(e) => return failure(jar, &e),
    };
    let max_return_to_len = oidc.options.max_return_to_len;
    let return_to = login
        .app_data()
        .filter(|p| is_local_path(p) && p.len() <= max_return_to_len)
        .map_or_else(|| oidc.options.after_login.clone(), str::to_owned);
    let (user, id_token, tokens) = login.into_parts();
    if let Some(hook) = &oidc.options.on_login
        && let Err(rejected) = hook(user.clone()).await
    {
        let status = StatusCode::from_u16(rejected.status).unwrap_or(StatusCode::FORBIDDEN);
        tracing::warn!(
            target: trace::LOGIN_TARGET,
            check = "on_login",
            status = status.as_u16(),
            "login refused"
        );
        return (
            jar,
            error_page(status, "Sign-in refused", &rejected.message),
        )
            .into_response();
    }
    let config = oidc.client.config();
    let key = session_key(config.issuer(), config.client_id());
    let record = SessionRecord {
        sid: id_token.sid.clone(),
        user,
        id_token,
        tokens,
        signed_in_at_ms: crate::util::unix_now_ms(),
    };
    // A new, empty session at login defeats session fixation: whoever
    // could set this browser's session id before (and whatever they put in
    // it) does not share the signed-in session.
    let stored = async {
        session.cycle_id().await?;
        session.clear().await;
        record::write_signed_in(&session, &key, &record).await
    }
    .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not store the session after a login");
        return (
            jar,
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sign-in failed",
                "the session could not be saved",
            ),
        )
            .into_response();
    }
    (jar, Redirect::to(&return_to)).into_response()
}

/// A refusal the glue makes itself: logged, then answered.
fn refused_here(jar: CookieJar, error: Error) -> Response {
    trace::login_refused(&error);
    failure(jar, &error)
}

/// The answer to a refused login (already logged, by the flow or by
/// [`refused_here`]).
fn failure(jar: CookieJar, error: &Error) -> Response {
    (
        jar,
        error_page(status_for(error), "Sign-in failed", &public_message(error)),
    )
        .into_response()
}

/// 4xx for what the browser or user sent, 401 for tokens that do not
/// verify, 502/504 for a provider that fails or misbehaves, 503 when the
/// store shared by the instances cannot vouch for the callback.
fn status_for(error: &Error) -> StatusCode {
    match error {
        Error::Callback(CallbackError::Provider { error, .. }) if error == "access_denied" => {
            StatusCode::FORBIDDEN
        }
        Error::Callback(_) | Error::PendingLogin(_) | Error::Authorize(_) => {
            StatusCode::BAD_REQUEST
        }
        // The shared replay store is down: refused, and worth retrying.
        Error::Token(TokenError::Callback(CallbackError::StoreUnavailable(_))) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        Error::Token(TokenError::Callback(_)) => StatusCode::BAD_REQUEST,
        Error::Token(TokenError::Provider { error, .. }) if error == "invalid_grant" => {
            StatusCode::BAD_REQUEST
        }
        Error::Token(TokenError::IdToken(IdTokenError::Jws(JwsError::KeysUnavailable(_)))) => {
            StatusCode::BAD_GATEWAY
        }
        Error::Token(TokenError::IdToken(_) | TokenError::SubjectMismatch { .. }) => {
            StatusCode::UNAUTHORIZED
        }
        // This site could not authenticate itself (its secret callback or
        // its key failed): the provider was not asked.
        Error::Token(TokenError::ClientSecretUnavailable(_) | TokenError::ClientAssertion(_)) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        Error::Token(TokenError::Transport(crate::TransportError::Timeout { .. }))
        | Error::Transport(crate::TransportError::Timeout { .. }) => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// Whether the browser said this request comes from another origin, in the
/// manner of Go's `CrossOriginProtection`: `Sec-Fetch-Site` when sent
/// (`same-origin`, or `none` for a user's own action, pass); otherwise
/// `Origin`, which must name the `Host` the request was sent to, or the
/// redirect URI's origin (behind a proxy that rewrites `Host`). A request
/// with neither header is not from a current browser, and passes.
pub(crate) fn is_cross_origin(headers: &HeaderMap, uri: &Uri, app_origin: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    if app_origin.is_some_and(|app| app.eq_ignore_ascii_case(origin)) {
        return false;
    }
    // `Origin: null` (sandboxed or privacy-sensitive contexts) does not parse.
    let Ok(origin) = url::Url::parse(origin) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()));
    let Some(Ok(target)) = host.map(|h| url::Url::parse(&format!("{}://{h}", origin.scheme())))
    else {
        return true;
    };
    origin.host() != target.host()
        || origin.port_or_known_default() != target.port_or_known_default()
}

/// `POST /logout`: ends the session, revokes its tokens if the provider
/// supports revocation (see [`Oidc::revoke_on_logout`]), then ends the
/// provider's session if it supports RP-initiated logout.
pub(crate) async fn logout<C: 'static>(
    State(oidc): State<Oidc<C>>,
    headers: HeaderMap,
    uri: Uri,
    session: Session,
) -> Response {
    let config = oidc.client.config();
    let app_origin = url::Url::parse(config.redirect_uri())
        .ok()
        .map(|u| u.origin().ascii_serialization());
    if is_cross_origin(&headers, &uri, app_origin.as_deref()) {
        tracing::warn!(
            origin = ?headers.get(header::ORIGIN),
            site = ?headers.get("sec-fetch-site"),
            "logout refused: cross-origin request"
        );
        return error_page(
            StatusCode::FORBIDDEN,
            "Sign-out refused",
            "the sign-out request came from another site. Use this site's own sign-out button.",
        );
    }
    let key = session_key(config.issuer(), config.client_id());
    let record = record::take(&session, &key).await.ok().flatten();
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "could not delete the session at logout");
    }
    if let Some(record) = &record
        && oidc.options.revoke_on_logout
        && oidc.client.supports_revocation()
        && let Err(error) = oidc.client.revoke(&record.tokens).await
    {
        // Best effort: the local session is gone already, and the tokens
        // expire on their own; the sign-out goes on.
        tracing::warn!(
            check = error.check_name(),
            error = %error,
            "could not revoke the tokens at logout"
        );
    }
    let provider_logout = record.and_then(|record| {
        oidc.client.end_session_url(
            record.tokens.id_token.as_ref(),
            oidc.options.post_logout_redirect_uri.as_deref(),
            None,
        )
    });
    match provider_logout {
        Some(url) => Redirect::to(url.as_str()).into_response(),
        None => Redirect::to(&oidc.options.after_logout).into_response(),
    }
}

#[cfg(test)]
mod tests;
