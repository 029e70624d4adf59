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

/// Everything shown so far, and the secrets it must not contain.
#[derive(Default)]
struct Shown {
    text: String,
}

impl Shown {
    /// Records `value`'s `Debug`.
    fn debug(&mut self, what: &str, value: &dyn std::fmt::Debug) {
        self.text += &format!("\n{what}: {value:?}");
    }

    /// Records `value`'s `Debug`, `{:#?}` and `Display`.
    fn both(&mut self, what: &str, value: &(impl std::fmt::Debug + std::fmt::Display)) {
        self.text += &format!("\n{what}: {value:?} {value:#?} {value}");
    }

    fn assert_free_of(&self, secrets: &[(&str, String)]) {
        for (what, secret) in secrets {
            assert!(secret.len() >= 8, "the {what} is a real value");
            if let Some(at) = self.text.find(secret.as_str()) {
                let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line = self.text[line_start..].lines().next().unwrap_or("");
                panic!("the {what} appears in formatted output: {line}");
            }
        }
    }
}

#[tokio::test]
async fn no_secret_reaches_debug_or_display_output() {
    // A real login, a refresh, the login's replay, a second use of its
    // code at another instance and a wrong key: every public value met on
    // the way is formatted, and none may show a secret.
    let provider = provider().await;
    let config = config(&provider, "post-client", ResponseMode::FormPost);
    let mut shown = Shown::default();
    shown.debug("ClientConfig", &config);
    let client = Client::discover(config.clone()).await.unwrap();
    let other_instance = Client::discover(config).await.unwrap();
    shown.debug("Client", &client);
    shown.debug("ProviderMetadata", client.metadata());
    let key = SealingKey::generate().unwrap();
    shown.debug("SealingKey", &key);

    let unstarted = client.login().login_hint(USER).app_data("/home");
    shown.debug("Login<Unstarted>", &unstarted);
    let (request, login) = unstarted.redirect().unwrap();
    shown.debug("AuthorizationRequest", &request);
    shown.debug("Login<Redirected>", &login);
    let param = |name: &str| {
        request
            .url()
            .query_pairs()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .into_owned()
    };
    let (state, nonce) = (param("state"), param("nonce"));
    let pending = login.into_pending();
    shown.debug("PendingLogin", &pending);
    let serialized = serde_json::to_value(&pending).unwrap();
    let verifier = serialized["pkce_verifier"].as_str().unwrap().to_owned();
    let sealed = pending.seal(&key).unwrap();

    let login = client.resume_sealed(&sealed, &key).unwrap();
    let (delivered, _) = authorize(
        &Browser::new(),
        request.url(),
        REDIRECT_URI,
        UserAction::SignIn(USER),
    )
    .await
    .unwrap();
    let callback = delivered.callback().unwrap();
    shown.debug("Callback", &callback);
    let code = delivered
        .params()
        .into_iter()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1;
    let received = login.receive(callback.clone()).unwrap();
    shown.debug("Login<CodeReceived>", &received);
    let exchange = received.exchange();
    shown.debug("Exchange", &exchange);
    let login = exchange.await.unwrap();
    shown.debug("Login<Authenticated>", &login);
    shown.debug("TokenSet", login.tokens());
    shown.debug("UserInfo", login.user());
    shown.debug("IdTokenClaims", login.id_token_claims());
    let tokens = login.tokens().clone();
    assert_eq!(
        login.id_token_claims().nonce.as_deref(),
        Some(nonce.as_str())
    );
    // Before the code is replayed below: that revokes the grant.
    let refreshed = client
        .refresh(&tokens, login.id_token_claims())
        .await
        .unwrap();
    shown.debug("Refreshed", &refreshed);

    // The errors of the same login, with their messages.
    let replay = client.resume_sealed(&sealed, &key).unwrap();
    let error = replay.receive(callback.clone()).unwrap_err();
    shown.both("CallbackError", &error);
    shown.both("Error", &oidc_core::Error::from(error));
    let error = other_instance
        .resume_sealed(&sealed, &key)
        .unwrap()
        .receive(callback)
        .unwrap()
        .exchange()
        .await
        .unwrap_err();
    assert!(matches!(error, TokenError::Provider { .. }), "{error:?}");
    shown.both("TokenError", &error);
    shown.both("Error", &oidc_core::Error::from(error));
    let error = client
        .resume_sealed(&sealed, &SealingKey::generate().unwrap())
        .unwrap_err();
    shown.both("PendingLoginError", &error);

    let refresh_token =
        |t: &oidc_core::TokenSet| t.refresh_token.as_ref().unwrap().secret().to_owned();
    let id_token = |t: &oidc_core::TokenSet| t.id_token.as_ref().unwrap().secret().to_owned();
    shown.assert_free_of(&[
        ("client secret", "post-secret".to_owned()),
        ("state", state),
        ("nonce", nonce),
        ("PKCE verifier", verifier),
        ("authorization code", code),
        ("sealed pending login (cookie value)", sealed),
        ("sealing key", key.to_base64()),
        ("access token", tokens.access_token.secret().to_owned()),
        ("refresh token", refresh_token(&tokens)),
        ("ID token", id_token(&tokens)),
        (
            "refreshed access token",
            refreshed.tokens.access_token.secret().to_owned(),
        ),
        ("refreshed refresh token", refresh_token(&refreshed.tokens)),
        ("refreshed ID token", id_token(&refreshed.tokens)),
    ]);
    assert!(shown.text.contains("<redacted>"));
}
