//! The rules every [`LogoutRegistry`] follows, as one suite run against
//! each implementation (in memory and on Redis): the same logouts, the
//! same sessions, the same answers. Times are recent real times, so a
//! registry that expires entries by the wall clock (Redis) keeps them.

use oidc_core::logout::{LoggedOut, LogoutRegistry, SessionInfo};
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs every rule against `registry`. `issuer` keeps runs apart when
/// registries share a store; a second issuer, `{issuer}/other`, must never
/// match.
pub async fn check_logout_registry(registry: &dyn LogoutRegistry, issuer: &str) {
    let now_ms = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis(),
    )
    .expect("fits");
    // A minute ago: every logout below is in the past and fresh.
    let base = now_ms - 60_000;
    let record = |sub: Option<&str>, sid: Option<&str>, at: i64| {
        let logout = LoggedOut::new(issuer, sub.map(Into::into), sid.map(Into::into), base + at);
        async move { registry.record(logout).await.expect("recorded") }
    };
    let ended = |sub: &'static str, sid: Option<&'static str>, signed_in: i64| {
        let session = session(issuer, sub, sid, base + signed_in);
        async move { registry.is_logged_out(session).await.expect("checked") }
    };

    // sid with sub: that provider session whenever it signed in, and the
    // user's sessions without a sid signed in before the logout.
    record(Some("u1"), Some("s1"), 1_000).await;
    assert!(ended("u1", Some("s1"), 1_500).await, "by sid");
    assert!(!ended("u1", Some("s2"), 500).await, "another sid");
    assert!(ended("u1", None, 500).await, "no sid, before");
    assert!(!ended("u1", None, 1_001).await, "no sid, after");

    // sub without sid: every session of the user signed in up to then.
    record(Some("u2"), None, 1_000).await;
    assert!(ended("u2", Some("x"), 999).await);
    assert!(
        ended("u2", None, 1_000).await,
        "signed in at the logout time"
    );
    assert!(!ended("u2", None, 1_001).await);
    assert!(!ended("u3", None, 0).await, "another user");
    let other_issuer = format!("{issuer}/other");
    let other = session(&other_issuer, "u2", None, base);
    assert!(
        !registry.is_logged_out(other).await.expect("checked"),
        "another issuer's user"
    );

    // A sid alone ends only that provider session.
    record(None, Some("s3"), 1_000).await;
    assert!(!ended("w", None, 900).await);
    assert!(ended("w", Some("s3"), 50_000).await);

    // An older logout arriving later does not shorten a newer one.
    record(Some("u4"), None, 5_000).await;
    record(Some("u4"), None, 2_000).await;
    assert!(ended("u4", None, 4_000).await, "the later time wins");
    assert!(!ended("u4", None, 5_001).await);
}

fn session<'a>(
    issuer: &'a str,
    sub: &'a str,
    sid: Option<&'a str>,
    signed_in_at_ms: i64,
) -> SessionInfo<'a> {
    SessionInfo::new(issuer, sub, sid, signed_in_at_ms)
}
