use super::*;

const ISS: &str = "https://op.example";

fn session<'a>(sub: &'a str, sid: Option<&'a str>, signed_in_at_ms: i64) -> SessionInfo<'a> {
    SessionInfo {
        issuer: ISS,
        sub,
        sid,
        signed_in_at_ms,
    }
}

#[test]
fn the_registry_ends_sessions_by_sid_or_by_sub_before_the_logout() {
    let registry = MemoryLogoutRegistry::default();
    let logout = |sub: Option<&str>, sid: Option<&str>, at_ms| LoggedOut {
        issuer: ISS.into(),
        sub: sub.map(Into::into),
        sid: sid.map(Into::into),
        at_ms,
    };
    // sid: that provider session, whenever it signed in, and (with sub)
    // the user's sessions without a sid signed in before it.
    registry.record_now(logout(Some("u1"), Some("s1"), 1_000), 1_000);
    assert!(registry.check_now(session("u1", Some("s1"), 1_500), 2_000));
    assert!(!registry.check_now(session("u1", Some("s2"), 500), 2_000));
    assert!(registry.check_now(session("u1", None, 500), 2_000));
    // sub without sid: every session of the user signed in before it.
    registry.record_now(logout(Some("u2"), None, 1_000), 1_000);
    assert!(registry.check_now(session("u2", Some("x"), 999), 2_000));
    assert!(registry.check_now(session("u2", None, 1_000), 2_000));
    assert!(!registry.check_now(session("u2", None, 1_001), 2_000));
    assert!(!registry.check_now(session("u3", None, 0), 2_000));
    // Another issuer's logout is not ours.
    let other = SessionInfo {
        issuer: "https://other.example",
        ..session("u2", None, 0)
    };
    assert!(!registry.check_now(other, 2_000));
    assert_eq!(registry.len(), 3);
}

#[test]
fn the_registry_forgets_after_retention_and_is_bounded() {
    let registry = MemoryLogoutRegistry::new(Duration::from_secs(10)).capacity(2);
    let by_sub = |sub: &str, at_ms| LoggedOut {
        issuer: ISS.into(),
        sub: Some(sub.into()),
        sid: None,
        at_ms,
    };
    registry.record_now(by_sub("a", 0), 0);
    assert!(registry.check_now(session("a", None, 0), 10_000));
    assert!(!registry.check_now(session("a", None, 0), 10_001));
    registry.record_now(by_sub("b", 5_000), 5_000);
    // Full: "a" is past retention and goes first.
    registry.record_now(by_sub("c", 12_000), 12_000);
    assert_eq!(registry.len(), 2);
    // Full with fresh entries: the oldest ("b") goes.
    registry.record_now(by_sub("d", 13_000), 13_000);
    assert_eq!(registry.len(), 2);
    assert!(!registry.check_now(session("b", None, 0), 13_000));
    assert!(registry.check_now(session("c", None, 0), 13_000));
    assert!(registry.check_now(session("d", None, 0), 13_000));
}

fn by(sub: Option<&str>, sid: Option<&str>, at_ms: i64) -> LoggedOut {
    LoggedOut {
        issuer: ISS.into(),
        sub: sub.map(Into::into),
        sid: sid.map(Into::into),
        at_ms,
    }
}

fn token(sub: Option<&str>, sid: Option<&str>, iat: i64) -> LogoutToken {
    LogoutToken {
        iss: ISS.into(),
        aud: vec!["client-1".into()],
        iat,
        exp: iat + 120,
        jti: "jti-1".into(),
        sub: sub.map(Into::into),
        sid: sid.map(Into::into),
        raw: serde_json::Map::new(),
    }
}

/// Issue 13 item 7: the provider's logout happened by the end of the second
/// `iat` names, whenever the token arrives; an `iat` ahead of this
/// instance's clock (within the tolerance) counts as now.
#[test]
fn a_logout_takes_effect_at_the_tokens_iat_not_on_arrival() {
    let now_ms = 1_000_000_000;
    // Issued five minutes ago, delivered now (a retry, a slow queue).
    let late = LoggedOut::from_token_at(&token(Some("u"), None, 999_700), now_ms);
    assert_eq!(late.at_ms, 999_700_999);
    // Ahead of our clock: capped at now.
    let ahead = LoggedOut::from_token_at(&token(Some("u"), None, 1_000_030), now_ms);
    assert_eq!(ahead.at_ms, now_ms);

    let registry = MemoryLogoutRegistry::default();
    registry.record_now(late, now_ms);
    // Signed in before the logout, or during its second: ended.
    assert!(registry.check_now(session("u", None, 999_600_000), now_ms));
    assert!(registry.check_now(session("u", None, 999_700_500), now_ms));
    // Signed back in after it (before the token arrived): kept.
    assert!(!registry.check_now(session("u", None, 999_760_000), now_ms));
}

/// Issue 13 item 7: a token naming both `sid` and `sub` also ends the
/// user's sessions that recorded no `sid` (they cannot be matched by it),
/// signed in before the logout; sessions with another `sid` are kept.
#[test]
fn a_logout_naming_sid_and_sub_ends_the_users_sessions_without_sid() {
    let registry = MemoryLogoutRegistry::default();
    registry.record_now(by(Some("u"), Some("s1"), 1_000), 1_000);
    assert!(registry.check_now(session("u", Some("s1"), 2_000), 3_000));
    assert!(registry.check_now(session("u", None, 900), 3_000));
    assert!(!registry.check_now(session("u", None, 1_001), 3_000));
    assert!(!registry.check_now(session("u", Some("s2"), 900), 3_000));
    assert!(!registry.check_now(session("v", None, 900), 3_000));
    assert_eq!(registry.len(), 2);
    // A sid alone still ends only that provider session.
    registry.record_now(by(None, Some("s3"), 1_000), 1_000);
    assert!(!registry.check_now(session("w", None, 900), 3_000));
    assert_eq!(registry.len(), 3);
}

/// With times from `iat`, tokens can arrive out of order: an older logout
/// of the same user must not shorten a newer one.
#[test]
fn an_older_logout_arriving_later_does_not_shorten_a_newer_one() {
    let registry = MemoryLogoutRegistry::default();
    registry.record_now(by(Some("u"), None, 5_000), 6_000);
    registry.record_now(by(Some("u"), None, 2_000), 6_000);
    assert!(registry.check_now(session("u", None, 4_000), 6_000));
    assert_eq!(registry.len(), 1);
}

/// A logout naming `sid` and `sub` takes two entries: the bound holds.
#[test]
fn the_capacity_counts_both_entries_of_a_sid_and_sub_logout() {
    let registry = MemoryLogoutRegistry::default().capacity(2);
    registry.record_now(by(Some("a"), None, 1_000), 1_000);
    registry.record_now(by(Some("b"), Some("s"), 2_000), 2_000);
    assert_eq!(registry.len(), 2);
    assert!(!registry.check_now(session("a", None, 0), 3_000));
    assert!(registry.check_now(session("b", None, 0), 3_000));
}
