//! The pending-login cookies: one per login, named after its `state`.
//!
//! Names carry the `__Host-` prefix: browsers accept such a cookie only
//! with `Secure`, `Path=/` and no `Domain`, from a secure origin, so
//! neither a sibling subdomain nor a plain-http response can plant one
//! (login CSRF). `Path=/` also lets `/login` see every pending login of the
//! browser and drop the oldest beyond the cap.

use crate::config::ResponseMode;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use cookie::time::Duration as CookieDuration;

const PREFIX: &str = "__Host-oidc_pending_";

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

/// The cookie carrying a sealed pending login to the callback. Its value is
/// `{started_ms}.{sealed}`: the start time orders the browser's pending
/// logins (oldest dropped first) without opening them. It is not
/// authenticated, and needs not be: only the browser's own `__Host-`
/// cookies carry it, and it decides nothing but which of them to drop.
pub(crate) fn pending_cookie(
    state: &str,
    sealed: &str,
    started_ms: i64,
    mode: ResponseMode,
    max_age_secs: i64,
) -> Cookie<'static> {
    // form_post arrives as a cross-site POST: only SameSite=None cookies are
    // sent with it, and those must be Secure. Query mode is a top-level GET,
    // for which Lax suffices.
    let same_site = match mode {
        ResponseMode::FormPost => SameSite::None,
        ResponseMode::Query => SameSite::Lax,
    };
    Cookie::build((name_for_state(state), format!("{started_ms}.{sealed}")))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(same_site)
        .max_age(CookieDuration::seconds(max_age_secs))
        .build()
}

/// The sealed pending login in a pending cookie's value.
pub(crate) fn sealed_value(value: &str) -> &str {
    value.split_once('.').map_or(value, |(_, sealed)| sealed)
}

/// A cookie that deletes the pending-login cookie `name` (with the
/// attributes `__Host-` requires, or browsers ignore the deletion).
pub(crate) fn removal(name: String) -> Cookie<'static> {
    Cookie::build((name, ""))
        .path("/")
        .http_only(true)
        .secure(true)
        .build()
}

/// The names of the pending-login cookies to delete so that one more login
/// keeps the browser at `cap` pending logins at most: the oldest first
/// (unreadable start times count as oldest).
pub(crate) fn to_drop_for_one_more(jar: &CookieJar, cap: usize) -> Vec<String> {
    let mut pending: Vec<(i64, String)> = jar
        .iter()
        .filter(|c| c.name().starts_with(PREFIX))
        .map(|c| {
            let started = c
                .value()
                .split_once('.')
                .and_then(|(ms, _)| ms.parse::<i64>().ok())
                .unwrap_or(i64::MIN);
            (started, c.name().to_owned())
        })
        .collect();
    let excess = (pending.len() + 1).saturating_sub(cap);
    pending.sort();
    pending.truncate(excess);
    pending.into_iter().map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests;
