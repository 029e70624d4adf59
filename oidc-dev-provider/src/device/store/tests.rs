use super::*;

fn store_with(code: &str) -> (DeviceStore, String) {
    let mut store = DeviceStore::default();
    let user_code = store.insert(
        code,
        DeviceEntry::new("tv", "openid email".into(), Duration::from_secs(60)),
    );
    (store, user_code)
}

fn key(store: &DeviceStore, user_code: &str) -> String {
    match store.lookup_user_code(user_code, Instant::now()) {
        Lookup::Pending { key, .. } => key,
        Lookup::Unknown => panic!("{user_code} not found"),
    }
}

const SEC: Duration = Duration::from_secs(1);

#[test]
fn user_codes_are_short_unambiguous_and_typed_loosely() {
    let (store, code) = store_with("dc");
    assert_eq!(code.len(), 9, "{code}");
    assert_eq!(&code[4..5], "-");
    assert!(
        code.bytes()
            .filter(|b| *b != b'-')
            .all(|b| USER_CODE_ALPHABET.contains(&b))
    );
    let loose = code.replace('-', " ").to_lowercase();
    assert!(matches!(
        store.lookup_user_code(&loose, Instant::now()),
        Lookup::Pending { client_id, scope, .. } if client_id == "tv" && scope == "openid email"
    ));
    assert_eq!(
        store.lookup_user_code("BCDF-GHJK-X", Instant::now()),
        Lookup::Unknown
    );
    assert_eq!(store.lookup_user_code("", Instant::now()), Lookup::Unknown);
}

#[test]
fn polls_follow_the_users_decision_then_the_code_is_spent() {
    let (mut store, code) = store_with("dc");
    let t0 = Instant::now();
    let answer = |store: &mut DeviceStore, at| match store.poll("dc", "tv", SEC, at) {
        PollAnswer::Approved { .. } => "ok",
        PollAnswer::Refused(e, _) => e,
    };
    assert_eq!(answer(&mut store, t0), "authorization_pending");
    let key = key(&store, &code);
    let (decision, shown) = store.signed_in(&key, "sub-1", 100, t0).unwrap();
    assert_eq!(shown, code);
    assert_eq!(answer(&mut store, t0 + 2 * SEC), "authorization_pending");
    assert!(matches!(
        store.decide(&decision, true, t0),
        Some(Status::Approved { .. })
    ));
    assert_eq!(store.decide(&decision, true, t0), None, "single use");
    assert!(matches!(
        store.poll("dc", "tv", SEC, t0 + 4 * SEC),
        PollAnswer::Approved { sub, auth_time: 100, .. } if sub == "sub-1"
    ));
    assert_eq!(answer(&mut store, t0 + 6 * SEC), "invalid_grant");
    assert_eq!(
        store.answers(),
        [
            "authorization_pending",
            "authorization_pending",
            "ok",
            "invalid_grant"
        ]
    );
}

#[test]
fn polling_faster_than_the_interval_is_slow_down() {
    let (mut store, _) = store_with("dc");
    let t0 = Instant::now();
    store.poll("dc", "tv", 2 * SEC, t0);
    assert!(matches!(
        store.poll("dc", "tv", 2 * SEC, t0 + SEC),
        PollAnswer::Refused("slow_down", _)
    ));
    assert!(matches!(
        store.poll("dc", "tv", 2 * SEC, t0 + 3 * SEC),
        PollAnswer::Refused("authorization_pending", _)
    ));
}

#[test]
fn denial_expiry_and_other_clients_are_refused() {
    let (mut store, code) = store_with("dc");
    let t0 = Instant::now();
    assert!(matches!(
        store.poll("dc", "other", SEC, t0),
        PollAnswer::Refused("invalid_grant", _)
    ));
    assert!(matches!(
        store.poll("nope", "tv", SEC, t0),
        PollAnswer::Refused("invalid_grant", _)
    ));
    store.deny(&key(&store, &code));
    assert!(matches!(
        store.poll("dc", "tv", SEC, t0),
        PollAnswer::Refused("access_denied", _)
    ));
    assert_eq!(store.lookup_user_code(&code, t0), Lookup::Unknown);
    assert!(matches!(
        store.poll("dc", "tv", SEC, t0 + 61 * SEC),
        PollAnswer::Refused("expired_token", _)
    ));
}
