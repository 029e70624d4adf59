//! Interoperability with a certified OpenID Provider.
//!
//! Every test starts its own instance of panva's `oidc-provider` 9.13.3
//! (OpenID Certified) on loopback through `tests/interop/provider.mjs` (see
//! `tests/interop/README.md` for what it is configured to do), then logs in
//! through the SDK's typestate flow exactly as an application would:
//! `Client::discover` → `login().redirect()` → the user's browser →
//! `receive(Callback)` → `exchange()`.
//!
//! The test plays the browser ([`tests::browser::Browser`]: cookie jar,
//! redirects one by one, HTML forms), fills in the provider's sign-in,
//! create-account and consent pages, and stops at the application's redirect
//! URI: a query-mode response is taken from the redirect's `Location`, a
//! `form_post` response from the auto-submitting form's hidden fields,
//! urlencoded exactly as a browser would POST them. No application server
//! is needed, and nothing listens at the redirect URI.
//!
//! The tests need Node.js and the fixture's packages, so they are ignored by
//! a plain `cargo test`. Run them with:
//!
//! ```sh
//! npm ci --prefix tests/interop
//! cargo test -p tests --test suite interop:: -- --include-ignored
//! ```
//!
//! Set `INTEROP_VERBOSE=1` to see the provider's log, `NODE=/path/to/node`
//! to choose the Node.js binary.

use oidc_core::JwsError;
use oidc_core::{
    AuthMethod, CallbackError, Client, ClientConfig, DiscoveryError, IdTokenError, Prompt,
    ResponseMode, SealingKey, SigningAlgorithm, TokenError, UserInfoPolicy,
};
use std::collections::BTreeSet;
use std::time::Duration;
use tests::browser::Browser;
use tests::dev_login::Delivered;
use tests::interop_provider::OidcProvider;
use tests::interop_user::{Journey, User, browse_to, sign_in};
use tests::processes::{example, free_port, start};
use url::Url;

/// The redirect URI registered for every fixture client. Nothing listens
/// there: the test intercepts the provider's response before it is sent.
const REDIRECT_URI: &str = "http://127.0.0.1:9/interop/callback";

/// A client registered in the fixture (see the README's table).
#[derive(Clone, Copy)]
struct Registered {
    id: &'static str,
    secret: &'static str,
    method: AuthMethod,
}

/// `client_secret_post`, RS256 ID tokens.
const CLIENT_POST: Registered = Registered {
    id: "client-post",
    secret: "secret-post",
    method: AuthMethod::ClientSecretPost,
};
/// `client_secret_basic`, RS256 ID tokens.
const CLIENT_BASIC: Registered = Registered {
    id: "client-basic",
    secret: "secret-basic",
    method: AuthMethod::ClientSecretBasic,
};
/// `client_secret_basic`, ES256 ID tokens.
const CLIENT_ES256: Registered = Registered {
    id: "client-es256",
    secret: "secret-es256",
    method: AuthMethod::ClientSecretBasic,
};

/// The fixture's `AUTH_METHODS` for a provider that supports, and so
/// publishes, only `client_secret_basic`.
const BASIC_ONLY: &[&str] = &["client_secret_basic"];

/// The SDK configuration for a fixture client, with its registered
/// authentication method. Default scopes (`openid email`), `form_post`.
fn config(op: &OidcProvider, client: Registered) -> ClientConfig {
    config_from_metadata(op, client).auth_method(client.method)
}

/// The configuration an application writes knowing only its client id and
/// secret: no authentication method and no algorithms, both read from the
/// provider's metadata at discovery.
fn config_from_metadata(op: &OidcProvider, client: Registered) -> ClientConfig {
    ClientConfig::for_issuer(op.issuer())
        .client_id(client.id)
        .redirect_uri(REDIRECT_URI)
        .client_secret(client.secret)
}

/// The provider's discovery document, as published.
async fn discovery_document(op: &OidcProvider) -> serde_json::Value {
    let url = format!("{}/.well-known/openid-configuration", op.issuer());
    let page = Browser::new().get(&url).await.expect("GET discovery");
    serde_json::from_str(page.body()).expect("the discovery document is JSON")
}

