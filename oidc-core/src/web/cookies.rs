//! The pending-login cookie: one per login, named after its `state`.

use crate::config::ResponseMode;
use axum_extra::extract::cookie::{Cookie, SameSite};
use cookie::time::Duration as CookieDuration;

const PREFIX: &str = "oidc_pending_";

/// The cookie name for a login's `state`: a short digest, so the name does
/// not reveal the state and concurrent logins (tabs) do not collide.
pub(crate) fn name_for_state(state: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, state.as_bytes());
    let hex: String = digest.as_ref()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{PREFIX}{hex}")
}

/// The cookie carrying a sealed pending login to the callback.
pub(crate) fn pending_cookie(
    state: &str,
    sealed: String,
    mode: ResponseMode,
    callback_path: &str,
    max_age_secs: i64,
) -> Cookie<'static> {
    // form_post arrives as a cross-site POST: only SameSite=None cookies are
    // sent with it, and those must be Secure. Query mode is a top-level GET,
    // for which Lax suffices.
    let same_site = match mode {
        ResponseMode::FormPost => SameSite::None,
        ResponseMode::Query => SameSite::Lax,
    };
    Cookie::build((name_for_state(state), sealed))
        .path(callback_path.to_owned())
        .http_only(true)
        .secure(true)
        .same_site(same_site)
        .max_age(CookieDuration::seconds(max_age_secs))
        .build()
}

/// A cookie that deletes the pending-login cookie of `state`.
pub(crate) fn removal(state: &str, callback_path: &str) -> Cookie<'static> {
    Cookie::build((name_for_state(state), ""))
        .path(callback_path.to_owned())
        .build()
}

#[cfg(test)]
mod tests;
