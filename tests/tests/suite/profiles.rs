//! First contact with real providers' shapes: the dev provider imitating
//! Google, Microsoft Entra ID, Auth0, Keycloak and Apple, and providers that
//! publish only Basic or no method list. Each signs in with the
//! configuration the README's "Provider recipes" gives, and nothing more.

use oidc_core::{
    AuthMethod, Client, DiscoveryError, IdTokenError, IssuerPolicy, Login, Redirected,
    ResponseMode, SigningAlgorithm, TokenError, UserInfoPolicy,
};
use oidc_core::{ClaimsError, JwsError};
use oidc_dev_provider::{Profile, SigningAlg};
use tests::browser::Browser;
use tests::dev_login::{Delivered, UserAction, authorize};
use tests::fixture::{Fixture, FixtureBuilder, USER, round_trip, sign_in};

const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// The recipe's application at a dev provider.
fn recipe_app() -> FixtureBuilder {
    Fixture::builder("recipe-app", "recipe-secret", REDIRECT_URI)
}

async fn provider(profile: Profile) -> Fixture {
    recipe_app().provider(|p| p.profile(profile)).start().await
}

async fn redirect_and_sign_in(client: &Client) -> (Login<Redirected>, Delivered) {
    round_trip(&Browser::new(), client.login(), UserAction::SignIn(USER)).await
}

/// Google: no response modes listed, a schemeless `iss` in ID tokens.
#[tokio::test]
async fn google_with_its_issuer_policy() {
    let provider = provider(Profile::Google).await;
    let client = Client::discover(provider.config().issuer_policy(IssuerPolicy::Google))
        .await
        .expect("discovery");
    // Both methods listed: the guide's post is preferred.
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretPost);
    let login = sign_in(&client).await.expect("signed in");
    assert_eq!(login.id_token_claims().iss, provider.id_token_issuer());
    assert!(!login.id_token_claims().iss.starts_with("http"));
    assert_eq!(login.sub(), provider.sub_of(USER));
    assert_eq!(login.email(), Some("alice@example.com"));
    // No inline userinfo at Google: the claims came from UserInfo.
    assert!(provider.requests().iter().any(|r| r.path == "/userinfo"));

    // Without the policy the alias is refused, as OpenID Connect requires.
    let exact = Client::discover(provider.config())
        .await
        .expect("discovery");
    assert!(matches!(
        sign_in(&exact).await,
        Err(TokenError::IdToken(IdTokenError::Claims(
            ClaimsError::WrongIssuer { .. }
        )))
    ));
}

/// Entra multi-tenant: a templated issuer, `tid`, no PKCE methods listed.
#[tokio::test]
async fn entra_multi_tenant_with_its_issuer_policy() {
    let provider = provider(Profile::Entra).await;
    let client = Client::discover(
        provider
            .config()
            .issuer_policy(IssuerPolicy::EntraMultiTenant),
    )
    .await
    .expect("discovery");
    assert!(client.metadata().issuer.contains("{tenantid}"));
    assert!(client.metadata().code_challenge_methods_supported.is_none());
    let login = sign_in(&client).await.expect("signed in");
    let tid = provider.tenant_id().expect("Entra has a tenant");
    assert_eq!(
        login
            .id_token_claims()
            .raw
            .get("tid")
            .and_then(|v| v.as_str()),
        Some(tid)
    );
    assert_eq!(login.id_token_claims().iss, provider.id_token_issuer());
    assert!(login.id_token_claims().iss.contains(tid));

    // The exact policy cannot match a template: refused at start.
    assert!(matches!(
        Client::discover(provider.config()).await,
        Err(DiscoveryError::IssuerMismatch { .. })
    ));
}

/// Entra with a resource scope: the access token is for that API, so
/// UserInfo refuses it; `UserInfoPolicy::Never` takes the claims from the
/// ID token instead.
#[tokio::test]
async fn entra_with_a_resource_scope_does_not_call_userinfo() {
    let provider = provider(Profile::Entra).await;
    let recipe = || {
        provider
            .config()
            .issuer_policy(IssuerPolicy::EntraMultiTenant)
            .scopes(["openid", "email", "api://my-api/.default"])
    };
    let calls_userinfo = Client::discover(recipe()).await.expect("discovery");
    assert!(
        sign_in(&calls_userinfo).await.is_err(),
        "UserInfo refuses a token for another API"
    );

    let client = Client::discover(recipe().userinfo(UserInfoPolicy::Never))
        .await
        .expect("discovery");
    provider.clear_requests();
    let login = sign_in(&client).await.expect("signed in");
    assert_eq!(login.sub(), provider.sub_of(USER));
    assert!(!provider.requests().iter().any(|r| r.path == "/userinfo"));
}