/// A JSON array of strings.
fn strings(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

/// The fixture logs the secret method each client used at its token
/// endpoint (and refuses the one it is not registered for), so its log shows
/// which method the SDK sent. Waits briefly: the log is read from the
/// provider's stderr by another thread.
async fn assert_authenticated_with(op: &OidcProvider, client: Registered, method: AuthMethod) {
    let used = format!("client auth: {} used {method} at /token", client.id);
    assert_logged(op, &used).await;
    let refused = format!("client auth refused: {} ", client.id);
    let log = op.log();
    assert!(
        !log.contains(&refused),
        "the provider refused a method:\n{log}"
    );
}

/// Waits up to 5 s for `line` in the provider's log (read from its stderr
/// by another thread, so it may lag behind the HTTP response).
async fn assert_logged(op: &OidcProvider, line: &str) {
    for _ in 0..100 {
        if op.log().contains(line) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no `{line}` in the provider log:\n{}", op.log());
}

async fn discover(op: &OidcProvider, config: ClientConfig) -> Client {
    Client::discover(config)
        .await
        .unwrap_or_else(|e| panic!("discovery failed: {e}\nprovider log:\n{}", op.log()))
}

/// Drives the provider's pages from `authorization_url` as `user` until
/// the provider answers the application: a redirect to the redirect URI
/// (query) or an auto-submitting form that posts to it (`form_post`).
async fn browse(
    op: &OidcProvider,
    browser: &Browser,
    authorization_url: &Url,
    user: User<'_>,
) -> Journey {
    browse_to(op, browser, authorization_url, user, REDIRECT_URI).await
}

fn unix_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(now.as_secs()).expect("seconds fit in i64")
}

/// The `kid`s the provider currently publishes.
async fn published_kids(client: &Client) -> BTreeSet<String> {
    let page = Browser::new()
        .get(&client.metadata().jwks_uri)
        .await
        .expect("GET jwks_uri");
    let jwks: serde_json::Value = serde_json::from_str(page.body()).expect("JWKS is JSON");
    jwks["keys"]
        .as_array()
        .expect("JWKS has keys")
        .iter()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect()
}

/// Website login as the guide recommends: `form_post`, `client_secret_post`,
/// the pending login sealed into a (simulated) cookie across the round trip.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn form_post_login_with_client_secret_post() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let client = discover(
        &op,
        config(&op, CLIENT_POST).response_mode(ResponseMode::FormPost),
    )
    .await;
    assert!(
        client
            .metadata()
            .authorization_response_iss_parameter_supported,
        "oidc-provider v9 always sends `iss` (RFC 9207), and the SDK then requires it"
    );
    let key = SealingKey::generate().expect("sealing key");
    let browser = Browser::new();

    let (request, login) = client
        .login()
        .app_data("/account")
        .redirect()
        .expect("authorization request");
    let query: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(param("response_mode"), Some("form_post"));
    assert_eq!(param("code_challenge_method"), Some("S256"));
    let cookie = login.into_pending().seal(&key).expect("seal");

    let journey = browse(
        &op,
        &browser,
        request.url(),
        User::SignsIn("alice@example.com"),
    )
    .await;
    assert_eq!(journey.prompts(), ["login", "consent"]);
    assert_eq!(journey.callback.received_by(), ResponseMode::FormPost);

    let login = client
        .resume_sealed(&cookie, &key)
        .expect("resume the pending login")
        .receive(journey.callback)
        .expect("callback accepted");
    let login = login.exchange().await.expect("exchange");

    assert_eq!(login.email(), Some("alice@example.com"));
    assert_eq!(login.email_verified(), Some(true));
    assert_eq!(login.app_data(), Some("/account"));
    let claims = login.id_token_claims();
    assert_eq!(claims.iss, op.issuer());
    assert_eq!(claims.aud, ["client-post"]);
    assert_eq!(login.sub(), claims.sub);
    assert_eq!(login.sub().len(), 32, "the fixture's sub is 32 hex digits");
    let tokens = login.tokens();
    assert!(!tokens.access_token.secret().is_empty());
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.id_token.is_some());
    assert_eq!(tokens.token_type, "Bearer");
}

