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
mod tests {
    use super::*;

    #[test]
    fn names_are_per_state_and_hide_it() {
        let a = name_for_state("state-a");
        let b = name_for_state("state-b");
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX) && !a.contains("state-a"));
        assert_eq!(a, name_for_state("state-a"));
    }

    #[test]
    fn form_post_cookie_is_samesite_none_and_secure() {
        let c = pending_cookie("s", "v".into(), ResponseMode::FormPost, "/callback", 600);
        let shown = c.to_string();
        assert!(shown.contains("SameSite=None"), "{shown}");
        assert!(
            shown.contains("Secure")
                && shown.contains("HttpOnly")
                && shown.contains("Path=/callback")
        );
        let c = pending_cookie("s", "v".into(), ResponseMode::Query, "/callback", 600);
        assert!(c.to_string().contains("SameSite=Lax"));
    }
}
