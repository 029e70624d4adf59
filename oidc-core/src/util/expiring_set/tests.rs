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
fn a_full_set_drops_the_expired_first() {
    let set = ExpiringSet::with_capacity(2);
    assert!(set.insert(&[b"a"], 100, 0));
    assert!(set.insert(&[b"b"], 200, 0));
    // Full, but `a` has expired: it goes, and nothing live is evicted.
    assert_eq!(set.check_and_insert(&[b"c"], 300, 150), Insert::Fresh);
    assert_eq!(set.len(), 2);
    assert_eq!(set.check_and_insert(&[b"b"], 200, 150), Insert::Seen);
    assert_eq!(
        set.check_and_insert(&[b"a"], 400, 150),
        Insert::Fresh,
        "an expired value is no replay"
    );
}

#[test]
fn an_evicted_value_is_never_accepted_again() {
    let set = ExpiringSet::with_capacity(2);
    assert!(set.insert(&[b"a"], 100, 0));
    assert!(set.insert(&[b"b"], 200, 0));
    // Full of live values: `a`, expiring first, is evicted for `c`.
    assert_eq!(set.check_and_insert(&[b"c"], 300, 0), Insert::Fresh);
    assert_eq!(set.len(), 2);
    // Its replay (same value, same expiry) cannot be told from a new one:
    // refused, not silently accepted.
    assert_eq!(set.check_and_insert(&[b"a"], 100, 0), Insert::Unverifiable);
    assert!(!set.insert(&[b"a"], 100, 0));
    assert_eq!(set.check_and_insert(&[b"c"], 300, 0), Insert::Seen);
    // A value expiring later than anything evicted is still accepted.
    assert_eq!(set.check_and_insert(&[b"d"], 301, 0), Insert::Fresh);
}

#[test]
fn a_full_set_evicts_in_batches() {
    // One O(n) pass must make room for many inserts: evicting one entry
    // per insert would scan the whole set on every insert.
    const CAPACITY: usize = 4096;
    let set = ExpiringSet::with_capacity(CAPACITY);
    for i in 0..CAPACITY as u32 {
        assert!(set.insert(&[&value(i)], NOW + 600 + i64::from(i), NOW));
    }
    assert_eq!(set.len(), CAPACITY);
    assert!(set.insert(&[b"one more"], NOW + 10_000, NOW));
    let batch = CAPACITY / 8;
    assert_eq!(set.len(), CAPACITY - batch + 1);
    // The soonest-expiring went; the rest are still refused as seen.
    assert_eq!(
        set.check_and_insert(&[&value(0)], NOW + 600, NOW),
        Insert::Unverifiable
    );
    let last = CAPACITY as u32 - 1;
    assert_eq!(
        set.check_and_insert(&[&value(last)], NOW + 600 + i64::from(last), NOW),
        Insert::Seen
    );
    // The next `batch - 1` inserts need no pass at all.
    let sweep_at = set.sweep_at();
    for i in 0..(batch - 1) as u32 {
        assert!(set.insert(&[b"later", &value(i)], NOW + 20_000, NOW));
    }
    assert_eq!(set.len(), CAPACITY);
    assert_eq!(set.sweep_at(), sweep_at);
}

#[test]
fn a_flood_keeps_the_set_bounded() {
    let set = ExpiringSet::with_capacity(1000);
    for i in 0..10_000u32 {
        assert!(set.insert(&[&value(i)], NOW + 600 + i64::from(i), NOW));
        assert!(set.len() <= 1000);
    }
}