/// Query response mode and `client_secret_basic`.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn query_login_with_client_secret_basic() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let client = discover(
        &op,
        config(&op, CLIENT_BASIC).response_mode(ResponseMode::Query),
    )
    .await;
    let browser = Browser::new();
    let (login, journey) = sign_in(&op, &client, &browser, "Bob@Example.com").await;
    assert_eq!(journey.prompts(), ["login", "consent"]);
    assert_eq!(journey.callback.received_by(), ResponseMode::Query);
    assert_eq!(login.email(), Some("bob@example.com"));
    assert_eq!(login.id_token_claims().aud, ["client-basic"]);
}

/// The fixture accepts only each client's registered method, so a login
/// that succeeds proves which method the SDK used; here the other method is
/// configured and the token endpoint's refusal comes back typed.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn the_wrong_client_authentication_method_is_refused() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let browser = Browser::new();
    let refused = async |sdk: Client, client: Registered| {
        let wrong = sdk.auth_method();
        let (request, login) = sdk.login().redirect().expect("authorization request");
        let journey = browse(
            &op,
            &browser,
            request.url(),
            User::SignsIn("eve@example.com"),
        )
        .await;
        let login = login.receive(journey.callback).expect("callback accepted");
        match login.exchange().await {
            Err(TokenError::Provider { error, status, .. }) => {
                assert_eq!(error, "invalid_client", "{} with {wrong}", client.id);
                assert_eq!(status, 401, "{} with {wrong}", client.id);
            }
            other => panic!(
                "{} authenticating with {wrong}: expected invalid_client, got {other:?}",
                client.id
            ),
        }
        let refusal = format!("client auth refused: {} used {wrong} at /token", client.id);
        assert_logged(&op, &refusal).await;
    };
    for (client, wrong) in [
        (CLIENT_POST, AuthMethod::ClientSecretBasic),
        (CLIENT_BASIC, AuthMethod::ClientSecretPost),
        (CLIENT_ES256, AuthMethod::ClientSecretPost),
    ] {
        let sdk = discover(&op, config(&op, client).auth_method(wrong)).await;
        refused(sdk, client).await;
    }

    // Without a configured method the SDK picks from the metadata, which
    // lists both secret methods here: `client_secret_post`. The metadata
    // says what the provider supports, not how each client was registered,
    // so a client registered for Basic at a provider that enforces the
    // registration (as this fixture does) must name its method
    // (`.auth_method`, axum_login's `OIDC_AUTH_METHOD`).
    let sdk = discover(&op, config_from_metadata(&op, CLIENT_BASIC)).await;
    assert_eq!(sdk.auth_method(), AuthMethod::ClientSecretPost);
    refused(sdk, CLIENT_BASIC).await;
}

/// With neither an authentication method nor algorithms configured, the
/// client takes both from what the provider publishes: the algorithms it
/// lists that the SDK verifies, and `client_secret_post` when listed, else
/// `client_secret_basic`. A configured method the provider does not list is
/// refused at discovery.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn defaults_come_from_the_provider_metadata() {
    // oidc-provider's defaults: both secret methods listed.
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let published = discovery_document(&op).await;
    let methods = strings(&published["token_endpoint_auth_methods_supported"]);
    assert!(
        methods.contains(&"client_secret_post") && methods.contains(&"client_secret_basic"),
        "{methods:?}"
    );
    // Only the algorithms of its keys (one RSA key for RS256, one P-256 key).
    let algorithms = strings(&published["id_token_signing_alg_values_supported"]);
    assert_eq!(algorithms, ["RS256", "ES256"]);

    let client = discover(&op, config_from_metadata(&op, CLIENT_POST)).await;
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretPost);
    assert_eq!(
        client.allowed_algorithms(),
        [SigningAlgorithm::RS256, SigningAlgorithm::ES256]
    );
    let (login, _) = sign_in(&op, &client, &Browser::new(), "lee@example.com").await;
    assert_eq!(login.id_token_claims().aud, ["client-post"]);
    assert_authenticated_with(&op, CLIENT_POST, AuthMethod::ClientSecretPost).await;
    drop(op);

    // A provider that supports only client_secret_basic.
    let op = OidcProvider::start_with_auth_methods(&[REDIRECT_URI], BASIC_ONLY);
    let published = discovery_document(&op).await;
    assert_eq!(
        strings(&published["token_endpoint_auth_methods_supported"]),
        ["client_secret_basic"]
    );
    let client = discover(&op, config_from_metadata(&op, CLIENT_BASIC)).await;
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretBasic);
    let (login, _) = sign_in(&op, &client, &Browser::new(), "lee@example.com").await;
    assert_eq!(login.id_token_claims().aud, ["client-basic"]);
    assert_authenticated_with(&op, CLIENT_BASIC, AuthMethod::ClientSecretBasic).await;

    // Naming a method it does not list fails at discovery, not at the
    // first token request.
    let post = config_from_metadata(&op, CLIENT_BASIC).auth_method(AuthMethod::ClientSecretPost);
    match Client::discover(post).await {
        Err(DiscoveryError::Unsupported {
            value, advertised, ..
        }) => {
            assert_eq!(value, "client_secret_post");
            assert_eq!(advertised, "client_secret_basic");
        }
        other => panic!("expected Unsupported at discovery, got {other:?}"),
    }
}

