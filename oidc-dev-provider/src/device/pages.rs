//! The device flow's pages: enter the code, approve or deny, the result.
//! The sign-in between the first two is the authorize flow's page.
//!
//! Stable markup: `#device-form` (posts `user_code`, `#user_code`) to
//! `/device`; `#approve-form` and `#deny-form` (hidden `decision` and
//! `action`) to `/device/decision`; the result in `#device-result`.

use axum::http::StatusCode;
use axum::response::Response;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::pages::{hidden, layout, respond};

/// How a device authorization ended for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Approved,
    Denied,
    Expired,
}

/// The page where the user types the code shown on the device.
pub(crate) fn enter_code(problem: Option<&str>, user_code: &str) -> Response {
    let mut body = String::from(r#"<p class="subtitle">Enter the code shown on your device.</p>"#);
    if let Some(problem) = problem {
        body.push_str(&format!(
            r#"<p class="error" id="error" role="alert">{}</p>"#,
            text(problem)
        ));
    }
    body.push_str(&format!(
        "<form id=\"device-form\" method=\"post\" action=\"/device\">\
         <label for=\"user_code\">Code</label>\
         <input id=\"user_code\" name=\"user_code\" type=\"text\" autocomplete=\"off\" \
         autocapitalize=\"characters\" required autofocus value=\"{}\">\
         <button id=\"continue\" class=\"primary\" type=\"submit\">Continue</button></form>",
        attr(user_code)
    ));
    respond(
        StatusCode::OK,
        layout("Connect a device", &body, None),
        None,
    )
}

/// The consent page after sign-in: approve or deny the device.
pub(crate) fn consent(decision: &str, client_id: &str, user_code: &str, email: &str) -> Response {
    let form = |id: &str, action: &str, class: &str, label: &str| {
        format!(
            "<form id=\"{id}-form\" method=\"post\" action=\"/device/decision\">{}{}\
             <button id=\"{id}\" class=\"{class}\" type=\"submit\">{label}</button></form>",
            hidden("decision", decision),
            hidden("action", action),
        )
    };
    let body = format!(
        "<p class=\"subtitle\">Signed in as <strong id=\"email\">{}</strong>. \
         Allow <strong id=\"client-name\">{}</strong> on the device showing \
         <code id=\"user-code\">{}</code>?</p>{}{}",
        text(email),
        text(client_id),
        text(user_code),
        form("approve", "approve", "primary", "Allow"),
        form("deny", "deny", "secondary", "Deny"),
    );
    respond(
        StatusCode::OK,
        layout("Allow this device?", &body, None),
        None,
    )
}

/// The last page: what happened, and that the user can go back to the device.
pub(crate) fn done(status: StatusCode, outcome: Outcome) -> Response {
    let (title, message) = match outcome {
        Outcome::Approved => (
            "Device connected",
            "You are signed in on your device. You can close this window.",
        ),
        Outcome::Denied => (
            "Device denied",
            "The device was not signed in. You can close this window.",
        ),
        Outcome::Expired => (
            "Code expired",
            "This sign-in has expired or was already completed. Start again on your device.",
        ),
    };
    let body = format!(
        r#"<p class="message" id="device-result" data-outcome="{}">{}</p>"#,
        attr(title),
        text(message)
    );
    respond(status, layout(title, &body, None), None)
}
