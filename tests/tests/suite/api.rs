//! APIs: an axum API protected by `Bearer` extractors, over loopback HTTP,
//! with access tokens issued by the dev provider to a signed-in user. Every
//! refusal is checked for its status and exact `WWW-Authenticate` header
//! (RFC 6750).

use axum::Router;
use axum::routing::get;
use oidc_core::web::{Bearer, ScopeSet};
use oidc_core::{
    AccessTokenType, AccessTokenVerifier, Authenticated, Login, ResourceServerConfig, ResponseMode,
};
use oidc_dev_provider::DevProvider;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use std::time::Duration;
use tests::fixture::{self, Fixture};

/// Nothing listens here: the test takes the response from the browser.
const REDIRECT_URI: &str = "http://127.0.0.1:9/api-test/callback";
const REALM: &str = "test-api";

struct Profile;
impl ScopeSet for Profile {
    const SCOPES: &'static [&'static str] = &["profile"];
}

struct Email;
impl ScopeSet for Email {
    const SCOPES: &'static [&'static str] = &["email"];
}

async fn provider(token_ttl: Option<Duration>) -> Fixture {
    Fixture::builder("app", "app-secret", REDIRECT_URI)
        .provider(|builder| match token_ttl {
            Some(ttl) => builder.token_ttl(ttl),
            None => builder,
        })
        .start()
        .await
}

/// alice signs in to the application `app`, which gets an access token
/// for the provider's API audience (`{issuer}/api`).
async fn sign_in(provider: &Fixture, scopes: &[&str]) -> Login<Authenticated> {
    let client = provider
        .discover(|c| {
            c.scopes(scopes.iter().copied())
                .response_mode(ResponseMode::Query)
        })
        .await;
    fixture::sign_in(&client).await.unwrap()
}

fn access_token(login: &Login<Authenticated>) -> String {
    login.tokens().access_token.secret().to_owned()
}

fn api_config(provider: &DevProvider) -> ResourceServerConfig {
    ResourceServerConfig::new(
        provider.issuer_str(),
        format!("{}/api", provider.issuer_str()),
    )
    .realm(REALM)
}

async fn verifier(config: ResourceServerConfig) -> AccessTokenVerifier {
    AccessTokenVerifier::discover(config).await.unwrap()
}