/// ES256 ID tokens are accepted by default (the provider advertises ES256),
/// verified with an ES256-only allow-list, and refused by a configuration
/// pinned to RS256.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn es256_id_tokens() {
    // client-es256 is registered for client_secret_basic: at a provider that
    // lists only that method, the SDK picks it without being told.
    let op = OidcProvider::start_with_auth_methods(&[REDIRECT_URI], BASIC_ONLY);
    let browser = Browser::new();

    let client = discover(&op, config_from_metadata(&op, CLIENT_ES256)).await;
    assert!(
        client
            .allowed_algorithms()
            .contains(&SigningAlgorithm::ES256),
        "{:?}",
        client.allowed_algorithms()
    );
    assert_eq!(client.auth_method(), AuthMethod::ClientSecretBasic);
    let (login, _) = sign_in(&op, &client, &browser, "dana@example.com").await;
    assert_eq!(login.id_token_claims().aud, ["client-es256"]);
    assert_eq!(login.email(), Some("dana@example.com"));
    assert_authenticated_with(&op, CLIENT_ES256, AuthMethod::ClientSecretBasic).await;

    // The allow-list holds only ES256: success proves an ES256 signature
    // was verified with the provider's P-256 key.
    let es256_only = discover(
        &op,
        config_from_metadata(&op, CLIENT_ES256).allowed_algorithms([SigningAlgorithm::ES256]),
    )
    .await;
    assert_eq!(es256_only.allowed_algorithms(), [SigningAlgorithm::ES256]);
    let (again, _) = sign_in(&op, &es256_only, &browser, "dana@example.com").await;
    assert_eq!(again.sub(), login.sub());

    let rs256_only = discover(
        &op,
        config_from_metadata(&op, CLIENT_ES256).allowed_algorithms([SigningAlgorithm::RS256]),
    )
    .await;
    let (request, login) = rs256_only
        .login()
        .redirect()
        .expect("authorization request");
    let journey = browse(
        &op,
        &browser,
        request.url(),
        User::SignsIn("dana@example.com"),
    )
    .await;
    let login = login.receive(journey.callback).expect("callback accepted");
    match login.exchange().await {
        Err(TokenError::IdToken(IdTokenError::Jws(JwsError::AlgorithmNotAllowed(alg)))) => {
            assert_eq!(alg, "ES256");
        }
        other => panic!("expected ES256 to be refused by an RS256 allow-list, got {other:?}"),
    }
}

