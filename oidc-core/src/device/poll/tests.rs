//! The polling rules with paused Tokio time: every wait is exact, no test
//! waits for real.

use super::*;
use crate::provider::token_endpoint::TokenSet;
use crate::secret::AccessToken;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

fn tokens() -> TokenResponse {
    TokenResponse {
        tokens: TokenSet {
            access_token: AccessToken::new("at"),
            token_type: "Bearer".into(),
            expires_at: None,
            refresh_token: None,
            scope: None,
            id_token: None,
        },
        userinfo: None,
    }
}

fn oauth(error: &str) -> Result<TokenResponse, TokenError> {
    Err(TokenError::Provider {
        error: error.into(),
        description: Some(format!("{error} said the provider")),
        uri: None,
        status: 400,
    })
}

fn timeout() -> Result<TokenResponse, TokenError> {
    Err(TokenError::Transport(TransportError::Timeout {
        url: "https://op.example/token".into(),
        timeout: Duration::from_secs(10),
    }))
}

/// Runs a poll whose requests answer `script` in order, and returns the
/// result with the seconds (since the start) at which each request was
/// made.
async fn script(
    interval: Option<u64>,
    expires_in: u64,
    answers: Vec<Result<TokenResponse, TokenError>>,
) -> (Result<TokenResponse, DeviceError>, Vec<u64>) {
    let start = Instant::now();
    let answers = Arc::new(Mutex::new(VecDeque::from(answers)));
    let times = Arc::new(Mutex::new(Vec::new()));
    let poller = Poller::new(
        interval.map(Duration::from_secs),
        start + Duration::from_secs(expires_in),
    );
    let result = run(poller, || {
        times
            .lock()
            .unwrap()
            .push((Instant::now() - start).as_secs());
        let answer = answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| oauth("authorization_pending"));
        async move { answer }
    })
    .await;
    let times = times.lock().unwrap().clone();
    (result, times)
}

#[tokio::test(start_paused = true)]
async fn waits_the_interval_before_every_request_until_approved() {
    let (result, times) = script(
        Some(2),
        600,
        vec![
            oauth("authorization_pending"),
            oauth("authorization_pending"),
            Ok(tokens()),
        ],
    )
    .await;
    assert!(result.is_ok());
    assert_eq!(times, [2, 4, 6]);
}

#[tokio::test(start_paused = true)]
async fn without_an_interval_the_default_five_seconds_apply() {
    let (result, times) = script(
        None,
        600,
        vec![oauth("authorization_pending"), Ok(tokens())],
    )
    .await;
    assert!(result.is_ok());
    assert_eq!(times, [5, 10]);
}

#[tokio::test(start_paused = true)]
async fn an_interval_of_zero_still_waits_a_second() {
    let (_, times) = script(
        Some(0),
        600,
        vec![oauth("authorization_pending"), Ok(tokens())],
    )
    .await;
    assert_eq!(times, [1, 2]);
}

#[tokio::test(start_paused = true)]
async fn slow_down_adds_five_seconds_for_every_later_request() {
    let (result, times) = script(
        Some(1),
        600,
        vec![
            oauth("slow_down"),
            oauth("authorization_pending"),
            oauth("slow_down"),
            oauth("authorization_pending"),
            Ok(tokens()),
        ],
    )
    .await;
    assert!(result.is_ok());
    // 1, then +6, +6, then +11, +11.
    assert_eq!(times, [1, 7, 13, 24, 35]);
}

#[tokio::test(start_paused = true)]
async fn access_denied_ends_with_its_own_error() {
    let (result, times) = script(
        Some(1),
        600,
        vec![oauth("authorization_pending"), oauth("access_denied")],
    )
    .await;
    let error = result.unwrap_err();
    assert!(
        matches!(&error, DeviceError::AccessDenied { description: Some(d) } if d.contains("access_denied")),
        "{error:?}"
    );
    assert_eq!(error.check_name(), "device.access_denied");
    assert_eq!(times, [1, 2]);
}

#[tokio::test(start_paused = true)]
async fn expired_token_ends_with_expired() {
    let (result, _) = script(Some(1), 600, vec![oauth("expired_token")]).await;
    let error = result.unwrap_err();
    assert!(matches!(error, DeviceError::Expired), "{error:?}");
    assert_eq!(error.check_name(), "device.expired");
}

#[tokio::test(start_paused = true)]
async fn the_local_expiry_ends_polling_without_asking_after_it() {
    // Polls at 3, 6, 9; a poll at 12 would come after the expiry at 10.
    let (result, times) = script(Some(3), 10, vec![]).await;
    assert!(matches!(result, Err(DeviceError::Expired)), "{result:?}");
    assert_eq!(times, [3, 6, 9]);
}

#[tokio::test(start_paused = true)]
async fn other_oauth_errors_end_polling_typed() {
    for code in ["invalid_grant", "invalid_client", "unauthorized_client"] {
        let (result, times) = script(Some(1), 600, vec![oauth(code)]).await;
        let error = result.unwrap_err();
        assert!(
            matches!(&error, DeviceError::Token(TokenError::Provider { error, .. }) if error == code),
            "{error:?}"
        );
        assert_eq!(times, [1]);
    }
}

#[tokio::test(start_paused = true)]
async fn timeouts_are_retried_a_bounded_number_of_times_doubling_the_interval() {
    let (result, times) = script(Some(1), 600, vec![timeout(), timeout(), Ok(tokens())]).await;
    assert!(result.is_ok());
    assert_eq!(times, [1, 3, 7]);

    let (result, times) = script(
        Some(1),
        600,
        vec![timeout(), timeout(), timeout(), timeout()],
    )
    .await;
    let error = result.unwrap_err();
    assert_eq!(error.check_name(), "transport.timeout");
    assert_eq!(times.len(), 1 + MAX_TRANSIENT_RETRIES as usize);
}

#[tokio::test(start_paused = true)]
async fn other_transport_errors_are_not_retried() {
    let status = Err(TokenError::Transport(TransportError::Status {
        url: "https://op.example/token".into(),
        status: 500,
    }));
    let (result, times) = script(Some(1), 600, vec![status]).await;
    assert_eq!(result.unwrap_err().check_name(), "transport.status");
    assert_eq!(times, [1]);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_poll_stops_it() {
    let requests = Arc::new(Mutex::new(0));
    let counted = requests.clone();
    let poller = Poller::new(
        Some(Duration::from_secs(1)),
        Instant::now() + Duration::from_secs(600),
    );
    let poll = run(poller, move || {
        *counted.lock().unwrap() += 1;
        async { oauth("authorization_pending") }
    });
    let cancelled = tokio::time::timeout(Duration::from_millis(3500), poll).await;
    assert!(cancelled.is_err(), "still polling when dropped");
    assert_eq!(*requests.lock().unwrap(), 3);
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(*requests.lock().unwrap(), 3, "no request after the drop");
}
