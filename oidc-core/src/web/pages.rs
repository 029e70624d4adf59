//! The pages the glue itself answers with: errors, in words that carry no
//! attacker-chosen text.

use crate::error::{
    AuthorizeError, CallbackError, Error, IdTokenError, TokenError, TransportError,
};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use html_escape::encode_text;
use std::borrow::Cow;

/// An error page: the status, a title and the error's message (escaped).
pub(crate) fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f5f6f8;color:#1d2330;display:flex;min-height:100vh;align-items:center;justify-content:center;margin:0}}
main{{background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:2rem 2.5rem;max-width:32rem}}
h1{{font-size:1.3rem;margin:0 0 .75rem}} p{{line-height:1.5}} code{{background:#f0f1f4;padding:.1rem .3rem;border-radius:4px}}
a{{color:#3056d3}}
</style></head>
<body><main><h1>{title}</h1><p class="error" id="error">{detail}</p><p><a href="/">Back to the start page</a></p></main></body></html>"#,
        title = encode_text(title),
        detail = encode_text(detail),
    );
    (status, Html(body)).into_response()
}

/// Marks a response as not to be stored by any cache: login redirects and
/// callback answers are per-browser and single use.
pub(crate) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// OAuth 2.0 and OpenID Connect error codes a provider may answer with
/// (RFC 6749 4.1.2.1 and 5.2, OpenID Connect Core 3.1.2.6, RFC 9126,
/// Prompt Create 1.0): only these are shown; anything else is a string the
/// sender chose.
const REGISTERED_ERRORS: &[&str] = &[
    "access_denied",
    "account_selection_required",
    "consent_required",
    "interaction_required",
    "invalid_client",
    "invalid_grant",
    "invalid_request",
    "invalid_request_object",
    "invalid_request_uri",
    "invalid_scope",
    "login_required",
    "registration_not_supported",
    "request_not_supported",
    "request_uri_not_supported",
    "server_error",
    "temporarily_unavailable",
    "unauthorized_client",
    "unmet_authentication_requirements",
    "unsupported_grant_type",
    "unsupported_response_type",
];

/// What the error page says about a failed login. Only fixed text: no
/// parameter name, description or URL from the request or the provider
/// (the full error is logged). A registered OAuth error code is shown, so
/// the user and support can tell a cancel from a provider failure.
pub(crate) fn public_message(error: &Error) -> Cow<'static, str> {
    match error {
        Error::Callback(CallbackError::Provider { error, .. }) => provider_said(error, "login"),
        Error::Callback(e) => Cow::Borrowed(callback_message(e)),
        Error::PendingLogin(_) => Cow::Borrowed(
            "the sign-in in progress could not be resumed: it expired, or was started by \
             another server. Start the sign-in again.",
        ),
        Error::Token(TokenError::Callback(CallbackError::StoreUnavailable(_))) => Cow::Borrowed(
            "the sign-in cannot be checked right now (a shared store is unavailable). Try again \
             in a moment.",
        ),
        Error::Token(TokenError::Callback(e)) => Cow::Borrowed(callback_message(e)),
        Error::Token(TokenError::Provider { error, .. }) => provider_said(error, "token"),
        Error::Token(TokenError::Transport(TransportError::Timeout { .. }))
        | Error::Transport(TransportError::Timeout { .. }) => {
            Cow::Borrowed("the identity provider did not answer in time. Try again later.")
        }
        Error::Token(TokenError::Transport(_)) | Error::Transport(_) => {
            Cow::Borrowed("the identity provider could not be reached. Try again later.")
        }
        Error::Token(TokenError::IdToken(IdTokenError::AcrNotSatisfied { .. })) => Cow::Borrowed(
            "the identity provider did not confirm the kind of sign-in this page asks for (acr), \
             so no session was started.",
        ),
        Error::Token(TokenError::ClientSecretUnavailable(_) | TokenError::ClientAssertion(_)) => {
            Cow::Borrowed(
                "this site could not prove its identity to the identity provider right now, so \
                 no session was started. Try again later or tell the site's operator.",
            )
        }
        Error::Token(_) => Cow::Borrowed(
            "the identity provider's answer could not be verified, so no session was started.",
        ),
        Error::Authorize(AuthorizeError::PromptNotSupported { .. }) => Cow::Borrowed(
            "the identity provider does not support the kind of sign-in asked for (prompt).",
        ),
        Error::Authorize(
            AuthorizeError::ReservedParameter(_) | AuthorizeError::DuplicateParameter(_),
        ) => Cow::Borrowed(
            "this site's sign-in is misconfigured, so it cannot start. Try again later or tell \
             the site's operator.",
        ),
        _ => Cow::Borrowed("the sign-in could not be completed. Start it again."),
    }
}

fn provider_said(code: &str, stage: &str) -> Cow<'static, str> {
    let help = match code {
        "access_denied" => " (the sign-in was cancelled or refused)",
        "login_required" | "interaction_required" | "consent_required" => {
            " (sign in again, without prompt=none)"
        }
        _ => "",
    };
    match REGISTERED_ERRORS.iter().find(|known| **known == code) {
        Some(known) => Cow::Owned(format!(
            "the identity provider refused the {stage} with `{known}`{help}."
        )),
        None => Cow::Owned(format!("the identity provider refused the {stage}.")),
    }
}

/// Fixed text for the callback errors whose message names nothing the
/// request chose; the others get a generic sentence.
fn callback_message(error: &CallbackError) -> &'static str {
    match error {
        CallbackError::MissingState => "the response has no `state`.",
        CallbackError::StateMismatch => {
            "the response does not match this sign-in (forged, or another tab's). Start again."
        }
        CallbackError::MissingCode => "the response has neither a code nor an error.",
        CallbackError::IssuerMismatch { .. } | CallbackError::MissingIssuer => {
            "the response does not come from this identity provider."
        }
        CallbackError::ResponseModeMismatch { .. } => {
            "the response arrived another way than the sign-in asked for."
        }
        CallbackError::LoginExpired => {
            "the sign-in expired before the response arrived. Start again."
        }
        CallbackError::AlreadyUsed => {
            "this sign-in was already completed or its response already used. Start a new one."
        }
        _ => "the identity provider's response is malformed.",
    }
}