/// Auth0: the issuer ends with `/`, and `audience` yields a JWT access token
/// for that API.
#[tokio::test]
async fn auth0_with_an_audience() {
    let provider = provider(Profile::Auth0).await;
    assert!(provider.issuer_str().ends_with('/'));
    let audience = "https://api.example.com";
    let client = Client::discover(provider.config().authorization_param("audience", audience))
        .await
        .expect("discovery");
    // Auth0 lists HS256 too; only asymmetric algorithms are accepted.
    assert_eq!(
        client.allowed_algorithms(),
        [SigningAlgorithm::RS256, SigningAlgorithm::PS256]
    );
    let (login, delivered) = redirect_and_sign_in(&client).await;
    let login = login.receive(delivered.callback().unwrap()).unwrap();
    let login = login.exchange().await.expect("signed in");
    assert_eq!(login.email(), Some("alice@example.com"));

    // The access token is a JWT for the API (its payload read unverified:
    // the API verifies it, see the api tests).
    let access_token = login.tokens().access_token.secret();
    let payload = access_token.split('.').nth(1).expect("a JWT access token");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert!(
        claims["aud"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == audience)),
        "{claims}"
    );
}

/// Keycloak: a realm path, endpoints under `protocol/openid-connect`, long
/// lists with HMAC and PKCE `plain` in them.
#[tokio::test]
async fn keycloak_as_it_is() {
    let provider = provider(Profile::Keycloak).await;
    assert!(provider.issuer_str().ends_with("/realms/dev"));
    let client = Client::discover(provider.config())
        .await
        .expect("discovery");
    assert!(
        client
            .metadata()
            .token_endpoint
            .path()
            .ends_with("/protocol/openid-connect/token")
    );
    assert!(!client.allowed_algorithms().is_empty());
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretPost);
    let login = sign_in(&client).await.expect("signed in");
    assert_eq!(login.sub(), provider.sub_of(USER));
    assert_eq!(login.email(), Some("alice@example.com"));
}

/// Sign in with Apple: `form_post`, `client_secret_post` only, no UserInfo,
/// the extra `user` field on the first sign-in, `email_verified` a string.
#[tokio::test]
async fn apple_with_form_post() {
    let provider = provider(Profile::Apple).await;
    let client = Client::discover(
        provider
            .config()
            .scopes(["openid", "email", "name"])
            .response_mode(ResponseMode::FormPost),
    )
    .await
    .expect("discovery");
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretPost);
    assert!(client.metadata().userinfo_endpoint.is_none());
    let (login, delivered) = redirect_and_sign_in(&client).await;
    assert!(
        delivered.params().iter().any(|(name, _)| name == "user"),
        "Apple's first sign-in carries `user`: {delivered:?}"
    );
    let login = login.receive(delivered.callback().unwrap()).unwrap();
    let login = login.exchange().await.expect("signed in");
    assert_eq!(login.email(), Some("alice@example.com"));
    assert_eq!(login.email_verified(), Some(true));
}

/// A provider whose metadata lists only `client_secret_basic`, and one that
/// lists no method at all (which means Basic): the client uses Basic.
#[tokio::test]
async fn basic_only_and_no_list_mean_basic() {
    for methods in [Some(vec!["client_secret_basic"]), None] {
        let provider = recipe_app()
            .provider(|p| p.token_endpoint_auth_methods_supported(methods.clone()))
            .start()
            .await;
        let client = Client::discover(provider.config())
            .await
            .expect("discovery");
        assert_eq!(
            client.auth_method(),
            AuthMethod::ClientSecretBasic,
            "{methods:?}"
        );
        let login = sign_in(&client).await.expect("signed in");
        assert_eq!(login.sub(), provider.sub_of(USER));
        // Insisting on post where only Basic is listed is named at start.
        if methods.is_some() {
            assert!(matches!(
                Client::discover(provider.config().auth_method(AuthMethod::ClientSecretPost)).await,
                Err(DiscoveryError::Unsupported { .. })
            ));
        }
    }
}

