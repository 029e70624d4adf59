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
//! cargo test -p tests --test interop -- --include-ignored
//! ```
//!
//! Set `INTEROP_VERBOSE=1` to see the provider's log, `NODE=/path/to/node`
//! to choose the Node.js binary.

mod interop {
    pub(crate) mod fixture;
}

use interop::fixture::OidcProvider;
use oidc_core::{
    AuthMethod, Authenticated, Callback, CallbackError, Client, ClientConfig, IdTokenError, Login,
    Prompt, ResponseMode, SealingKey, SigningAlgorithm, TokenError, UserInfoPolicy,
};
use std::collections::BTreeSet;
use std::time::Duration;
use tests::browser::Browser;
use tests::dev_login::Delivered;
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
/// `client_secret_post`, ES256 ID tokens.
const CLIENT_ES256: Registered = Registered {
    id: "client-es256",
    secret: "secret-es256",
    method: AuthMethod::ClientSecretPost,
};

/// The SDK configuration for a fixture client, with its registered
/// authentication method. Default scopes (`openid email`), `form_post`.
fn config(op: &OidcProvider, client: Registered) -> ClientConfig {
    ClientConfig::new(op.issuer(), client.id, REDIRECT_URI)
        .client_secret(client.secret)
        .auth_method(client.method)
}

async fn discover(op: &OidcProvider, config: ClientConfig) -> Client {
    Client::discover(config)
        .await
        .unwrap_or_else(|e| panic!("discovery failed: {e}\nprovider log:\n{}", op.log()))
}

/// What the user does on the provider's pages.
#[derive(Clone, Copy)]
enum User<'a> {
    /// Signs in (or creates an account) with this email, then consents.
    SignsIn(&'a str),
    /// Follows the "[ Cancel ]" link on the first page.
    Cancels,
}

/// An interaction page the browser went through.
#[derive(Debug)]
struct Seen {
    /// The page's hidden `prompt` field: `login`, `create` or `consent`.
    prompt: String,
    /// Its `<title>`.
    title: Option<String>,
}

/// The browser's trip from the authorization URL back to the redirect URI.
struct Journey {
    /// The authorization response, as the browser delivers it.
    delivered: Delivered,
    /// The same, as the application's SDK parses it.
    callback: Callback,
    /// The interaction pages shown on the way, in order.
    seen: Vec<Seen>,
}

impl Journey {
    fn prompts(&self) -> Vec<&str> {
        self.seen.iter().map(|s| s.prompt.as_str()).collect()
    }
}

