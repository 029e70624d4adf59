//! The login, callback and logout handlers.

use super::pages::error_page;
use super::record::{SessionRecord, session_key};
use super::{Oidc, cookies};
use crate::config::Prompt;
use crate::error::{CallbackError, Error, IdTokenError, JwsError, TokenError};
use crate::flow::Callback;
use crate::util::is_form_urlencoded;
use axum::body::Bytes;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
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
pub(crate) fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 2048
        && !path.chars().any(|c| c.is_control() || c == '\\')
}

/// `GET /login`: starts a login and redirects to the provider.
pub(crate) async fn login<C: 'static>(
    State(oidc): State<Oidc<C>>,
    jar: CookieJar,
    Query(query): Query<LoginQuery>,
) -> Response {
    let mut login = oidc.client.login();
    let prompt = match query.prompt.as_deref() {
        Some(p) => match p.parse::<Prompt>() {
            Ok(prompt) => Some(prompt),
            Err(message) => {
                return error_page(StatusCode::BAD_REQUEST, "Cannot start the login", &message);
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
        if !is_local_path(&return_to) {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Cannot start the login",
                "return_to must be a path on this site, such as /account",
            );
        }
        login = login.app_data(return_to);
    }
    let (request, login) = match login.redirect() {
        Ok(started) => started,
        Err(e) => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "Cannot start the login",
                &e.to_string(),
            );
        }
    };
    let pending = login.into_pending();
    let sealed = match pending.seal(&oidc.key) {
        Ok(sealed) => sealed,
        Err(e) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cannot start the login",
                &e.to_string(),
            );
        }
    };
    let max_age = pending.expires_at() - crate::util::unix_now();
    let cookie = cookies::pending_cookie(
        pending.state().secret(),
        sealed,
        pending.response_mode(),
        &oidc.options.callback_path,
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
        return error_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Sign-in failed",
            "the callback must be an application/x-www-form-urlencoded POST",
        );
    }
    finish(oidc, session, jar, Callback::from_form_post(&body)).await
}

/// `GET {callback}` for `response_mode=query`.
pub(crate) async fn callback_query<C: 'static>(
    State(oidc): State<Oidc<C>>,
    session: Session,
    jar: CookieJar,
    RawQuery(query): RawQuery,
) -> Response {
    finish(
        oidc,
        session,
        jar,
        Callback::from_query(query.as_deref().unwrap_or("")),
    )
    .await
}

async fn finish<C>(
    oidc: Oidc<C>,
    session: Session,
    jar: CookieJar,
    callback: Result<Callback, CallbackError>,
) -> Response {
    let callback = match callback {
        Ok(callback) => callback,
        Err(e) => return failure(jar, &e.into()),
    };
    let Some(state) = callback.state().map(str::to_owned) else {
        return failure(jar, &CallbackError::MissingState.into());
    };
    let name = cookies::name_for_state(&state);
    let Some(sealed) = jar.get(&name).map(|c| c.value().to_owned()) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "no login in progress in this browser matches this response: it expired, was already used, \
             or the browser did not send its cookie. Start the sign-in again.",
        );
    };
    // The pending login is single use: delete its cookie whatever happens.
    let jar = jar.remove(cookies::removal(&state, &oidc.options.callback_path));
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
    let return_to = login
        .app_data()
        .filter(|p| is_local_path(p))
        .map_or_else(|| oidc.options.after_login.clone(), str::to_owned);
    let (user, id_token, tokens) = login.into_parts();
    if let Some(hook) = &oidc.options.on_login
        && let Err(rejected) = hook(user.clone()).await
    {
        let status = StatusCode::from_u16(rejected.status).unwrap_or(StatusCode::FORBIDDEN);
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
    // A new session id at login defeats session fixation.
    let stored = async {
        session.cycle_id().await?;
        session.insert(&key, record).await
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

fn failure(jar: CookieJar, error: &Error) -> Response {
    tracing::warn!(error = %error, "login failed");
    (
        jar,
        error_page(status_for(error), "Sign-in failed", &error.to_string()),
    )
        .into_response()
}

/// 4xx for what the browser or user sent, 401 for tokens that do not
/// verify, 502/504 for a provider that fails or misbehaves.
fn status_for(error: &Error) -> StatusCode {
    match error {
        Error::Callback(CallbackError::Provider { error, .. }) if error == "access_denied" => {
            StatusCode::FORBIDDEN
        }
        Error::Callback(_) | Error::PendingLogin(_) | Error::Authorize(_) => {
            StatusCode::BAD_REQUEST
        }
        Error::Token(TokenError::Provider { error, .. }) if error == "invalid_grant" => {
            StatusCode::BAD_REQUEST
        }
        Error::Token(TokenError::IdToken(IdTokenError::Jws(JwsError::KeysUnavailable(_)))) => {
            StatusCode::BAD_GATEWAY
        }
        Error::Token(TokenError::IdToken(_) | TokenError::SubjectMismatch { .. }) => {
            StatusCode::UNAUTHORIZED
        }
        Error::Token(TokenError::Transport(crate::TransportError::Timeout { .. }))
        | Error::Transport(crate::TransportError::Timeout { .. }) => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    }
}

/// `POST /logout`: ends the session, then the provider's session if it
/// supports RP-initiated logout.
pub(crate) async fn logout<C: 'static>(State(oidc): State<Oidc<C>>, session: Session) -> Response {
    let config = oidc.client.config();
    let key = session_key(config.issuer(), config.client_id());
    let record = session.remove::<SessionRecord>(&key).await.ok().flatten();
    if let Err(e) = session.flush().await {
        tracing::error!(error = %e, "could not delete the session at logout");
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