/// Serves the API on loopback; returns its base URL.
async fn serve(verifier: AccessTokenVerifier) -> String {
    async fn me(token: Bearer) -> String {
        format!(
            "sub={} client={}",
            token.sub,
            token.client_id.as_deref().unwrap_or("")
        )
    }
    async fn profile(token: Bearer<Profile>) -> String {
        format!("profile of {}", token.sub)
    }
    async fn email(token: Bearer<Email>) -> String {
        format!("email scope for {}", token.sub)
    }
    async fn maybe(token: Option<Bearer>) -> String {
        token.map_or_else(|| "anonymous".to_owned(), |t| t.sub.clone())
    }
    let app = Router::new()
        .route("/me", get(me))
        .route("/profile", get(profile))
        .route("/email", get(email))
        .route("/maybe", get(maybe))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

struct Answer {
    status: StatusCode,
    challenge: Option<String>,
    body: String,
}

async fn call(base: &str, path: &str, authorization: &[&str]) -> Answer {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http.get(format!("{base}{path}"));
    for value in authorization {
        request = request.header(AUTHORIZATION, *value);
    }
    let response = request.send().await.unwrap();
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    Answer {
        status: response.status(),
        challenge,
        body: response.text().await.unwrap(),
    }
}

async fn call_with(base: &str, path: &str, token: &str) -> Answer {
    call(base, path, &[&format!("Bearer {token}")]).await
}

fn invalid_token(description: &str) -> String {
    format!(r#"Bearer realm="{REALM}", error="invalid_token", error_description="{description}""#)
}

#[tokio::test]
async fn a_valid_token_is_accepted_and_keys_are_fetched_once() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    let verifier = verifier(api_config(&provider)).await;
    let base = serve(verifier.clone()).await;
    let token = access_token(&login);

    for _ in 0..3 {
        let answer = call_with(&base, "/me", &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body, format!("sub={} client=app", login.sub()));
        assert_eq!(answer.challenge, None);
    }
    // The route requiring a granted scope.
    let answer = call_with(&base, "/email", &token).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    // One JWKS fetch for every verification.
    assert_eq!(verifier.jwks_fetch_count(), 1);
    // The claims, straight from the verifier.
    let claims = verifier.verify(&token).await.unwrap();
    assert_eq!(claims.iss, provider.issuer_str());
    assert_eq!(claims.aud, vec![format!("{}/api", provider.issuer_str())]);
    assert_eq!(claims.scopes, ["openid", "email"]);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let provider = provider(Some(Duration::from_secs(1))).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    let base = serve(verifier(api_config(&provider).clock_tolerance(Duration::ZERO)).await).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let answer = call_with(&base, "/me", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(invalid_token("the access token expired").as_str())
    );
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    // This API is not the one the provider issued the token for.
    let config =
        ResourceServerConfig::new(provider.issuer_str(), "https://billing.example").realm(REALM);
    let base = serve(verifier(config).await).await;
    let answer = call_with(&base, "/me", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(invalid_token("the access token is not meant for this API").as_str())
    );
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    // Another issuer that publishes the same keys (as multi-tenant
    // providers do for all their tenants): the signature verifies, the
    // issuer does not match.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_issuer = format!("http://{}", listener.local_addr().unwrap());
    let document = serde_json::json!({
        "issuer": other_issuer,
        "jwks_uri": format!("{}/jwks", provider.issuer_str()),
    });
    let discovery = Router::new().route(
        "/.well-known/openid-configuration",
        get(move || async move { axum::Json(document) }),
    );
    tokio::spawn(async move { axum::serve(listener, discovery).await });
    let config = ResourceServerConfig::new(&other_issuer, format!("{}/api", provider.issuer_str()))
        .realm(REALM);
    let base = serve(verifier(config).await).await;

    let answer = call_with(&base, "/me", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(invalid_token("the access token is from another issuer").as_str())
    );
}

#[tokio::test]
async fn a_token_with_a_wrong_signature_is_refused() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    let base = serve(verifier(api_config(&provider)).await).await;
    let token = access_token(&login);
    let expected = invalid_token("the access token signature does not verify");

    // Another token's signature (same key, same kid) on this token.
    let second = access_token(&sign_in(&provider, &["openid", "email"]).await);
    let (signed_part, _) = token.rsplit_once('.').unwrap();
    let (_, other_signature) = second.rsplit_once('.').unwrap();
    let forged = format!("{signed_part}.{other_signature}");
    let answer = call_with(&base, "/me", &forged).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some(expected.as_str()));

    // A token signed by another provider's key (unknown kid).
    let other = self::provider(None).await;
    let foreign = access_token(&sign_in(&other, &["openid"]).await);
    let answer = call_with(&base, "/me", &foreign).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.challenge.as_deref(), Some(expected.as_str()));
}

#[tokio::test]
async fn a_missing_scope_is_forbidden() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    let base = serve(verifier(api_config(&provider)).await).await;
    let answer = call_with(&base, "/profile", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(
            r#"Bearer realm="test-api", error="insufficient_scope", error_description="the access token lacks a required scope", scope="profile""#
        )
    );
    // Granted, it passes.
    let login = sign_in(&provider, &["openid", "email", "profile"]).await;
    let answer = call_with(&base, "/profile", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    // Scopes every route needs, from the configuration.
    let strict = serve(verifier(api_config(&provider).required_scopes(["admin"])).await).await;
    let answer = call_with(&strict, "/me", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.challenge.unwrap().ends_with(r#"scope="admin""#));
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    let id_token = login
        .tokens()
        .id_token
        .as_ref()
        .unwrap()
        .secret()
        .to_owned();
    let base = serve(verifier(api_config(&provider)).await).await;
    let answer = call_with(&base, "/me", &id_token).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(invalid_token("the token is not an access token (typ must be at+jwt)").as_str())
    );

    // Even an API that accepts untyped tokens and was (wrongly) given the
    // application's client id as its audience refuses it: it has a nonce.
    let lenient = ResourceServerConfig::new(provider.issuer_str(), "app")
        .realm(REALM)
        .token_type(AccessTokenType::AllowUntyped);
    let base = serve(verifier(lenient).await).await;
    let answer = call_with(&base, "/me", &id_token).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(invalid_token("an ID token is not an access token").as_str())
    );
}