/// ES256-signed ID tokens with no algorithm configured; `plain`-only PKCE
/// metadata does not stop the client (S256 is sent).
#[tokio::test]
async fn es256_and_plain_only_pkce_metadata() {
    let provider = recipe_app()
        .client(|c| c.id_token_alg(SigningAlg::ES256))
        .provider(|p| p.code_challenge_methods_supported(Some(vec!["plain"])))
        .start()
        .await;
    let client = Client::discover(provider.config())
        .await
        .expect("discovery");
    assert!(
        client
            .allowed_algorithms()
            .contains(&SigningAlgorithm::ES256)
    );
    let (request, _) = client.login().redirect().unwrap();
    assert!(
        request
            .url()
            .query_pairs()
            .any(|(k, v)| k == "code_challenge_method" && v == "S256")
    );
    let login = sign_in(&client).await.expect("an ES256 ID token verifies");
    assert_eq!(login.sub(), provider.sub_of(USER));

    // An explicit list still overrides what the provider advertises.
    let pinned = Client::discover(
        provider
            .config()
            .allowed_algorithms([SigningAlgorithm::RS256]),
    )
    .await
    .unwrap();
    assert!(matches!(
        sign_in(&pinned).await,
        Err(TokenError::IdToken(IdTokenError::Jws(JwsError::AlgorithmNotAllowed(alg)))) if alg == "ES256"
    ));
}

fn asks_to_create(request: &oidc_core::AuthorizationRequest) -> bool {
    request
        .url()
        .query_pairs()
        .any(|(k, v)| k == "prompt" && v == "create")
}

/// `prompt=create` is sent when the provider publishes no prompt list (the
/// guide's provider documents it without necessarily listing it), refused
/// when a published list lacks it, and the per-client override wins.
#[tokio::test]
async fn prompt_create_follows_the_published_list() {
    use oidc_core::{AuthorizeError, Prompt, PromptCreate};
    use oidc_dev_provider::{Edit, Fault};

    // Google publishes no prompt_values_supported: sent, and the provider
    // shows its create-account page.
    let google = provider(Profile::Google).await;
    let client = Client::discover(google.config().issuer_policy(IssuerPolicy::Google))
        .await
        .unwrap();
    assert_eq!(client.metadata().prompt_values_supported, None);
    let (request, _) = client.login().prompt(Prompt::Create).redirect().unwrap();
    assert!(asks_to_create(&request));
    let (_, page) = authorize(
        &Browser::new(),
        request.url(),
        REDIRECT_URI,
        UserAction::Create("new@example.com"),
    )
    .await
    .expect("the create-account page");
    assert!(page.contains("#create-form").unwrap());

    // A published list without `create`: refused, naming the list.
    let guide = provider(Profile::Guide).await;
    guide.inject(Fault::discovery(Edit::set(
        "prompt_values_supported",
        serde_json::json!(["none", "login"]),
    )));
    let client = Client::discover(guide.config()).await.unwrap();
    match client.login().prompt(Prompt::Create).redirect() {
        Err(AuthorizeError::PromptNotSupported { prompt, advertised }) => {
            assert_eq!(prompt, "create");
            assert_eq!(advertised, "none, login");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    // The override: the application knows better than the list.
    let client = Client::discover(guide.config().prompt_create(PromptCreate::Supported))
        .await
        .unwrap();
    let (request, _) = client.login().prompt(Prompt::Create).redirect().unwrap();
    assert!(asks_to_create(&request));
    // And the other way: never sent, even where it is advertised.
    guide.clear_faults();
    let client = Client::discover(guide.config().prompt_create(PromptCreate::Unsupported))
        .await
        .unwrap();
    assert!(client.metadata().supports_prompt(Prompt::Create));
    assert!(matches!(
        client.login().prompt(Prompt::Create).redirect(),
        Err(AuthorizeError::PromptNotSupported { .. })
    ));
}
