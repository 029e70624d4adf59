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
    // sid: that provider session only, whenever it signed in.
    registry.record_now(logout(Some("u1"), Some("s1"), 1_000), 1_000);
    assert!(registry.check_now(session("u1", Some("s1"), 500), 2_000));
    assert!(!registry.check_now(session("u1", Some("s2"), 500), 2_000));
    assert!(!registry.check_now(session("u1", None, 500), 2_000));
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
    assert_eq!(registry.len(), 2);
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
