//! The whole login through the typestate flow against the dev provider,
//! over real loopback HTTP, with the test playing the user's browser.

use oidc_core::{
    AuthMethod, CallbackError, Client, ClientConfig, PendingLoginError, Prompt, ResponseMode,
    SealingKey, TokenError,
};
use oidc_dev_provider::{ClientAuthMethod, DevClient};
use std::time::Duration;
use tests::browser::Browser;
use tests::dev_login::{Delivered, UserAction, authorize};
use tests::fixture::{Fixture, USER, round_trip};

const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// Two clients, one for each secret method.
async fn provider() -> Fixture {
    Fixture::builder("post-client", "post-secret", REDIRECT_URI)
        .client(|c| c.auth_methods([ClientAuthMethod::ClientSecretPost]))
        .provider(|p| {
            p.client(
                DevClient::confidential("basic-client", "basic-secret")
                    .redirect_uri(REDIRECT_URI)
                    .auth_methods([ClientAuthMethod::ClientSecretBasic]),
            )
        })
        .start()
        .await
}

fn config(provider: &Fixture, client: &str, mode: ResponseMode) -> ClientConfig {
    let (secret, method) = match client {
        "basic-client" => ("basic-secret", AuthMethod::ClientSecretBasic),
        _ => ("post-secret", AuthMethod::ClientSecretPost),
    };
    ClientConfig::for_issuer(provider.issuer_str())
        .client_id(client)
        .redirect_uri(REDIRECT_URI)
        .client_secret(secret)
        .auth_method(method)
        .response_mode(mode)
}

async fn client(provider: &Fixture, client: &str, mode: ResponseMode) -> Client {
    Client::discover(config(provider, client, mode))
        .await
        .expect("discovery succeeds")
}

/// Starts a login and signs the user in, in a fresh browser.
async fn signs_in(client: &Client) -> (oidc_core::Login<oidc_core::Redirected>, Delivered) {
    round_trip(&Browser::new(), client.login(), UserAction::SignIn(USER)).await
}

#[tokio::test]
async fn form_post_login_with_client_secret_post() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    let (login, delivered) = signs_in(&client).await;
    assert!(matches!(delivered, Delivered::FormPost(_)), "{delivered:?}");

    let login = login.receive(delivered.callback().unwrap()).unwrap();
    let login = login.exchange().await.unwrap();

    assert_eq!(login.sub(), provider.sub_of("alice@example.com"));
    assert_eq!(login.email(), Some("alice@example.com"));
    assert_eq!(login.email_verified(), Some(true));
    assert_eq!(login.id_token_claims().iss, provider.issuer_str());
    // The guide's inline userinfo was used: no UserInfo request.
    assert!(!provider.requests().iter().any(|r| r.path == "/userinfo"));
}

#[tokio::test]
async fn query_login_with_client_secret_basic() {
    let provider = provider().await;
    let client = client(&provider, "basic-client", ResponseMode::Query).await;
    let (login, delivered) = signs_in(&client).await;
    let Delivered::Query(url) = &delivered else {
        panic!("expected a query response, got {delivered:?}")
    };
    assert!(url.as_str().starts_with(REDIRECT_URI));
    let login = login.receive(delivered.callback().unwrap()).unwrap();
    let login = login.exchange().await.unwrap();
    assert_eq!(login.email(), Some("alice@example.com"));
}

#[tokio::test]
async fn auth_method_is_the_configured_one() {
    let provider = provider().await;
    // post-client only accepts client_secret_post: sending Basic must fail.
    let client = Client::discover(
        config(&provider, "post-client", ResponseMode::Query)
            .auth_method(AuthMethod::ClientSecretBasic),
    )
    .await
    .unwrap();
    let (login, delivered) = signs_in(&client).await;
    let error = login
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TokenError::Provider { error, status: 401, .. } if error == "invalid_client"),
        "{error:?}"
    );
}

#[tokio::test]
async fn wrong_client_secret_is_a_typed_error() {
    let provider = provider().await;
    let client = Client::discover(
        config(&provider, "post-client", ResponseMode::Query).client_secret("wrong"),
    )
    .await
    .unwrap();
    let (login, delivered) = signs_in(&client).await;
    let error = login
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TokenError::Provider { error, .. } if error == "invalid_client"),
        "{error:?}"
    );
}