/// A standard provider puts `email` in UserInfo, not in the ID token: the
/// SDK fetches it there, and keeps `sub` from the verified ID token.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn claims_come_from_userinfo() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let browser = Browser::new();
    let client = discover(&op, config(&op, CLIENT_POST)).await;
    let (login, _) = sign_in(&op, &client, &browser, "erin@example.com").await;

    assert!(
        login.id_token_claims().email.is_none(),
        "the fixture keeps email out of the ID token"
    );
    assert_eq!(login.user().email.as_deref(), Some("erin@example.com"));
    assert_eq!(login.user().email_verified, Some(true));
    assert_eq!(login.user().sub, login.id_token_claims().sub);
    assert_eq!(
        login.user().claims.get("email_verified"),
        Some(&serde_json::Value::Bool(true))
    );

    // Without the UserInfo call there is no email: it did come from there.
    let no_userinfo = discover(
        &op,
        config(&op, CLIENT_POST).userinfo(UserInfoPolicy::Never),
    )
    .await;
    let (login, journey) = sign_in(&op, &no_userinfo, &browser, "erin@example.com").await;
    assert!(journey.seen.is_empty(), "same session: no pages");
    assert_eq!(login.email(), None);
    assert_eq!(login.user().sub, login.id_token_claims().sub);
}

/// `prompt=create` (advertised through `prompt_values_supported`) shows the
/// create-account page, and the login completes.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn prompt_create_shows_the_create_account_page() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let client = discover(&op, config(&op, CLIENT_POST)).await;
    assert!(client.metadata().supports_prompt(Prompt::Create));

    let browser = Browser::new();
    let (request, login) = client
        .login()
        .prompt(Prompt::Create)
        .redirect()
        .expect("authorization request");
    assert!(
        request
            .url()
            .query_pairs()
            .any(|(n, v)| n == "prompt" && v == "create")
    );
    let journey = browse(
        &op,
        &browser,
        request.url(),
        User::SignsIn("frank@example.com"),
    )
    .await;
    assert_eq!(journey.prompts(), ["create", "consent"]);
    assert_eq!(journey.seen[0].title.as_deref(), Some("Create account"));
    let login = login
        .receive(journey.callback)
        .expect("callback accepted")
        .exchange()
        .await
        .expect("exchange");
    assert_eq!(login.email(), Some("frank@example.com"));

    // Signing in later with that email is the same account.
    let (again, journey) = sign_in(&op, &client, &Browser::new(), "frank@example.com").await;
    assert_eq!(journey.prompts(), ["login", "consent"]);
    assert_eq!(again.sub(), login.sub());
}

/// A user who cancels at the provider: `access_denied`, typed, in both
/// response modes.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn a_user_who_cancels_gets_access_denied() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    for mode in [ResponseMode::FormPost, ResponseMode::Query] {
        let client = discover(&op, config(&op, CLIENT_POST).response_mode(mode)).await;
        let (request, login) = client.login().redirect().expect("authorization request");
        let journey = browse(&op, &Browser::new(), request.url(), User::Cancels).await;
        assert_eq!(journey.prompts(), ["login"], "{mode}");
        assert_eq!(journey.callback.received_by(), mode);
        match login.receive(journey.callback) {
            Err(CallbackError::Provider {
                error, description, ..
            }) => {
                assert_eq!(error, "access_denied", "{mode}");
                assert!(description.is_some(), "{mode}");
            }
            other => panic!("{mode}: expected access_denied, got {other:?}"),
        }
    }
}

/// Refreshing a login: new access and ID tokens, verified, same user.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn refresh_gets_new_verified_tokens() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let client = discover(&op, config(&op, CLIENT_POST)).await;
    let (login, _) = sign_in(&op, &client, &Browser::new(), "gina@example.com").await;
    let first = login.tokens().clone();
    let first_iat = login.id_token_claims().iat;
    let sub = login.sub().to_owned();
    // oidc-provider's ID tokens carry no at_hash and RS256 signatures are
    // deterministic: a refresh within the same second as the login would
    // return a byte-identical ID token. Let the clock tick so the refreshed
    // one is distinguishable.
    while unix_now() <= first_iat {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let login = login
        .refresh()
        .await
        .unwrap_or_else(|e| panic!("refresh: {e}\nprovider log:\n{}", op.log()));
    let second = login.tokens().clone();
    assert_ne!(
        second.access_token.secret(),
        first.access_token.secret(),
        "a new access token"
    );
    // oidc-provider sends a new ID token on refresh; the SDK verified it
    // (signature, iss, aud, same sub) and took its claims.
    assert_ne!(
        second.id_token.as_ref().map(|t| t.secret().to_owned()),
        first.id_token.as_ref().map(|t| t.secret().to_owned()),
        "a new ID token"
    );
    assert!(login.id_token_claims().iat > first_iat);
    assert_eq!(login.sub(), sub);
    assert_eq!(login.email(), Some("gina@example.com"), "claims kept");
    // oidc-provider's default `rotateRefreshToken` does not rotate a
    // confidential client's refresh token before 70 % of its lifetime: the
    // same one comes back (and the SDK keeps it), still usable.
    assert_eq!(
        second.refresh_token.as_ref().map(|t| t.secret().to_owned()),
        first.refresh_token.as_ref().map(|t| t.secret().to_owned()),
    );

    let login = login.refresh().await.expect("second refresh");
    assert_ne!(
        login.tokens().access_token.secret(),
        second.access_token.secret()
    );
}

