use super::*;

const NOW: i64 = 1_700_000_000;

fn value(i: u32) -> [u8; 4] {
    i.to_le_bytes()
}

#[test]
fn a_value_is_seen_once_until_it_expires() {
    let set = ExpiringSet::unbounded();
    assert!(set.insert(&[b"state-1"], NOW + 600, NOW));
    assert!(!set.insert(&[b"state-1"], NOW + 600, NOW), "seen before");
    assert!(
        !set.insert(&[b"state-1"], NOW + 600, NOW + 600),
        "until its expiry"
    );
    assert!(
        set.insert(&[b"state-1"], NOW + 1200, NOW + 601),
        "forgotten after"
    );
}

#[test]
fn parts_are_joined_unambiguously() {
    let set = ExpiringSet::unbounded();
    assert!(set.insert(&[b"https://op.example", b"jti"], NOW + 60, NOW));
    assert!(set.insert(&[b"https://op.example/", b"jti"], NOW + 60, NOW));
    assert!(set.insert(&[b"https://op.examplej", b"ti"], NOW + 60, NOW));
    assert!(!set.insert(&[b"https://op.example", b"jti"], NOW + 60, NOW));
}

#[test]
fn sweeps_are_amortized() {
    let set = ExpiringSet::unbounded();
    // Many live values: the sweep threshold grows with them instead of
    // scanning every entry on every insert.
    for i in 0..5000 {
        assert!(set.insert(&[&value(i)], NOW + 600, NOW));
    }
    assert!(set.sweep_at() >= set.len());
    assert!(set.sweep_at() <= 2 * 5000);
    // Expired entries go at the next sweep.
    let set = ExpiringSet::unbounded();
    for i in 0..ExpiringSet::MIN_SWEEP as u32 {
        set.insert(&[&value(i)], NOW - 1, NOW - 10);
    }
    assert!(set.insert(&[b"live"], NOW + 600, NOW));
    assert_eq!(set.len(), 1);
}

#[test]
fn a_full_set_drops_the_expired_then_the_soonest_expiring() {
    let set = ExpiringSet::with_capacity(2);
    assert!(set.insert(&[b"a"], 100, 0));
    assert!(set.insert(&[b"b"], 200, 0));
    // Full: `a` expires first, so it goes.
    assert!(set.insert(&[b"c"], 300, 0));
    assert_eq!(set.len(), 2);
    assert!(set.insert(&[b"a"], 100, 0), "a was dropped");
    assert!(!set.insert(&[b"c"], 300, 0), "c is kept");
}
