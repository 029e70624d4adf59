use super::*;
use tower_sessions::cookie::time::{Duration, OffsetDateTime};

fn record(expires_in: Duration) -> Record {
    let mut data = std::collections::HashMap::new();
    data.insert("token".to_owned(), serde_json::json!("secret-token-value"));
    Record {
        id: Id::default(),
        data,
        expiry_date: OffsetDateTime::now_utc() + expires_in,
    }
}

#[tokio::test]
async fn expired_sessions_are_removed_from_memory() {
    let store = MemoryStore::new(100);
    let mut short = record(Duration::milliseconds(300));
    let mut long = record(Duration::hours(1));
    store.create(&mut short).await.unwrap();
    store.create(&mut long).await.unwrap();
    assert_eq!(store.len(), 2);
    // Nobody asks for it again: it must still leave memory (moka's timer
    // wheel turns in steps of about a second).
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(store.len(), 1);
    assert_eq!(store.load(&short.id).await.unwrap(), None);
    assert!(store.load(&long.id).await.unwrap().is_some());
}

#[tokio::test]
async fn a_saved_session_expires_at_its_new_date() {
    let store = MemoryStore::new(100);
    let mut r = record(Duration::hours(1));
    store.create(&mut r).await.unwrap();
    r.expiry_date = OffsetDateTime::now_utc() - Duration::seconds(1);
    store.save(&r).await.unwrap();
    assert_eq!(store.load(&r.id).await.unwrap(), None);
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn the_number_of_sessions_is_bounded() {
    let store = MemoryStore::new(10);
    for _ in 0..50 {
        store.create(&mut record(Duration::hours(1))).await.unwrap();
    }
    assert!(store.len() <= 10, "{}", store.len());
}

#[tokio::test]
async fn debug_shows_no_session_data() {
    let store = MemoryStore::new(10);
    store.create(&mut record(Duration::hours(1))).await.unwrap();
    let shown = format!("{store:?}");
    assert!(!shown.contains("secret-token-value"), "{shown}");
}