/// The provider restarts with new signing keys (new `kid`s) between two
/// logins on the same `Client`: the unknown `kid` makes the SDK refetch the
/// JWKS, without restarting the client.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn new_provider_keys_are_fetched_on_an_unknown_kid() {
    let mut op = OidcProvider::start(&[REDIRECT_URI]);
    // The SDK refetches the JWKS on an unknown `kid` at most once per
    // cooldown (10 s by default), counted from the last refetch an unknown
    // `kid` caused, not from the first fetch: the restart below, about a
    // second after the first fetch, is followed with the default cooldown.
    // `the_jwks_refetch_is_rate_limited` shows the limit.
    let client = discover(&op, config(&op, CLIENT_POST)).await;
    let kids_before = published_kids(&client).await;

    let (first, _) = sign_in(&op, &client, &Browser::new(), "hana@example.com").await;
    assert_eq!(client.jwks_fetch_count(), 1);

    op.restart();
    let kids_after = published_kids(&client).await;
    assert!(
        kids_before.is_disjoint(&kids_after),
        "new keys after the restart: {kids_before:?} then {kids_after:?}"
    );

    // The restarted provider forgot the session: a fresh browser signs in.
    let (second, _) = sign_in(&op, &client, &Browser::new(), "hana@example.com").await;
    assert_eq!(client.jwks_fetch_count(), 2, "one refetch for the new kid");
    assert_eq!(second.sub(), first.sub());
}

/// The other side of the previous test: within the cooldown after a
/// refetch an unknown `kid` caused, another unknown `kid` does not trigger
/// one, and the token is refused.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn the_jwks_refetch_is_rate_limited() {
    let mut op = OidcProvider::start(&[REDIRECT_URI]);
    let client = discover(
        &op,
        config(&op, CLIENT_POST).jwks_refresh_cooldown(Duration::from_secs(3600)),
    )
    .await;
    let _ = sign_in(&op, &client, &Browser::new(), "ines@example.com").await;
    assert_eq!(client.jwks_fetch_count(), 1);
    // The first rotation is followed: this refetch starts the cooldown.
    op.restart();
    let _ = sign_in(&op, &client, &Browser::new(), "ines@example.com").await;
    assert_eq!(client.jwks_fetch_count(), 2);

    op.restart();
    let (request, login) = client.login().redirect().expect("authorization request");
    let journey = browse(
        &op,
        &Browser::new(),
        request.url(),
        User::SignsIn("ines@example.com"),
    )
    .await;
    let login = login.receive(journey.callback).expect("callback accepted");
    match login.exchange().await {
        Err(TokenError::IdToken(IdTokenError::Jws(JwsError::UnknownKey { kid, alg }))) => {
            assert!(kid.is_some());
            assert_eq!(alg, "RS256");
        }
        other => panic!("expected an unknown kid within the cooldown, got {other:?}"),
    }
    assert_eq!(
        client.jwks_fetch_count(),
        2,
        "no refetch within the cooldown"
    );
}