fn is_redirect_uri(url: &Url, redirect_uri: &str) -> bool {
    let mut without_query = url.clone();
    without_query.set_query(None);
    without_query.as_str() == redirect_uri
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

/// [`browse`], for an application at another redirect URI.
async fn browse_to(
    op: &OidcProvider,
    browser: &Browser,
    authorization_url: &Url,
    user: User<'_>,
    redirect_uri: &str,
) -> Journey {
    let fail = |what: String| -> ! { panic!("{what}\nprovider log:\n{}", op.log()) };
    let mut seen = Vec::new();
    let mut page = browser
        .get(authorization_url)
        .await
        .unwrap_or_else(|e| fail(e.to_string()));
    for _ in 0..10 {
        page = browser
            .follow_redirects(page, |url| is_redirect_uri(url, redirect_uri))
            .await
            .unwrap_or_else(|e| fail(e.to_string()));
        // Query mode: the provider redirects the browser to the redirect URI.
        if let Some(target) = page.location() {
            let callback = Callback::from_url(&target).unwrap_or_else(|e| fail(e.to_string()));
            let delivered = Delivered::Query(target);
            return Journey {
                delivered,
                callback,
                seen,
            };
        }
        // form_post: a page whose script posts the hidden fields there.
        if let Some(form) = page.form_post_response(redirect_uri) {
            let body = form.encoded();
            let callback =
                Callback::from_form_post(body.as_bytes()).unwrap_or_else(|e| fail(e.to_string()));
            let delivered = Delivered::FormPost(body);
            return Journey {
                delivered,
                callback,
                seen,
            };
        }
        // oidc-provider ends another account's session before switching
        // (a confirmation form with an `xsrf` field).
        if let Ok(form) = page.form_with_input("xsrf") {
            let form = form.set("logout", "yes");
            page = browser
                .submit(&form)
                .await
                .unwrap_or_else(|e| fail(e.to_string()));
            continue;
        }
        // An interaction page: sign-in, create account or consent.
        let form = page
            .form_with_input("prompt")
            .unwrap_or_else(|e| fail(format!("unexpected page: {e}")));
        let prompt = form.get("prompt").unwrap_or_default().to_owned();
        seen.push(Seen {
            prompt: prompt.clone(),
            title: page.title(),
        });
        let next = match (user, prompt.as_str()) {
            (User::Cancels, _) => {
                let abort = page
                    .link("a[href$='/abort']")
                    .unwrap_or_else(|e| fail(e.to_string()));
                browser.get(abort).await
            }
            (User::SignsIn(email), "login" | "create") => {
                let form = form.set("login", email).set("password", "irrelevant");
                browser.submit(&form).await
            }
            (User::SignsIn(_), "consent") => browser.submit(&form).await,
            (_, other) => fail(format!("unexpected interaction prompt `{other}`")),
        };
        page = next.unwrap_or_else(|e| fail(e.to_string()));
    }
    fail(format!(
        "no authorization response after 10 pages; last: {page:?}"
    ))
}

/// A complete login that must succeed.
async fn sign_in(
    op: &OidcProvider,
    client: &Client,
    browser: &Browser,
    email: &str,
) -> (Login<Authenticated>, Journey) {
    let (request, login) = client.login().redirect().expect("authorization request");
    let journey = browse(op, browser, request.url(), User::SignsIn(email)).await;
    let login = login
        .receive(journey.callback.clone())
        .unwrap_or_else(|e| panic!("callback refused: {e}\nprovider log:\n{}", op.log()));
    let login = login
        .exchange()
        .await
        .unwrap_or_else(|e| panic!("exchange failed: {e}\nprovider log:\n{}", op.log()));
    (login, journey)
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
    for (client, wrong) in [
        (CLIENT_POST, AuthMethod::ClientSecretBasic),
        (CLIENT_BASIC, AuthMethod::ClientSecretPost),
    ] {
        let sdk = discover(&op, config(&op, client).auth_method(wrong)).await;
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
    }
}

/// ES256 ID tokens are verified when allowed, and refused by the default
/// RS256-only allow-list.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn es256_id_tokens() {
    let op = OidcProvider::start(&[REDIRECT_URI]);
    let browser = Browser::new();

    let client = discover(
        &op,
        config(&op, CLIENT_ES256).id_token_algorithms([SigningAlgorithm::ES256]),
    )
    .await;
    // The allow-list holds only ES256: success proves an ES256 signature
    // was verified with the provider's P-256 key.
    let (login, _) = sign_in(&op, &client, &browser, "dana@example.com").await;
    assert_eq!(login.id_token_claims().aud, ["client-es256"]);
    assert_eq!(login.email(), Some("dana@example.com"));

    let rs256_only = discover(&op, config(&op, CLIENT_ES256)).await;
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
        Err(TokenError::IdToken(IdTokenError::AlgorithmNotAllowed(alg))) => {
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
    // cooldown (10 s by default) so that forged tokens cannot make it hammer
    // the provider. The restart below happens about a second after the
    // first fetch, inside the default cooldown, so the test lowers it to
    // zero; `the_jwks_refetch_is_rate_limited` shows the default behaviour.
    let client = discover(
        &op,
        config(&op, CLIENT_POST).jwks_refresh_cooldown(Duration::ZERO),
    )
    .await;
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

/// The other side of the previous test: within the cooldown an unknown
/// `kid` does not trigger a refetch, and the token is refused.
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
        Err(TokenError::IdToken(IdTokenError::UnknownKey { kid, alg })) => {
            assert!(kid.is_some());
            assert_eq!(alg, "RS256");
        }
        other => panic!("expected an unknown kid within the cooldown, got {other:?}"),
    }
    assert_eq!(
        client.jwks_fetch_count(),
        1,
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

/// `examples/axum_login`, configured only by its documented environment
/// variables, signs a user in at the certified provider over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn the_axum_login_example_signs_in() {
    let port = free_port();
    let app = format!("http://localhost:{port}");
    let redirect_uri = format!("{app}/callback");
    let op = OidcProvider::start(&[&redirect_uri]);
    let env = [
        ("OIDC_ISSUER", op.issuer().to_owned()),
        ("OIDC_CLIENT_ID", CLIENT_POST.id.to_owned()),
        ("OIDC_CLIENT_SECRET", CLIENT_POST.secret.to_owned()),
        ("OIDC_REDIRECT_URI", redirect_uri.clone()),
        ("APP_ADDR", format!("127.0.0.1:{port}")),
    ];
    let _app = start(&example("axum_login"), &[], &env, "listening on");

    let browser = Browser::new();
    let login = browser.get(format!("{app}/login")).await.unwrap();
    let authorization_url = login.location().expect("a redirect to the provider");
    let journey = browse_to(
        &op,
        &browser,
        &authorization_url,
        User::SignsIn("dana@example.com"),
        &redirect_uri,
    )
    .await;
    let Delivered::FormPost(_) = &journey.delivered else {
        panic!("the example uses form_post by default")
    };
    let done = browser
        .post_form(&redirect_uri, journey.delivered.params())
        .await
        .unwrap();
    assert_eq!(
        done.status(),
        303,
        "{}\nprovider log:\n{}",
        done.body(),
        op.log()
    );
    let home = browser.get(&app).await.unwrap();
    // The email came from the provider's UserInfo endpoint.
    assert_eq!(
        home.texts("#email").unwrap(),
        vec!["dana@example.com".to_owned()]
    );
    assert_eq!(home.texts("#sub").unwrap().len(), 1);
}
