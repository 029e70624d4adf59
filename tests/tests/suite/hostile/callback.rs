//! The authorization response (RFC 6749 4.1.2, RFC 9207, RFC 9700 4.5):
//! wrong, missing or duplicated `state`, `iss` and `code`; injected tokens;
//! the wrong response mode; forged errors; replays. No token request may
//! follow any of these.

use super::harness::{CLIENT_SECRET, Env, REDIRECT_URI};
use oidc_core::{
    Callback, CallbackError, Client, PendingLoginError, ResponseMode, SealingKey, TokenError,
};
use oidc_dev_provider::{AuthzFault, AuthzMode, DevClient, Edit, Fault};
use std::time::Duration;
use tests::dev_login::{Delivered, UserAction, authorize};

/// The delivered response with its parameters changed, as a form_post body.
fn with_params(
    delivered: &Delivered,
    change: impl FnOnce(&mut Vec<(String, String)>),
) -> Result<Callback, CallbackError> {
    let mut params = delivered.params();
    change(&mut params);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    Callback::from_form_post(body.as_bytes())
}

fn set(params: &mut [(String, String)], name: &str, value: &str) {
    for (n, v) in params.iter_mut() {
        if n == name {
            *v = value.to_owned();
        }
    }
}

fn value(delivered: &Delivered, name: &str) -> String {
    delivered
        .params()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The provider changes its authorization response; the SDK refuses it.
async fn provider_fault(what: &str, fault: AuthzFault) -> CallbackError {
    let env = Env::new().await;
    env.inject(Fault::authorization(fault));
    env.callback_error(what, |d| d.callback()).await
}

/// The response is changed on its way (by the test); the SDK refuses it.
async fn crafted(what: &str, change: impl FnOnce(&mut Vec<(String, String)>)) -> CallbackError {
    let env = Env::new().await;
    env.callback_error(what, |d| with_params(d, change)).await
}

// ---- state ----------------------------------------------------------------------------

#[tokio::test]
async fn state_forged_by_the_provider() {
    let e = provider_fault("state", AuthzFault::Param(Edit::set("state", "forged"))).await;
    assert_eq!(e, CallbackError::StateMismatch);
}

#[tokio::test]
async fn state_missing() {
    let e = provider_fault("no state", AuthzFault::Param(Edit::remove("state"))).await;
    assert_eq!(e, CallbackError::MissingState);
}

#[tokio::test]
async fn state_duplicated_with_another_value() {
    let e = provider_fault(
        "state twice",
        AuthzFault::Duplicate {
            name: "state".into(),
            value: "forged".into(),
        },
    )
    .await;
    assert_eq!(e, CallbackError::DuplicateParameter("state".into()));
}

#[tokio::test]
async fn state_duplicated_with_the_same_value() {
    let env = Env::new().await;
    let error = env
        .callback_error("state twice, same value", |d| {
            let state = value(d, "state");
            with_params(d, |p| p.push(("state".into(), state)))
        })
        .await;
    assert_eq!(error, CallbackError::DuplicateParameter("state".into()));
}

#[tokio::test]
async fn state_duplicated_under_a_percent_encoded_name() {
    let env = Env::new().await;
    let error = env
        .callback_error("sta%74e", |d| {
            let body = format!("{}&sta%74e=forged", d.raw());
            Callback::from_form_post(body.as_bytes())
        })
        .await;
    assert_eq!(error, CallbackError::DuplicateParameter("state".into()));
}

#[tokio::test]
async fn state_with_a_suffix() {
    let env = Env::new().await;
    let error = env
        .callback_error("state + x", |d| {
            let state = format!("{}x", value(d, "state"));
            with_params(d, |p| set(p, "state", &state))
        })
        .await;
    assert_eq!(error, CallbackError::StateMismatch);
}

#[tokio::test]
async fn state_truncated() {
    let env = Env::new().await;
    let error = env
        .callback_error("state[..-1]", |d| {
            let mut state = value(d, "state");
            state.pop();
            with_params(d, |p| set(p, "state", &state))
        })
        .await;
    assert_eq!(error, CallbackError::StateMismatch);
}

#[tokio::test]
async fn state_empty() {
    let e = crafted("state ''", |p| set(p, "state", "")).await;
    assert_eq!(e, CallbackError::StateMismatch);
}

#[tokio::test]
async fn state_of_another_login() {
    // Two logins in two tabs; the response of the first reaches the second.
    let env = Env::new().await;
    let (_first, first_delivered) = env.authorize().await;
    let (second, _) = env.authorize().await;
    env.clear();
    let callback = first_delivered.callback().expect("parses");
    let error = second.receive(callback).expect_err("crossed over");
    assert_eq!(error, CallbackError::StateMismatch);
    env.assert_no_request("crossed-over state");
}

// ---- iss (RFC 9207) ------------------------------------------------------------------------

#[tokio::test]
async fn iss_of_another_provider() {
    let e = provider_fault(
        "iss",
        AuthzFault::Param(Edit::set("iss", "https://attacker.example")),
    )
    .await;
    assert!(
        matches!(&e, CallbackError::IssuerMismatch { found, .. } if found == "https://attacker.example"),
        "{e:?}"
    );
}

#[tokio::test]
async fn iss_with_a_trailing_slash() {
    let env = Env::new().await;
    let error = env
        .callback_error("iss/", |d| {
            let iss = format!("{}/", value(d, "iss"));
            with_params(d, |p| set(p, "iss", &iss))
        })
        .await;
    assert!(
        matches!(error, CallbackError::IssuerMismatch { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn iss_missing_although_advertised() {
    let e = provider_fault("no iss", AuthzFault::Param(Edit::remove("iss"))).await;
    assert_eq!(e, CallbackError::MissingIssuer);
}

#[tokio::test]
async fn iss_duplicated() {
    let e = provider_fault(
        "iss twice",
        AuthzFault::Duplicate {
            name: "iss".into(),
            value: "https://attacker.example".into(),
        },
    )
    .await;
    assert_eq!(e, CallbackError::DuplicateParameter("iss".into()));
}

async fn without_iss_support() -> Env {
    let provider = super::harness::provider().await;
    provider.inject(Fault::discovery(Edit::set(
        "authorization_response_iss_parameter_supported",
        false,
    )));
    Env::on(provider, |c| c).await
}

#[tokio::test]
async fn iss_wrong_although_not_advertised() {
    let env = without_iss_support().await;
    env.inject(Fault::authorization(AuthzFault::Param(Edit::set(
        "iss",
        "https://attacker.example",
    ))));
    let error = env
        .callback_error("iss, not advertised", |d| d.callback())
        .await;
    assert!(
        matches!(error, CallbackError::IssuerMismatch { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn iss_absent_and_not_advertised_is_accepted() {
    let env = without_iss_support().await;
    env.inject(Fault::authorization(AuthzFault::Param(Edit::remove("iss"))));
    let (login, delivered) = env.authorize().await;
    let _code_received = login
        .receive(delivered.callback().expect("parses"))
        .expect("no iss is fine when the provider does not promise one");
}

// ---- code --------------------------------------------------------------------------------

#[tokio::test]
async fn code_missing() {
    let e = provider_fault("no code", AuthzFault::Param(Edit::remove("code"))).await;
    assert_eq!(e, CallbackError::MissingCode);
}

#[tokio::test]
async fn code_empty() {
    let e = provider_fault("code ''", AuthzFault::Param(Edit::set("code", ""))).await;
    assert_eq!(e, CallbackError::MissingCode);
}

#[tokio::test]
async fn code_duplicated() {
    let e = provider_fault(
        "code twice",
        AuthzFault::Duplicate {
            name: "code".into(),
            value: "attacker-code".into(),
        },
    )
    .await;
    assert_eq!(e, CallbackError::DuplicateParameter("code".into()));
}

#[tokio::test]
async fn code_of_another_login_is_stopped_by_pkce() {
    // Code injection: the attacker's code with the victim's state. The
    // callback is fine; PKCE makes the token endpoint refuse the code, and
    // nothing else is requested.
    let env = Env::new().await;
    let (victim, victim_delivered) = env.authorize().await;
    let (_attacker, attacker_delivered) = env.authorize().await;
    let code = value(&attacker_delivered, "code");
    let callback = with_params(&victim_delivered, |p| set(p, "code", &code)).expect("parses");
    let login = victim
        .receive(callback)
        .expect("state and iss are the victim's");
    let error = env.exchange_error_of(login, "injected code").await;
    assert!(
        matches!(&error, TokenError::Provider { error, status: 400, .. } if error == "invalid_grant"),
        "{error:?}"
    );
}

// ---- injected tokens ---------------------------------------------------------------------

async fn injected(name: &str) -> CallbackError {
    provider_fault(
        name,
        AuthzFault::Param(Edit::set(name, "eyJhbGciOiJub25lIn0.e30.")),
    )
    .await
}

#[tokio::test]
async fn injected_access_token() {
    assert_eq!(
        injected("access_token").await,
        CallbackError::UnexpectedParameter("access_token".into())
    );
}

#[tokio::test]
async fn injected_id_token() {
    assert_eq!(
        injected("id_token").await,
        CallbackError::UnexpectedParameter("id_token".into())
    );
}

#[tokio::test]
async fn injected_token_type() {
    assert_eq!(
        injected("token_type").await,
        CallbackError::UnexpectedParameter("token_type".into())
    );
}

#[tokio::test]
async fn injected_refresh_token() {
    assert_eq!(
        injected("refresh_token").await,
        CallbackError::UnexpectedParameter("refresh_token".into())
    );
}

#[tokio::test]
async fn injected_jarm_response() {
    // A JARM `response` JWT, which this client never requests.
    assert_eq!(
        injected("response").await,
        CallbackError::UnexpectedParameter("response".into())
    );
}

#[tokio::test]
async fn a_jarm_response_alone() {
    // Only `response` (the JARM shape), with the login's own `state` and
    // `iss` beside it so that nothing else could refuse it.
    let env = Env::new().await;
    let error = env
        .callback_error("JARM only", |d| {
            with_params(d, |p| {
                p.retain(|(name, _)| name != "code");
                p.push(("response".into(), "eyJhbGciOiJub25lIn0.e30.".into()));
            })
        })
        .await;
    assert_eq!(error, CallbackError::UnexpectedParameter("response".into()));
}

// ---- response mode -------------------------------------------------------------------------

#[tokio::test]
async fn query_response_to_a_form_post_login() {
    let e = provider_fault(
        "query instead of form_post",
        AuthzFault::Mode(AuthzMode::Query),
    )
    .await;
    assert_eq!(
        e,
        CallbackError::ResponseModeMismatch {
            expected: "form_post",
            received: "query"
        }
    );
}

#[tokio::test]
async fn form_post_response_to_a_query_login() {
    let env = Env::with(|c| c.response_mode(ResponseMode::Query)).await;
    env.inject(Fault::authorization(AuthzFault::Mode(AuthzMode::FormPost)));
    let error = env
        .callback_error("form_post instead of query", |d| d.callback())
        .await;
    assert_eq!(
        error,
        CallbackError::ResponseModeMismatch {
            expected: "query",
            received: "form_post"
        }
    );
}

// ---- error responses ----------------------------------------------------------------------

#[tokio::test]
async fn the_user_cancels() {
    let env = Env::new().await;
    let (request, login) = env.client.login().redirect().expect("starts");
    let (delivered, _) = authorize(
        &env.browser,
        request.url(),
        REDIRECT_URI,
        UserAction::Cancel,
    )
    .await
    .expect("cancel");
    env.clear();
    let error = login
        .receive(delivered.callback().expect("parses"))
        .expect_err("cancelled");
    assert!(
        matches!(&error, CallbackError::Provider { error, .. } if error == "access_denied"),
        "{error:?}"
    );
    env.assert_no_request("cancel");
}

#[tokio::test]
async fn an_error_response_with_a_forged_state() {
    // An unauthenticated error must not end someone else's login.
    let env = Env::new().await;
    let error = env
        .callback_error("forged error", |d| {
            let iss = value(d, "iss");
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("error", "access_denied")
                .append_pair("state", "forged")
                .append_pair("iss", &iss)
                .finish();
            Callback::from_form_post(body.as_bytes())
        })
        .await;
    assert_eq!(error, CallbackError::StateMismatch);
}

#[tokio::test]
async fn an_error_response_from_another_provider() {
    let env = Env::new().await;
    let error = env
        .callback_error("error, wrong iss", |d| {
            let state = value(d, "state");
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("error", "server_error")
                .append_pair("state", &state)
                .append_pair("iss", "https://attacker.example")
                .finish();
            Callback::from_form_post(body.as_bytes())
        })
        .await;
    assert!(
        matches!(error, CallbackError::IssuerMismatch { .. }),
        "{error:?}"
    );
}

// ---- replays, expiry, garbage ----------------------------------------------------------------

#[tokio::test]
async fn the_same_response_twice() {
    let env = Env::new().await;
    let key = SealingKey::generate().expect("key");
    let (login, delivered) = env.authorize().await;
    let sealed = login.into_pending().seal(&key).expect("seal");
    let first = env.client.resume_sealed(&sealed, &key).expect("resume");
    let _code_received = first
        .receive(delivered.callback().expect("parses"))
        .expect("first delivery");
    env.clear();
    let second = env
        .client
        .resume_sealed(&sealed, &key)
        .expect("resume again");
    let error = second
        .receive(delivered.callback().expect("parses"))
        .expect_err("replay");
    assert_eq!(error, CallbackError::AlreadyUsed);
    env.assert_no_request("replay");
}

#[tokio::test]
async fn a_response_after_the_login_expired() {
    let env = Env::with(|c| c.pending_login_ttl(Duration::from_secs(1))).await;
    let (login, delivered) = env.authorize().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    env.clear();
    let error = login
        .receive(delivered.callback().expect("parses"))
        .expect_err("expired");
    assert_eq!(error, CallbackError::LoginExpired);
    env.assert_no_request("expired");
}

#[tokio::test]
async fn an_oversized_response() {
    let env = Env::new().await;
    let error = env
        .callback_error("64 KiB", |d| {
            let body = format!("{}&padding={}", d.raw(), "a".repeat(64 * 1024));
            Callback::from_form_post(body.as_bytes())
        })
        .await;
    assert!(matches!(error, CallbackError::Malformed(_)), "{error:?}");
}

#[tokio::test]
async fn a_response_that_is_not_utf8() {
    let env = Env::new().await;
    let error = env
        .callback_error("bytes", |d| {
            let mut body = d.raw().into_bytes();
            body.extend_from_slice(b"&x=\xff\xfe");
            Callback::from_form_post(&body)
        })
        .await;
    assert!(matches!(error, CallbackError::Malformed(_)), "{error:?}");
}

// ---- the pending login -----------------------------------------------------------------------

#[tokio::test]
async fn a_tampered_pending_login_cookie() {
    let env = Env::new().await;
    let key = SealingKey::generate().expect("key");
    let (login, _) = env.authorize().await;
    let sealed = login.into_pending().seal(&key).expect("seal");
    let mut bytes = sealed.into_bytes();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).expect("ascii");
    env.clear();
    let error = env
        .client
        .resume_sealed(&tampered, &key)
        .expect_err("tampered");
    assert_eq!(error, PendingLoginError::BadSeal);
    env.assert_no_request("tampered cookie");
}

#[tokio::test]
async fn a_pending_login_sealed_with_another_key() {
    let env = Env::new().await;
    let (login, _) = env.authorize().await;
    let sealed = login
        .into_pending()
        .seal(&SealingKey::generate().expect("key"))
        .expect("seal");
    let error = env
        .client
        .resume_sealed(&sealed, &SealingKey::generate().expect("key"))
        .expect_err("other key");
    assert_eq!(error, PendingLoginError::BadSeal);
}

#[tokio::test]
async fn a_pending_login_of_another_client() {
    let env = Env::new().await;
    env.provider
        .register_client(
            DevClient::confidential("other-rp", CLIENT_SECRET).redirect_uri(REDIRECT_URI),
        )
        .expect("register");
    let other = Client::discover(
        oidc_core::ClientConfig::for_issuer(env.provider.issuer_str())
            .client_id("other-rp")
            .redirect_uri(REDIRECT_URI)
            .client_secret(CLIENT_SECRET),
    )
    .await
    .expect("discover");
    let (_, login) = other.login().redirect().expect("starts");
    let error = env
        .client
        .resume(login.into_pending())
        .expect_err("other client");
    assert_eq!(error, PendingLoginError::WrongClient);
}