/// Discovery happens once, in `Client::discover`; the JWKS is fetched at the
/// first verification and then reused by every login of the client and its
/// clones.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn keys_are_fetched_once_across_logins() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let client = discover(&op, config(&op, CLIENT_POST)).await;
    assert_eq!(client.jwks_fetch_count(), 0, "the JWKS is fetched lazily");

    let browser = Browser::new();
    let (first, journey) = sign_in(&op, &client, &browser, "jo@example.com").await;
    assert_eq!(journey.prompts(), ["login", "consent"]);
    // Same browser: the provider's session and grant answer at once.
    let (again, journey) = sign_in(&op, &client.clone(), &browser, "jo@example.com").await;
    assert!(
        journey.seen.is_empty(),
        "single sign-on: {:?}",
        journey.seen
    );
    assert_eq!(again.sub(), first.sub());
    // Another user in another browser.
    let (other, _) = sign_in(&op, &client, &Browser::new(), "kim@example.com").await;
    assert_ne!(other.sub(), first.sub());

    assert_eq!(client.jwks_fetch_count(), 1);
}

/// An `examples/axum_login` process for one fixture client.
struct ExampleApp {
    /// `http://localhost:<port>`.
    url: String,
    /// Killed when dropped.
    _process: tests::processes::Running,
}

/// The four required variables and `APP_ADDR` (nothing names an algorithm
/// or an authentication method), plus `extra`.
fn example_app(
    op: &OidcProvider,
    client: Registered,
    port: u16,
    redirect_uri: &str,
    extra: &[(&str, String)],
) -> ExampleApp {
    let mut env = vec![
        ("OIDC_ISSUER", op.issuer().to_owned()),
        ("OIDC_CLIENT_ID", client.id.to_owned()),
        ("OIDC_CLIENT_SECRET", client.secret.to_owned()),
        ("OIDC_REDIRECT_URI", redirect_uri.to_owned()),
        ("APP_ADDR", format!("127.0.0.1:{port}")),
    ];
    env.extend(extra.iter().cloned());
    ExampleApp {
        url: format!("http://localhost:{port}"),
        _process: start(&example("axum_login"), &[], &env, "listening on"),
    }
}

/// Signs `email` in: `/login` at `starts`, the provider's pages, then the
/// `form_post` response delivered to `finishes`' callback (the same app,
/// unless two instances share a cookie key). Returns the home page of
/// `finishes` afterwards.
async fn example_sign_in(
    op: &OidcProvider,
    browser: &Browser,
    starts: &ExampleApp,
    finishes: &ExampleApp,
    redirect_uri: &str,
    email: &str,
) -> tests::browser::Page {
    let login = browser.get(format!("{}/login", starts.url)).await.unwrap();
    let authorization_url = login.location().expect("a redirect to the provider");
    let journey = browse_to(
        op,
        browser,
        &authorization_url,
        User::SignsIn(email),
        redirect_uri,
    )
    .await;
    let Delivered::FormPost(_) = &journey.delivered else {
        panic!("the example uses form_post by default")
    };
    let callback = format!("{}/callback", finishes.url);
    let done = browser
        .post_form(&callback, journey.delivered.params())
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        303,
        "{}\nprovider log:\n{}",
        done.body(),
        op.log()
    );
    browser.get(&finishes.url).await.unwrap()
}

/// The signed-in user on the example's home page.
fn assert_signed_in(home: &tests::browser::Page, email: &str) {
    // The email came from the provider's UserInfo endpoint.
    assert_eq!(home.texts("#email").unwrap(), vec![email.to_owned()]);
    assert_eq!(home.texts("#sub").unwrap().len(), 1);
}

/// 64 random bytes as `openssl rand -base64 64` prints them (standard
/// alphabet, padded, wrapped after 64 characters), which is what
/// `APP_COOKIE_KEY=$(openssl rand -base64 64)` puts in the variable.
fn openssl_style_64_byte_key() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 64];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    assert_eq!(encoded.len(), 88);
    let (first, second) = encoded.split_at(64);
    format!("{first}\n{second}")
}