#[tokio::test]
async fn create_account_with_prompt_create() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    let (request, login) = client.login().prompt(Prompt::Create).redirect().unwrap();
    assert!(
        request
            .url()
            .query_pairs()
            .any(|(k, v)| k == "prompt" && v == "create")
    );
    let (delivered, page) = authorize(
        &Browser::new(),
        request.url(),
        REDIRECT_URI,
        UserAction::Create("new.user@example.com"),
    )
    .await
    .unwrap();
    assert!(
        page.contains("#create-form").unwrap(),
        "the create-account page was shown"
    );
    let login = login
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap();
    assert_eq!(login.email(), Some("new.user@example.com"));
    assert_eq!(login.sub(), provider.sub_of("new.user@example.com"));
}

#[tokio::test]
async fn the_user_cancelling_is_access_denied() {
    let provider = provider().await;
    for mode in [ResponseMode::FormPost, ResponseMode::Query] {
        let client = client(&provider, "post-client", mode).await;
        let (login, delivered) =
            round_trip(&Browser::new(), client.login(), UserAction::Cancel).await;
        provider.clear_requests();
        let error = login.receive(delivered.callback().unwrap()).unwrap_err();
        assert!(
            matches!(&error, CallbackError::Provider { error, description: Some(_), .. } if error == "access_denied"),
            "{error:?}"
        );
        assert!(
            provider.requests().is_empty(),
            "no token request after an error response"
        );
    }
}

#[tokio::test]
async fn a_tampered_state_is_refused_before_any_token_request() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::Query).await;
    let (login, delivered) = signs_in(&client).await;
    let tampered: String = delivered
        .params()
        .into_iter()
        .map(|(k, v)| {
            if k == "state" {
                (k, format!("{v}x"))
            } else {
                (k, v)
            }
        })
        .map(|(k, v)| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    provider.clear_requests();
    let error = login
        .receive(oidc_core::Callback::from_query(&tampered).unwrap())
        .unwrap_err();
    assert_eq!(error, CallbackError::StateMismatch);
    assert!(provider.requests().is_empty());
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    let key = SealingKey::generate().unwrap();
    let (login, delivered) = signs_in(&client).await;
    let sealed = login.into_pending().seal(&key).unwrap();

    let first = client.resume_sealed(&sealed, &key).unwrap();
    let _signed_in = first
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap();

    // The same cookie and the same response again (a replay).
    let again = client.resume_sealed(&sealed, &key).unwrap();
    provider.clear_requests();
    assert_eq!(
        again.receive(delivered.callback().unwrap()).unwrap_err(),
        CallbackError::AlreadyUsed
    );
    assert!(provider.requests().is_empty());
}

#[tokio::test]
async fn a_code_used_twice_is_refused_by_the_provider() {
    let provider = provider().await;
    // Two instances of an application sharing the sealing key: the replay
    // cache is per instance, so the second one reaches the token endpoint,
    // where the code is single use.
    let first_instance = client(&provider, "post-client", ResponseMode::FormPost).await;
    let second_instance = client(&provider, "post-client", ResponseMode::FormPost).await;
    let key = SealingKey::generate().unwrap();
    let (login, delivered) = signs_in(&first_instance).await;
    let sealed = login.into_pending().seal(&key).unwrap();

    let login = first_instance.resume_sealed(&sealed, &key).unwrap();
    let _signed_in = login
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap();

    let login = second_instance.resume_sealed(&sealed, &key).unwrap();
    let error = login
        .receive(delivered.callback().unwrap())
        .unwrap()
        .exchange()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TokenError::Provider { error, .. } if error == "invalid_grant"),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_expired_pending_login_is_refused() {
    let provider = provider().await;
    let client = Client::discover(
        config(&provider, "post-client", ResponseMode::Query)
            .pending_login_ttl(Duration::from_secs(1)),
    )
    .await
    .unwrap();
    let key = SealingKey::generate().unwrap();
    let (_request, login) = client.login().redirect().unwrap();
    let sealed = login.into_pending().seal(&key).unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(matches!(
        client.resume_sealed(&sealed, &key),
        Err(PendingLoginError::Expired(_))
    ));
}