#[tokio::test]
async fn missing_or_malformed_authorization_headers() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid", "email"]).await;
    let base = serve(verifier(api_config(&provider)).await).await;
    let bare = format!(r#"Bearer realm="{REALM}""#);
    let invalid_request = |description: &str| {
        format!(
            r#"Bearer realm="{REALM}", error="invalid_request", error_description="{description}""#
        )
    };

    // No credentials at all, or another scheme: no error code (RFC 6750 3.1).
    for headers in [&[][..], &["Basic YWxpY2U6c2VjcmV0"][..]] {
        let answer = call(&base, "/me", headers).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{headers:?}");
        assert_eq!(
            answer.challenge.as_deref(),
            Some(bare.as_str()),
            "{headers:?}"
        );
        assert!(
            answer.body.contains("Authorization: Bearer"),
            "{}",
            answer.body
        );
    }
    // A Bearer header that is not one well-formed token.
    let cases = [
        (
            "Bearer",
            "the Authorization header has no token after `Bearer`",
        ),
        (
            "Bearer  ",
            "the Authorization header has no token after `Bearer`",
        ),
        (
            "Bearer a b",
            "the bearer token must be a single token of base64url characters",
        ),
        (
            "Bearer <script>",
            "the bearer token must be a single token of base64url characters",
        ),
    ];
    for (header, description) in cases {
        let answer = call(&base, "/me", &[header]).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{header:?}");
        assert_eq!(
            answer.challenge,
            Some(invalid_request(description)),
            "{header:?}"
        );
    }
    let token = format!("Bearer {}", access_token(&login));
    let answer = call(&base, "/me", &[&token, &token]).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.challenge,
        Some(invalid_request("send a single Authorization header"))
    );
    // Well-formed but not a JWT.
    let answer = call(&base, "/me", &["Bearer abc.def"]).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.challenge.as_deref(),
        Some(invalid_token("the access token is not a well-formed JWT").as_str())
    );
}

#[tokio::test]
async fn an_optional_bearer_is_none_without_a_token() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid"]).await;
    let base = serve(verifier(api_config(&provider)).await).await;
    assert_eq!(call(&base, "/maybe", &[]).await.body, "anonymous");
    assert_eq!(
        call(&base, "/maybe", &["Basic eDp5"]).await.body,
        "anonymous"
    );
    assert_eq!(
        call_with(&base, "/maybe", &access_token(&login)).await.body,
        login.sub()
    );
    // A token that is present but bad is still refused.
    let answer = call_with(&base, "/maybe", "abc.def.ghi").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn rotated_keys_are_fetched_for_an_unknown_kid() {
    let provider = provider(None).await;
    let config = api_config(&provider).jwks_refresh_cooldown(Duration::ZERO);
    let verifier = verifier(config).await;
    let base = serve(verifier.clone()).await;
    let before = access_token(&sign_in(&provider, &["openid"]).await);
    assert_eq!(
        call_with(&base, "/me", &before).await.status,
        StatusCode::OK
    );
    provider.rotate_keys();
    let after = access_token(&sign_in(&provider, &["openid"]).await);
    assert_eq!(call_with(&base, "/me", &after).await.status, StatusCode::OK);
    assert_eq!(verifier.jwks_fetch_count(), 2);
}

#[tokio::test]
async fn unavailable_keys_are_a_503_without_a_challenge() {
    let provider = provider(None).await;
    let login = sign_in(&provider, &["openid"]).await;
    let verifier = verifier(api_config(&provider)).await;
    let base = serve(verifier).await;
    // The keys were never fetched, and now the provider is gone.
    provider.provider.shutdown().await;
    let answer = call_with(&base, "/me", &access_token(&login)).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.challenge, None);
}