/// `examples/axum_login`, configured only by its four required variables
/// (and `APP_ADDR`), signs a user in at the certified provider over HTTP for
/// both registered clients, reading the algorithms and the authentication
/// method from the provider's metadata:
///
/// - `client-post` (RS256, `client_secret_post`) at oidc-provider's default
///   metadata, which lists both secret methods: the SDK picks post;
/// - `client-es256` (ES256, `client_secret_basic`) at a provider that lists
///   only `client_secret_basic`: the SDK picks Basic and accepts ES256.
///
/// The fixture refuses the method a client is not registered for and logs
/// the one it used, so the log proves each choice. Last, two instances
/// given the same 64-byte `APP_COOKIE_KEY`: a login started at one is
/// finished at the other, which only opens the pending-login cookie with
/// that key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn the_axum_login_example_signs_in() {
    let ports = [free_port(), free_port(), free_port(), free_port()];
    let redirect_uris: Vec<String> = ports
        .iter()
        .map(|p| format!("http://localhost:{p}/callback"))
        .collect();
    let registered: Vec<&str> = redirect_uris.iter().map(String::as_str).collect();

    // RS256 + client_secret_post, oidc-provider's default metadata.
    let op = OidcProvider::start(&registered);
    let app = example_app(&op, CLIENT_POST, ports[0], &redirect_uris[0], &[]);
    let browser = Browser::new();
    let home = example_sign_in(
        &op,
        &browser,
        &app,
        &app,
        &redirect_uris[0],
        "dana@example.com",
    )
    .await;
    assert_signed_in(&home, "dana@example.com");
    assert_authenticated_with(&op, CLIENT_POST, AuthMethod::ClientSecretPost).await;
    drop(app);

    // A 64-byte APP_COOKIE_KEY shared by two instances: the login starts at
    // one (which seals the pending login) and finishes at the other.
    let key = openssl_style_64_byte_key();
    let env = [("APP_COOKIE_KEY", key)];
    let starts = example_app(&op, CLIENT_POST, ports[1], &redirect_uris[1], &env);
    let finishes = example_app(&op, CLIENT_POST, ports[2], &redirect_uris[1], &env);
    let home = example_sign_in(
        &op,
        &Browser::new(),
        &starts,
        &finishes,
        &redirect_uris[1],
        "omar@example.com",
    )
    .await;
    assert_signed_in(&home, "omar@example.com");
    drop((starts, finishes, op));

    // ES256 + client_secret_basic, at a provider that lists only Basic.
    let op = OidcProvider::start_with_auth_methods(&registered, BASIC_ONLY);
    let app = example_app(&op, CLIENT_ES256, ports[3], &redirect_uris[3], &[]);
    let home = example_sign_in(
        &op,
        &Browser::new(),
        &app,
        &app,
        &redirect_uris[3],
        "dana@example.com",
    )
    .await;
    assert_signed_in(&home, "dana@example.com");
    assert_authenticated_with(&op, CLIENT_ES256, AuthMethod::ClientSecretBasic).await;
}

/// Signing out through the flow API revokes the tokens (RFC 7009, with
/// the client authentication of the token endpoint): the refresh token no
/// longer refreshes.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn revoked_at_logout_the_refresh_token_no_longer_refreshes() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let document = discovery_document(&op).await;
    assert!(document["revocation_endpoint"].is_string(), "{document}");
    for registered in [CLIENT_POST, CLIENT_BASIC] {
        let client = discover(&op, config(&op, registered)).await;
        assert!(client.supports_revocation());
        let (login, _) = sign_in(&op, &client, &Browser::new(), "hana@example.com").await;
        let tokens = login.tokens().clone();
        assert!(tokens.refresh_token.is_some());

        client
            .revoke(&tokens)
            .await
            .unwrap_or_else(|e| panic!("revoke: {e}\nprovider log:\n{}", op.log()));
        assert!(
            client
                .end_session_url(tokens.id_token.as_ref(), None, None)
                .is_some(),
            "then the browser goes to the provider's end_session_endpoint"
        );

        let refused = client
            .refresh(&tokens, login.id_token_claims())
            .await
            .expect_err("a revoked refresh token");
        assert!(
            matches!(&refused, TokenError::Provider { error, .. } if error == "invalid_grant"),
            "{}: {refused:?}",
            registered.id
        );
    }
}
