use super::*;

fn key(kind: ReplayKind, value: &str) -> ReplayKey {
    ReplayKey::new(kind, &[b"https://op.example", b"client", value.as_bytes()])
}

#[tokio::test]
async fn the_memory_store_accepts_a_value_once_until_it_expires() {
    let store = MemoryReplayStore::new(10);
    let until = unix_now() + 60;
    let state = key(ReplayKind::State, "s1");
    assert_eq!(store.first_use(&state, until).await, Ok(FirstUse::Yes));
    assert_eq!(store.first_use(&state, until).await, Ok(FirstUse::No));
    // The same value of another kind is another key.
    let jti = key(ReplayKind::LogoutJti, "s1");
    assert_eq!(store.first_use(&jti, until).await, Ok(FirstUse::Yes));
    // Expired values are forgotten.
    let old = key(ReplayKind::State, "old");
    assert_eq!(
        store.first_use(&old, unix_now() - 1).await,
        Ok(FirstUse::Yes)
    );
    assert_eq!(
        store.first_use(&old, unix_now() - 1).await,
        Ok(FirstUse::Yes)
    );
}

#[test]
fn a_replay_key_shows_a_digest_never_the_value() {
    let state = key(ReplayKind::State, "secret-state-value");
    let shown = format!("{state:?}");
    assert!(!shown.contains("secret-state-value"), "{shown}");
    assert_eq!(state.hex().len(), 64);
    assert_ne!(state, key(ReplayKind::State, "other"));
    assert_eq!(state.kind().as_str(), "state");
}