#[tokio::test]
async fn a_pending_login_only_opens_with_its_key() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::Query).await;
    let (_request, login) = client.login().redirect().unwrap();
    let sealed = login
        .into_pending()
        .seal(&SealingKey::generate().unwrap())
        .unwrap();
    let other = SealingKey::generate().unwrap();
    assert_eq!(
        client.resume_sealed(&sealed, &other).unwrap_err(),
        PendingLoginError::BadSeal
    );
}

#[tokio::test]
async fn a_response_by_the_wrong_mode_is_refused() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    let (login, delivered) = signs_in(&client).await;
    // The same parameters arriving in a query string instead of a POST body.
    let as_query = oidc_core::Callback::from_query(&delivered.raw()).unwrap();
    assert!(matches!(
        login.receive(as_query),
        Err(CallbackError::ResponseModeMismatch {
            expected: "form_post",
            received: "query"
        })
    ));
}

#[tokio::test]
async fn discovery_and_keys_are_fetched_once_per_client() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    for _ in 0..3 {
        let (login, delivered) = signs_in(&client).await;
        let _signed_in = login
            .receive(delivered.callback().unwrap())
            .unwrap()
            .exchange()
            .await
            .unwrap();
    }
    assert_eq!(provider.count("/.well-known/openid-configuration"), 1);
    assert_eq!(provider.count("/jwks"), 1);
    assert_eq!(provider.count("/token"), 3);
    assert_eq!(client.jwks_fetch_count(), 1);
}

#[tokio::test]
async fn the_authorization_request_carries_every_standard_parameter() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    let (request, _login) = client
        .login()
        .login_hint("alice@example.com")
        .param("ui_locales", "en")
        .redirect()
        .unwrap();
    let params: std::collections::HashMap<String, String> =
        request.url().query_pairs().into_owned().collect();
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], "post-client");
    assert_eq!(params["redirect_uri"], REDIRECT_URI);
    assert_eq!(params["scope"], "openid email");
    assert_eq!(params["response_mode"], "form_post");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["login_hint"], "alice@example.com");
    assert_eq!(params["ui_locales"], "en");
    for random in ["state", "nonce", "code_challenge"] {
        assert!(
            params[random].len() >= 43,
            "{random} carries at least 256 bits"
        );
    }
}

#[tokio::test]
async fn no_secret_reaches_debug_output() {
    let provider = provider().await;
    let client = client(&provider, "post-client", ResponseMode::FormPost).await;
    let key = SealingKey::generate().unwrap();
    let (request, login) = client.login().redirect().unwrap();
    let pending = login.into_pending();
    let sealed = pending.seal(&key).unwrap();
    let login = client.resume_sealed(&sealed, &key).unwrap();
    let (delivered, _) = authorize(
        &Browser::new(),
        request.url(),
        REDIRECT_URI,
        UserAction::SignIn("alice@example.com"),
    )
    .await
    .unwrap();
    let callback = delivered.callback().unwrap();
    let code = delivered
        .params()
        .into_iter()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1;
    let received = login.receive(callback.clone()).unwrap();
    let shown_before = format!("{received:?} {callback:?} {pending:?} {key:?} {client:?}");
    let login = received.exchange().await.unwrap();
    let tokens = login.tokens().clone();
    let shown = format!(
        "{shown_before} {login:?} {tokens:?} {:?} {:?}",
        login.user(),
        login.id_token_claims()
    );

    let secrets = [
        ("client secret", "post-secret".to_owned()),
        ("authorization code", code),
        ("state", pending.state().secret().to_owned()),
        ("access token", tokens.access_token.secret().to_owned()),
        (
            "refresh token",
            tokens.refresh_token.as_ref().unwrap().secret().to_owned(),
        ),
        (
            "ID token",
            tokens.id_token.as_ref().unwrap().secret().to_owned(),
        ),
    ];
    for (what, secret) in secrets {
        assert!(secret.len() >= 8, "{what} is a real value");
        assert!(
            !shown.contains(&secret),
            "the {what} appears in Debug output"
        );
    }
    assert!(shown.contains("<redacted>"));
}
