//! Device sign-in (RFC 8628) against the dev provider: the user (played by
//! the test browser or the provider's `testing` helper) approves or denies
//! at `/device`; the SDK polls, honours `slow_down`, stops when dropped,
//! and returns a login verified like the code flow's. Also the
//! `device_login` example as a process, and the flow against oidc-provider.

use oidc_core::device::DeviceAuthorization;
use oidc_core::{AuthMethod, Client, ClientConfig, DeviceError};
use oidc_dev_provider::testing::{DeviceDecision, browser_client, decide_device};
use oidc_dev_provider::{DevClient, DevProvider, DevProviderBuilder};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;
use tests::browser::Browser;
use tests::processes::{binary, example, free_port};

const USER: &str = "alice@example.com";
const CLIENT_ID: &str = "tv";
const UNUSED_REDIRECT: &str = "http://127.0.0.1/unused";

/// A dev provider with the public client `tv`, polled every second.
async fn provider(change: impl FnOnce(DevProviderBuilder) -> DevProviderBuilder) -> DevProvider {
    change(
        DevProvider::builder()
            .client(DevClient::public(CLIENT_ID).redirect_uri(UNUSED_REDIRECT))
            .device_poll_interval(Duration::from_secs(1)),
    )
    .start()
    .await
    .expect("the dev provider starts")
}

async fn client(provider: &DevProvider) -> Client {
    Client::discover(
        ClientConfig::for_issuer(provider.issuer_str())
            .client_id(CLIENT_ID)
            .redirect_uri(UNUSED_REDIRECT)
            .auth_method(AuthMethod::None),
    )
    .await
    .expect("discovery")
}

async fn start(provider: &DevProvider) -> DeviceAuthorization {
    client(provider)
        .await
        .device_login()
        .start()
        .await
        .expect("device authorization")
}

/// The user decides with the `testing` helper.
async fn decide(authorization: &DeviceAuthorization, decision: DeviceDecision) -> String {
    decide_device(
        &browser_client().unwrap(),
        authorization.verification_uri(),
        authorization.user_code(),
        USER,
        decision,
    )
    .await
    .expect("the user decides")
}

