//! Logout end to end, with the axum glue served on loopback and the dev
//! provider: RP-initiated logout through `POST /logout`, and back-channel
//! logout tokens POSTed by the provider to the glue's endpoint.

use crate::support::glue;

use oidc_dev_provider::{DevProvider, Edit, Fault, TokenKind};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tests::browser::Browser;
use tests::logout_capture::capture_server;

#[tokio::test]
async fn rp_initiated_logout_ends_both_sessions_and_comes_back() {
    let app = glue::start(glue::Setup::default()).await;
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    let me = app.me(&browser).await.expect("signed in");

    let logout = browser
        .post_form(app.url("/logout"), Vec::<(String, String)>::new())
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER, "{}", logout.body());
    let location = logout.location().unwrap();
    assert_eq!(
        format!(
            "{}{}",
            location.origin().ascii_serialization(),
            location.path()
        ),
        format!("{}/logout", app.provider.issuer_str()),
        "the provider's end_session_endpoint"
    );
    let params: HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], glue::CLIENT_ID);
    assert_eq!(params["id_token_hint"], me.id_token);
    assert_eq!(
        params["post_logout_redirect_uri"],
        app.post_logout_redirect_uri
    );
    // The local session is already gone.
    assert_eq!(app.me(&browser).await, None);

    // The provider ends its session and sends the browser back.
    let back = browser.follow(&logout).await.unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "{}", back.body());
    assert_eq!(
        back.location().unwrap().as_str(),
        app.post_logout_redirect_uri
    );
    let landing = browser.follow(&back).await.unwrap();
    assert_eq!(landing.body(), "signed out");
    assert_eq!(app.me(&browser).await, None);
}

#[tokio::test]
async fn rp_initiated_logout_reaches_the_users_other_sessions_by_back_channel() {
    let app = glue::start(glue::Setup::default()).await;
    let laptop = Browser::new();
    let phone = Browser::new();
    app.sign_in(&laptop, "alice@example.com").await;
    app.sign_in(&phone, "alice@example.com").await;
    let on_phone = app.me(&phone).await.expect("signed in on the phone");
    assert_ne!(on_phone.sid, app.me(&laptop).await.unwrap().sid);

    // Signing out on the laptop ends alice's provider sessions; the provider
    // tells the app over the back channel, which ends the phone's session.
    let logout = laptop
        .post_form(app.url("/logout"), Vec::<(String, String)>::new())
        .await
        .unwrap();
    let back = laptop.follow(&logout).await.unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "{}", back.body());
    assert_eq!(app.me(&phone).await, None);
}

#[tokio::test]
async fn back_channel_logout_ends_only_the_named_users_sessions() {
    let app = glue::start(glue::Setup::default()).await;
    app.provider.add_user("bob@example.com");
    let alice = Browser::new();
    let bob = Browser::new();
    app.sign_in(&alice, "alice@example.com").await;
    app.sign_in(&bob, "bob@example.com").await;

    app.provider
        .backchannel_logout(&app.sub_of("alice@example.com"))
        .await;
    assert_eq!(app.me(&alice).await, None, "alice's session ended");
    assert!(app.me(&bob).await.is_some(), "bob is still signed in");

    // Signing in again afterwards is a new session, not ended.
    app.sign_in(&alice, "alice@example.com").await;
    assert!(app.me(&alice).await.is_some());
}

struct Posted {
    status: StatusCode,
    cache_control: Option<String>,
    body: serde_json::Value,
}

