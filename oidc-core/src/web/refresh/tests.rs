use super::{Failure, PAUSE_AFTER_FAILURE, RefreshLocks};
use crate::error::{IdTokenError, JwsError, TokenError, TransportError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_sessions::session::Id;

fn provider_error(error: &str, status: u16) -> TokenError {
    TokenError::Provider {
        error: error.into(),
        description: None,
        uri: None,
        status,
    }
}

#[test]
fn only_a_gone_grant_or_refused_tokens_sign_out() {
    assert_eq!(
        Failure::of(&provider_error("invalid_grant", 400)),
        Failure::GrantGone
    );
    assert_eq!(
        Failure::of(&TokenError::IdToken(IdTokenError::RefreshChanged("sub"))),
        Failure::Refused
    );
    assert_eq!(
        Failure::of(&TokenError::IdToken(IdTokenError::Jws(
            JwsError::BadSignature
        ))),
        Failure::Refused
    );
    assert_eq!(
        Failure::of(&TokenError::SubjectMismatch {
            source_name: "userinfo",
            expected: "a".into(),
            found: "b".into(),
        }),
        Failure::Refused
    );
    let transient = [
        TokenError::Transport(TransportError::Timeout {
            url: "https://op.example/token".into(),
            timeout: Duration::from_secs(10),
        }),
        TokenError::Transport(TransportError::Connect {
            url: "https://op.example/token".into(),
            reason: "connection refused".into(),
        }),
        provider_error("temporarily_unavailable", 503),
        provider_error("server_error", 500),
        // The client's own configuration, not the user's grant.
        provider_error("invalid_client", 401),
        TokenError::InvalidResponse("HTTP status 502 without an OAuth error body".into()),
        TokenError::IdToken(IdTokenError::Jws(JwsError::KeysUnavailable(
            "timeout".into(),
        ))),
    ];
    for error in transient {
        assert_eq!(Failure::of(&error), Failure::Transient, "{error}");
    }
}

#[tokio::test]
async fn one_turn_per_session_at_a_time_and_no_entry_left_behind() {
    let locks = Arc::new(RefreshLocks::default());
    let (one, two) = (Id::default(), Id::default());
    let first = locks.lock(one).await;
    // Another session is not held up.
    let other = tokio::time::timeout(Duration::from_secs(1), locks.lock(two))
        .await
        .expect("another session's turn is free");
    assert_eq!(locks.len(), 2);
    drop(other);
    // The same session waits for the first turn.
    let waiter = {
        let locks = Arc::clone(&locks);
        tokio::spawn(async move {
            let _turn = locks.lock(one).await;
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!waiter.is_finished(), "the second turn waits for the first");
    drop(first);
    waiter.await.unwrap();
    assert_eq!(locks.len(), 0, "entries go with their last user");
}

#[tokio::test]
async fn a_request_dropped_while_waiting_leaves_no_entry() {
    let locks = Arc::new(RefreshLocks::default());
    let id = Id::default();
    let first = locks.lock(id).await;
    let gave_up = tokio::time::timeout(Duration::from_millis(20), locks.lock(id)).await;
    assert!(gave_up.is_err());
    drop(first);
    assert_eq!(locks.len(), 0);
}

#[test]
fn a_transient_failure_pauses_refreshes_for_a_while() {
    let locks = RefreshLocks::default();
    let now = Instant::now();
    assert!(!locks.paused(now));
    locks.pause(now);
    assert!(locks.paused(now));
    assert!(locks.paused(now + PAUSE_AFTER_FAILURE - Duration::from_millis(1)));
    assert!(!locks.paused(now + PAUSE_AFTER_FAILURE));
    // An answer from the provider ends the pause at once.
    locks.pause(now);
    locks.resume();
    assert!(!locks.paused(now));
}

#[tokio::test]
async fn giving_up_on_the_shared_lock_spares_the_queue_but_not_the_next_burst() {
    let locks = Arc::new(RefreshLocks::default());
    let id = Id::default();
    let first = locks.lock(id).await;
    assert!(!first.others_gave_up());
    let queued = {
        let locks = Arc::clone(&locks);
        tokio::spawn(async move { locks.lock(id).await.others_gave_up() })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    first.give_up();
    drop(first);
    assert!(
        queued.await.unwrap(),
        "a request queued behind it answers at once"
    );
    // Once the session's requests are done, the next one tries again.
    assert!(!locks.lock(id).await.others_gave_up());
}