/// Waits (without a deadline of its own) until the provider has answered
/// `n` device polls.
async fn answered(provider: &DevProvider, n: usize) {
    while provider.device_poll_answers().len() < n {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_gives_verified_tokens_and_the_users_claims() {
    let provider = provider(|p| p).await;
    let authorization = start(&provider).await;
    assert_eq!(authorization.interval(), Duration::from_secs(1));
    let code = authorization.user_code();
    assert!(
        code.len() == 9 && code.as_bytes()[4] == b'-',
        "short user code: {code}"
    );
    let shown = format!("{authorization:?}");
    assert!(
        !shown.contains(authorization.device_code().secret()),
        "{shown}"
    );

    // The user, in a browser: the complete URL has the code filled in.
    let browser = Browser::new();
    let complete = authorization
        .verification_uri_complete()
        .expect("complete URI");
    let page = browser.get(complete).await.unwrap();
    let form = page.form("#device-form").unwrap();
    assert_eq!(form.get("user_code"), Some(code));
    let page = browser
        .submit(&form.set("user_code", code.to_lowercase().replace('-', "")))
        .await
        .unwrap();
    let form = page.form_with_input("email").unwrap().set("email", USER);
    let page = browser.submit(&form).await.unwrap();
    assert_eq!(page.texts("#user-code").unwrap(), [code]);
    let page = browser
        .submit(&page.form("#approve-form").unwrap())
        .await
        .unwrap();
    assert!(page.contains("#device-result").unwrap(), "{}", page.body());

    let login = authorization.poll().await.expect("signed in");
    let alice = provider
        .users()
        .into_iter()
        .find(|u| u.email == USER)
        .unwrap();
    assert_eq!(login.sub(), alice.sub);
    assert_eq!(login.email(), Some(USER));
    assert_eq!(
        login.id_token_claims().nonce,
        None,
        "no nonce in the device flow"
    );
    assert!(
        login.tokens().refresh_token.is_some(),
        "the dev provider issues one"
    );
    assert_eq!(provider.device_poll_answers().last(), Some(&"ok"));

    // The device code is single use.
    let (body, status) = token_request(&provider, authorization.device_code().secret()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant", "{body}");

    // The same API as a website's login afterwards.
    let refreshed = login.refresh().await.expect("refresh");
    assert_eq!(refreshed.sub(), alice.sub);
}

/// A raw device code poll, as a device would send it.
async fn token_request(provider: &DevProvider, device_code: &str) -> (serde_json::Value, u16) {
    let response = reqwest::Client::new()
        .post(format!("{}/token", provider.issuer_str()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
                .append_pair("device_code", device_code)
                .append_pair("client_id", CLIENT_ID)
                .finish(),
        )
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let body = response.text().await.unwrap();
    (serde_json::from_str(&body).unwrap(), status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denial_ends_with_access_denied() {
    let provider = provider(|p| p).await;
    let authorization = start(&provider).await;
    let (poll, shown) = tokio::join!(
        authorization.poll(),
        decide(&authorization, DeviceDecision::Deny)
    );
    assert!(shown.contains("not signed in"), "{shown}");
    let error = poll.unwrap_err();
    assert!(
        matches!(error, DeviceError::AccessDenied { .. }),
        "{error:?}"
    );
    assert_eq!(
        oidc_core::Error::from(error).check_name(),
        "device.access_denied"
    );
    assert_eq!(
        provider.device_poll_answers().last(),
        Some(&"access_denied")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unapproved_code_expires() {
    let provider = provider(|p| p.device_code_ttl(Duration::from_secs(3))).await;
    let authorization = start(&provider).await;
    let error = authorization.poll().await.unwrap_err();
    assert!(matches!(error, DeviceError::Expired), "{error:?}");
    assert!(
        provider
            .device_poll_answers()
            .iter()
            .all(|a| *a == "authorization_pending"),
        "{:?}",
        provider.device_poll_answers()
    );
    // The provider agrees once the lifetime has passed.
    answered(&provider, 1).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (body, _) = token_request(&provider, authorization.device_code().secret()).await;
    assert_eq!(body["error"], "expired_token", "{body}");
}

/// The provider asks for 3 s between polls while advertising 1 s: the SDK
/// gets one `slow_down` and then polls 6 s apart, so it never gets another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_down_is_honoured() {
    let provider = provider(|p| p.device_slow_down_below(Duration::from_secs(3))).await;
    let authorization = start(&provider).await;
    let (code, verification) = (
        authorization.user_code().to_owned(),
        authorization.verification_uri().clone(),
    );
    provider.clear_requests();
    let poll = tokio::spawn(async move { authorization.poll().await.map(|l| l.sub().to_owned()) });
    answered(&provider, 2).await;
    assert_eq!(
        provider.device_poll_answers(),
        ["authorization_pending", "slow_down"]
    );
    // The user approves after the slow_down: the next poll gets the tokens.
    decide_device(
        &browser_client().unwrap(),
        &verification,
        &code,
        USER,
        DeviceDecision::Approve,
    )
    .await
    .unwrap();
    poll.await.unwrap().expect("signed in");
    assert_eq!(
        provider.device_poll_answers(),
        ["authorization_pending", "slow_down", "ok"]
    );
    let polls = provider
        .requests()
        .iter()
        .filter(|r| r.path == "/token")
        .count();
    assert_eq!(polls, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_poll_stops_polling() {
    let provider = provider(|p| p).await;
    let authorization = start(&provider).await;
    let cancelled = tokio::time::timeout(Duration::from_millis(2500), authorization.poll()).await;
    assert!(cancelled.is_err(), "still polling when dropped");
    let polls = provider.device_poll_answers().len();
    assert!(polls >= 1, "it polled before the drop");
    // Well past the interval: nothing more arrives.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(provider.device_poll_answers().len(), polls);
    // The authorization is still usable: the user approves, a new poll signs in.
    decide(&authorization, DeviceDecision::Approve).await;
    let login = authorization
        .poll()
        .await
        .expect("signed in after a cancelled poll");
    assert_eq!(login.email(), Some(USER));
}

#[tokio::test]
async fn a_provider_without_device_sign_in_is_a_typed_error() {
    let provider = provider(|p| p.device_authorization_endpoint(false)).await;
    let client = client(&provider).await;
    assert!(!client.supports_device_login());
    let error = client.device_login().start().await.unwrap_err();
    assert!(matches!(error, DeviceError::Unsupported), "{error:?}");
}

/// `examples/device_login` as its header documents it: the dev provider
/// binary with a public client `tv`, the example printing the URL and the
/// code, the user approving, the example printing who signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_login_example_signs_in_when_the_user_approves() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let _provider = tests::processes::start(
        &binary("oidc-dev-provider", "oidc-dev-provider"),
        &[
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--client",
            "tv::http://127.0.0.1/unused",
        ],
        &[],
        "issuer:",
    );
    let mut child = Command::new(example("device_login"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DEVICE_ISSUER", &issuer)
        .env("DEVICE_CLIENT_ID", CLIENT_ID)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example starts");
    let (lines, receiver) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let next = |wanted: &str| loop {
        let line = receiver
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no line with {wanted:?}"));
        if line.contains(wanted) {
            return line;
        }
    };
    let prompt = next("To sign in, open");
    let words: Vec<&str> = prompt.split_whitespace().collect();
    let url = words[words.iter().position(|w| *w == "open").unwrap() + 1];
    let code = words[words.iter().position(|w| *w == "code").unwrap() + 1];
    assert!(prompt.contains("?user_code="), "{prompt}");
    oidc_dev_provider::testing::approve_device(
        &browser_client().unwrap(),
        &url.parse().unwrap(),
        code,
        USER,
    )
    .await
    .expect("the user approves");
    let done = next("signed in:");
    assert!(done.contains("email=alice@example.com"), "{done}");
    assert!(child.wait().expect("the example exits").success());
}

/// oidc-provider's device client: public, the device grant and refresh.
const INTEROP_DEVICE_CLIENT: &str = r#"[{"client_id":"client-device","token_endpoint_auth_method":"none","grant_types":["urn:ietf:params:oauth:grant-type:device_code","refresh_token"],"response_types":[],"redirect_uris":[]}]"#;

/// The user at oidc-provider: the user code page, the confirmation page
/// (continue if `approve`, else abort), then the login and consent
/// interactions.
async fn oidc_provider_user(
    op: &tests::interop_provider::OidcProvider,
    authorization: &DeviceAuthorization,
    email: &str,
    approve: bool,
) {
    let fail = |what: String| -> ! { panic!("{what}\nprovider log:\n{}", op.log()) };
    let browser = Browser::new();
    let page = browser
        .get(authorization.verification_uri())
        .await
        .unwrap_or_else(|e| fail(e.to_string()));
    let form = page
        .form_with_input("user_code")
        .unwrap_or_else(|e| fail(e.to_string()))
        .set("user_code", authorization.user_code());
    let mut page = browser
        .submit(&form)
        .await
        .unwrap_or_else(|e| fail(e.to_string()));
    for _ in 0..10 {
        page = browser
            .follow_redirects(page, |_| false)
            .await
            .unwrap_or_else(|e| fail(e.to_string()));
        // oidc-provider confirms the code first, then signs the user in.
        let form = if let Ok(form) = page.form_with_input("confirm") {
            if approve {
                form
            } else {
                form.remove("confirm").set("abort", "yes")
            }
        } else if let Ok(form) = page.form_with_input("prompt") {
            match form.get("prompt").unwrap_or_default() {
                "login" => form.set("login", email).set("password", "irrelevant"),
                _ => form,
            }
        } else {
            // The last page: success, or the abort acknowledged.
            assert!(page.status().is_success(), "{}", page.body());
            return;
        };
        page = browser
            .submit(&form)
            .await
            .unwrap_or_else(|e| fail(e.to_string()));
    }
    fail(format!("no last page after 10 pages: {}", page.body()))
}

async fn interop_client(op: &tests::interop_provider::OidcProvider) -> Client {
    Client::discover(
        ClientConfig::for_issuer(op.issuer())
            .client_id("client-device")
            .redirect_uri(UNUSED_REDIRECT)
            .auth_method(AuthMethod::None),
    )
    .await
    .expect("discovery")
}

/// Against oidc-provider: the user approves, the SDK polls until then and
/// verifies the tokens; refresh works; an aborted confirmation is
/// `access_denied`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn interop_device_sign_in_with_oidc_provider() {
    let op = tests::interop_provider::OidcProvider::start_with_extra_clients(
        &[UNUSED_REDIRECT],
        INTEROP_DEVICE_CLIENT,
    );
    let client = interop_client(&op).await;
    assert!(client.supports_device_login());

    let authorization = client
        .device_login()
        .scopes(["openid", "email"])
        .start()
        .await
        .unwrap_or_else(|e| panic!("device authorization: {e}\n{}", op.log()));
    let (login, ()) = tokio::join!(
        authorization.poll(),
        oidc_provider_user(&op, &authorization, "carol@example.com", true)
    );
    let login = login.unwrap_or_else(|e| panic!("device login: {e}\n{}", op.log()));
    assert_eq!(login.email(), Some("carol@example.com"));
    assert_eq!(login.sub().len(), 32, "the fixture's sub is 32 hex digits");
    assert_eq!(login.id_token_claims().nonce, None);
    assert_eq!(login.id_token_claims().aud, ["client-device"]);
    let refreshed = login.refresh().await.expect("refresh");
    assert_eq!(refreshed.email(), Some("carol@example.com"));

    let authorization = client.device_login().start().await.expect("second start");
    let (denied, ()) = tokio::join!(
        authorization.poll(),
        oidc_provider_user(&op, &authorization, "carol@example.com", false)
    );
    let error = denied.unwrap_err();
    assert!(
        matches!(error, DeviceError::AccessDenied { .. }),
        "{error:?}"
    );
}