async fn post_logout_token(app: &glue::GlueApp, body: &str) -> Posted {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(app.url("/backchannel-logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    Posted {
        status: response.status(),
        cache_control: response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: serde_json::from_str(&response.text().await.unwrap()).unwrap_or_default(),
    }
}

fn form(token: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", token)
        .finish()
}

#[tokio::test]
async fn the_endpoint_verifies_each_logout_token_once() {
    // The provider delivers alice's logout token to a capture server; the
    // test then plays the provider towards the app.
    let (capture_url, captured) = capture_server().await;
    let app = glue::start(glue::Setup {
        provider: DevProvider::builder(),
        backchannel_logout_uri: Some(capture_url),
    })
    .await;
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    let me = app.me(&browser).await.expect("signed in");
    app.provider.backchannel_logout(&me.sub).await;
    let token = captured
        .lock()
        .unwrap()
        .pop()
        .expect("a logout token was sent");
    // Not delivered yet: still signed in (the refresh is not needed yet).
    assert!(app.me(&browser).await.is_some());

    let accepted = post_logout_token(&app, &form(&token)).await;
    assert_eq!(accepted.status, StatusCode::OK);
    assert_eq!(accepted.cache_control.as_deref(), Some("no-store"));
    assert_eq!(app.me(&browser).await, None, "the session ended");

    // The same token again: a replay.
    let replayed = post_logout_token(&app, &form(&token)).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    assert_eq!(replayed.cache_control.as_deref(), Some("no-store"));
    assert_eq!(replayed.body["error"], "invalid_request");
    assert_eq!(
        replayed.body["error_description"],
        "this logout token (jti) was already used"
    );
}

#[tokio::test]
async fn the_endpoint_refuses_what_is_not_a_logout_token() {
    let app = glue::start(glue::Setup::default()).await;
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    let me = app.me(&browser).await.expect("signed in");

    let cases = [
        (String::new(), "logout_token is missing"),
        (
            form("not-a-jwt"),
            "not a compact JWS: expected three dot-separated parts",
        ),
        // An ID token (typ JWT) is not a logout token.
        (
            form(&me.id_token),
            "the token's typ is `JWT`, not logout+jwt",
        ),
        // Nor is an access token.
        (
            form(&me.access_token),
            "the token's typ is `at+jwt`, not logout+jwt",
        ),
        (
            format!("{}&{}", form("a.b.c"), form("a.b.c")),
            "logout_token is repeated",
        ),
    ];
    for (body, description) in cases {
        let refused = post_logout_token(&app, &body).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(refused.cache_control.as_deref(), Some("no-store"));
        assert_eq!(refused.body["error"], "invalid_request", "{body}");
        assert_eq!(refused.body["error_description"], description, "{body}");
    }
    // None of that ended the session.
    assert!(app.me(&browser).await.is_some());

    // A JSON body instead of a form.
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(app.url("/backchannel-logout"))
        .header("content-type", "application/json")
        .body(r#"{"logout_token":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn end_session_url_carries_the_hint_and_state_back() {
    // Without the glue: the typestate flow, then Client::end_session_url.
    use oidc_core::ResponseMode;
    use tests::dev_login::UserAction;
    use tests::fixture::{Fixture, USER, round_trip};
    let back_to = "http://127.0.0.1:9/logout-test/bye";
    let provider = Fixture::builder(
        "plain",
        "plain-secret",
        "http://127.0.0.1:9/logout-test/callback",
    )
    .client(|c| c.post_logout_redirect_uri(back_to))
    .start()
    .await;
    let client = provider
        .discover(|c| c.response_mode(ResponseMode::Query))
        .await;
    // The browser that signs in is the one sent to the end-session URL.
    let browser = Browser::new();
    let (login, delivered) = round_trip(&browser, client.login(), UserAction::SignIn(USER)).await;
    let login = login
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap();

    let url = client
        .end_session_url(
            login.tokens().id_token.as_ref(),
            Some(back_to),
            Some("opaque-state"),
        )
        .expect("the dev provider has an end_session_endpoint");
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], "plain");
    assert_eq!(
        params["id_token_hint"],
        login.tokens().id_token.as_ref().unwrap().secret()
    );
    let back = browser.get(url.as_str()).await.unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER, "{}", back.body());
    assert_eq!(
        back.location().unwrap().as_str(),
        format!("{back_to}?state=opaque-state")
    );
    // The provider ended the grant: the refresh token no longer works.
    assert!(login.refresh().await.is_err());
}

/// The app, with the provider's logout tokens going to a capture server
/// (the test delivers them), and `edits` applied to every logout token.
async fn capturing_app(edits: &[Edit]) -> (glue::GlueApp, Arc<Mutex<Vec<String>>>) {
    let (capture_url, captured) = capture_server().await;
    let app = glue::start(glue::Setup {
        provider: DevProvider::builder(),
        backchannel_logout_uri: Some(capture_url),
    })
    .await;
    for edit in edits {
        app.provider.inject(Fault::Claim {
            token: TokenKind::LogoutToken,
            edit: edit.clone(),
        });
    }
    (app, captured)
}

/// Issue 13 item 7: `exp` is required (errata set 1 of Back-Channel
/// Logout 1.0); a token without it is refused and ends nothing.
#[tokio::test]
async fn a_logout_token_without_exp_is_refused() {
    let (app, captured) = capturing_app(&[Edit::remove("exp")]).await;
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    let me = app.me(&browser).await.expect("signed in");
    app.provider.backchannel_logout(&me.sub).await;
    let token = captured.lock().unwrap().pop().expect("a logout token");

    let refused = post_logout_token(&app, &form(&token)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.body["error_description"],
        "the required claim `exp` is missing"
    );
    assert!(app.me(&browser).await.is_some(), "nothing ended");
}

/// Issue 13 item 7: a logout takes effect at the token's `iat`, not when
/// it arrives: a session the user signed in to after logging out survives
/// the token delivered late (here a `sub`-only token, which ends every
/// session of the user signed in before it).
#[tokio::test]
async fn a_late_logout_token_spares_the_session_signed_in_after_the_logout() {
    let (app, captured) = capturing_app(&[Edit::remove("sid")]).await;
    let laptop = Browser::new();
    let phone = Browser::new();
    app.sign_in(&laptop, "alice@example.com").await;
    let sub = app.me(&laptop).await.expect("signed in on the laptop").sub;
    app.provider.backchannel_logout(&sub).await;
    let token = captured.lock().unwrap().pop().expect("a logout token");

    // `iat` counts whole seconds: sign in again in a later one.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.sign_in(&phone, "alice@example.com").await;
    assert!(app.me(&phone).await.is_some());

    let accepted = post_logout_token(&app, &form(&token)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    assert_eq!(app.me(&laptop).await, None, "signed in before: ended");
    assert!(
        app.me(&phone).await.is_some(),
        "signed in after the logout: kept"
    );
}

/// Issue 13 item 7: a token naming both `sid` and `sub` also ends the
/// user's sessions that recorded no `sid` (the ID token at sign-in had
/// none), as they cannot be matched by `sid`.
#[tokio::test]
async fn a_logout_naming_sid_and_sub_ends_a_session_without_sid() {
    let app = glue::start(glue::Setup::default()).await;
    app.provider.inject(Fault::id_claim(Edit::remove("sid")));
    let browser = Browser::new();
    app.sign_in(&browser, "alice@example.com").await;
    let me = app.me(&browser).await.expect("signed in");
    assert_eq!(me.sid, "", "the session has no sid");
    app.provider.clear_faults();

    // The provider's token names its session (sid) and alice (sub).
    app.provider.backchannel_logout(&me.sub).await;
    assert_eq!(app.me(&browser).await, None, "the session ended");
}
