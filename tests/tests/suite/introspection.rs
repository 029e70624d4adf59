//! Opaque access tokens at an API: token introspection (RFC 7662) by
//! `AccessTokenVerifier` and the `Bearer` extractor, against the dev
//! provider issuing opaque tokens, and against oidc-provider.

use axum::Router;
use axum::routing::get;
use oidc_core::web::{Bearer, ScopeSet};
use oidc_core::{
    AccessTokenError, AccessTokenVerifier, ClientConfig, ClientKey, DiscoveryError,
    ResourceServerConfig, ServiceClient, TokenValidation,
};
use oidc_dev_provider::DevClient;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use std::time::{Duration, Instant};
use tests::fixture::Fixture;

const REDIRECT_URI: &str = "http://127.0.0.1:9/unused";
const INTROSPECT: &str = "/introspect";
const REALM: &str = "opaque-api";

/// The service `svc` (the fixture's client) gets tokens; the API
/// introspects as `api`.
async fn provider(
    change: impl FnOnce(oidc_dev_provider::DevProviderBuilder) -> oidc_dev_provider::DevProviderBuilder,
) -> Fixture {
    Fixture::builder("svc", "svc-secret", REDIRECT_URI)
        .provider(|p| {
            change(
                p.opaque_access_tokens(true).client(
                    oidc_dev_provider::DevClient::confidential("api", "api-secret")
                        .redirect_uri(REDIRECT_URI),
                ),
            )
        })
        .start()
        .await
}

async fn token(provider: &Fixture, scopes: &[&str]) -> String {
    let service = ServiceClient::new(provider.client().await).scopes(scopes.iter().copied());
    service
        .access_token()
        .await
        .expect("a token")
        .secret()
        .to_owned()
}

fn api_config(provider: &Fixture) -> ResourceServerConfig {
    ResourceServerConfig::new(
        provider.issuer_str(),
        format!("{}/api", provider.issuer_str()),
    )
    .token_validation(TokenValidation::Introspection)
    .introspection_client("api", "api-secret")
    .realm(REALM)
}

async fn verifier(config: ResourceServerConfig) -> AccessTokenVerifier {
    AccessTokenVerifier::discover(config)
        .await
        .expect("discovery")
}

/// Revokes `token` at `endpoint` (RFC 7009) as `client`.
async fn revoke_at(endpoint: &str, client: (&str, &str), token: &str) -> StatusCode {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .append_pair("token_type_hint", "access_token")
        .finish();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(endpoint)
        .basic_auth(client.0, Some(client.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Revokes `token` at the provider, as the service that holds it.
async fn revoke(provider: &Fixture, token: &str) {
    let endpoint = format!("{}/revoke", provider.issuer_str());
    let status = revoke_at(&endpoint, ("svc", "svc-secret"), token).await;
    assert_eq!(status, StatusCode::OK);
}

/// Calls `check` until it returns true, for at most 20 s (the condition
/// depends on time passing; the test asserts it happens, not when).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Reports;
impl ScopeSet for Reports {
    const SCOPES: &'static [&'static str] = &["reports:read"];
}

struct Admin;
impl ScopeSet for Admin {
    const SCOPES: &'static [&'static str] = &["admin"];
}

async fn serve(verifier: AccessTokenVerifier) -> String {
    async fn reports(token: Bearer<Reports>) -> String {
        format!("reports for {} via {:?}", token.sub, token.client_id)
    }
    async fn admin(token: Bearer<Admin>) -> String {
        format!("admin {}", token.sub)
    }
    let app = Router::new()
        .route("/reports", get(reports))
        .route("/admin", get(admin))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn call(base: &str, path: &str, token: &str) -> (StatusCode, Option<String>, String) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{base}{path}"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status(), challenge, response.text().await.unwrap())
}

#[tokio::test]
async fn an_opaque_token_is_accepted_by_the_verifier_and_a_bearer_route() {
    let provider = provider(|p| p).await;
    let token = token(&provider, &["reports:read"]).await;
    assert_eq!(
        token.matches('.').count(),
        0,
        "the provider issued an opaque token"
    );
    let verifier = verifier(api_config(&provider)).await;

    let claims = verifier.verify(&token).await.expect("the API accepts it");
    assert_eq!(claims.sub, "svc");
    assert_eq!(claims.client_id.as_deref(), Some("svc"));
    assert_eq!(claims.scopes, ["reports:read"]);
    assert_eq!(claims.iss, provider.issuer_str());

    let base = serve(verifier).await;
    let (status, _, body) = call(&base, "/reports", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("reports for svc"), "{body}");

    // Missing scope: 403 insufficient_scope.
    let (status, challenge, _) = call(&base, "/admin", &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let challenge = challenge.unwrap();
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(challenge.contains(r#"scope="admin""#), "{challenge}");
}

#[tokio::test]
async fn revoked_expired_and_foreign_tokens_are_refused() {
    let provider = provider(|p| p).await;
    let base =
        serve(verifier(api_config(&provider).introspection_cache_ttl(Duration::ZERO)).await).await;

    // Revoked: 401 invalid_token.
    let revoked = token(&provider, &["reports:read"]).await;
    assert_eq!(call(&base, "/reports", &revoked).await.0, StatusCode::OK);
    revoke(&provider, &revoked).await;
    let (status, challenge, _) = call(&base, "/reports", &revoked).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge.as_deref(),
        Some(
            r#"Bearer realm="opaque-api", error="invalid_token", error_description="the access token is not active""#
        )
    );

    // Expired (2 s lifetime): the provider says inactive.
    let short_lived = self::provider(|p| p.token_ttl(Duration::from_secs(2))).await;
    let expiring = token(&short_lived, &["reports:read"]).await;
    let no_cache = verifier(api_config(&short_lived).introspection_cache_ttl(Duration::ZERO)).await;
    eventually("the token expires", async || {
        matches!(
            no_cache.verify(&expiring).await,
            Err(AccessTokenError::Inactive)
        )
    })
    .await;

    // Another API's audience.
    let other = verifier(
        ResourceServerConfig::new(provider.issuer_str(), "https://billing.example")
            .token_validation(TokenValidation::Introspection)
            .introspection_client("api", "api-secret"),
    )
    .await;
    let fresh = token(&provider, &["reports:read"]).await;
    match other.verify(&fresh).await {
        Err(error @ AccessTokenError::WrongAudience { .. }) => {
            assert_eq!(error.check_name(), "access_token.aud");
        }
        other => panic!("expected WrongAudience, got {other:?}"),
    }
}

#[tokio::test]
async fn answers_are_cached_within_the_bound_then_asked_again() {
    let provider = provider(|p| p).await;
    let token = token(&provider, &["reports:read"]).await;
    let short =
        verifier(api_config(&provider).introspection_cache_ttl(Duration::from_secs(1))).await;
    let long = verifier(api_config(&provider)).await;
    provider.clear_requests();

    long.verify(&token).await.expect("accepted");
    long.verify(&token).await.expect("accepted again");
    assert_eq!(
        provider.count(INTROSPECT),
        1,
        "the second check is answered by the cache"
    );
    assert_eq!(long.introspection_count(), 1);
    short.verify(&token).await.expect("accepted");

    revoke(&provider, &token).await;
    // Within its 60 s bound the long verifier still relies on its answer:
    // the bound is how long a revocation may go unnoticed.
    long.verify(&token).await.expect("cached");
    assert_eq!(long.introspection_count(), 1);
    // Past its 1 s bound the short one asks again, and hears "inactive".
    eventually("the short bound passes", async || {
        matches!(short.verify(&token).await, Err(AccessTokenError::Inactive))
    })
    .await;
    assert!(short.introspection_count() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_verifications_of_one_token_share_one_request() {
    let provider = provider(|p| p).await;
    let token = token(&provider, &["reports:read"]).await;
    let verifier = verifier(api_config(&provider)).await;
    provider.clear_requests();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (verifier, token) = (verifier.clone(), token.clone());
        tasks.spawn(async move { verifier.verify(&token).await.map(|c| c.sub) });
    }
    while let Some(done) = tasks.join_next().await {
        assert_eq!(done.unwrap().unwrap(), "svc");
    }
    assert_eq!(provider.count(INTROSPECT), 1);
}

#[tokio::test]
async fn bad_introspection_credentials_are_a_typed_error_and_a_500() {
    let provider = provider(|p| p).await;
    let token = token(&provider, &["reports:read"]).await;
    let config = api_config(&provider).introspection_client("api", "wrong");
    let verifier = verifier(config).await;
    match verifier.verify(&token).await {
        Err(error @ AccessTokenError::IntrospectionRefused { .. }) => {
            assert_eq!(error.check_name(), "introspection.refused");
            assert!(!error.to_string().contains(&token));
            let AccessTokenError::IntrospectionRefused { error, status, .. } = error else {
                unreachable!()
            };
            assert_eq!((error.as_str(), status), ("invalid_client", 401));
        }
        other => panic!("expected IntrospectionRefused, got {other:?}"),
    }
    let base = serve(verifier).await;
    let (status, challenge, _) = call(&base, "/reports", &token).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(challenge, None);
}

const API_KEY_PEM: &str = include_str!("../../../oidc-core/src/config/client_key/rsa.pem");
const OTHER_KEY_PEM: &str = include_str!("../../../oidc-core/src/config/client_key/rsa-other.pem");

fn client_key(pem: &str) -> ClientKey {
    ClientKey::from_pem(pem).expect("the test key reads")
}

/// An API that authenticates with a private key (`private_key_jwt`): the
/// provider checks its assertion like any client's, and an assertion
/// signed with another key is refused as the wrong secret is.
#[tokio::test]
async fn an_api_can_introspect_with_a_private_key() {
    let public = client_key(API_KEY_PEM);
    let provider = provider(|p| {
        p.client(
            DevClient::private_key_jwt("api-key", public.public_jwk()).redirect_uri(REDIRECT_URI),
        )
    })
    .await;
    let token = token(&provider, &["reports:read"]).await;
    let with_key =
        |pem: &str| api_config(&provider).introspection_client_key("api-key", client_key(pem));

    let right = verifier(with_key(API_KEY_PEM)).await;
    let claims = right.verify(&token).await.expect("the API accepts it");
    assert_eq!(claims.client_id.as_deref(), Some("svc"));

    let wrong = verifier(with_key(OTHER_KEY_PEM)).await;
    match wrong.verify(&token).await {
        Err(AccessTokenError::IntrospectionRefused { error, status, .. }) => {
            assert_eq!((error.as_str(), status), ("invalid_client", 401));
        }
        other => panic!("expected IntrospectionRefused, got {other:?}"),
    }
}

#[tokio::test]
async fn auto_verifies_jwts_locally_and_introspects_the_rest() {
    let jwt_provider = provider(|p| p.opaque_access_tokens(false)).await;
    let jwt = token(&jwt_provider, &["reports:read"]).await;
    let auto = verifier(api_config(&jwt_provider).token_validation(TokenValidation::Auto)).await;
    jwt_provider.clear_requests();
    auto.verify(&jwt).await.expect("a JWT verifies locally");
    assert_eq!(jwt_provider.count(INTROSPECT), 0);
    // In Introspection mode even a JWT is asked about.
    let always = verifier(api_config(&jwt_provider)).await;
    always.verify(&jwt).await.expect("introspected JWT");
    assert_eq!(jwt_provider.count(INTROSPECT), 1);
    // An opaque token in Auto mode is introspected.
    let opaque = token(&jwt_provider, &[]).await;
    assert!(opaque.contains('.'), "this provider issues JWTs");
    let opaque_provider = provider(|p| p).await;
    let opaque = token(&opaque_provider, &["reports:read"]).await;
    let auto = verifier(api_config(&opaque_provider).token_validation(TokenValidation::Auto)).await;
    auto.verify(&opaque).await.expect("introspected");
    assert_eq!(auto.introspection_count(), 1);
    // The default mode never introspects: an opaque token is no JWT.
    let local = verifier(ResourceServerConfig::new(
        opaque_provider.issuer_str(),
        format!("{}/api", opaque_provider.issuer_str()),
    ))
    .await;
    assert!(matches!(
        local.verify(&opaque).await,
        Err(AccessTokenError::Jws(_))
    ));
}

#[tokio::test]
async fn introspecting_needs_an_endpoint_and_credentials() {
    let provider = provider(|p| p.introspection_endpoint(false)).await;
    match AccessTokenVerifier::discover(api_config(&provider)).await {
        Err(DiscoveryError::MissingEndpoint(field)) => assert_eq!(field, "introspection_endpoint"),
        other => panic!("expected MissingEndpoint, got {other:?}"),
    }
    let without_credentials =
        ResourceServerConfig::new(provider.issuer_str(), "https://api.example")
            .token_validation(TokenValidation::Introspection);
    assert!(matches!(
        AccessTokenVerifier::discover(without_credentials).await,
        Err(DiscoveryError::Config(
            oidc_core::ConfigError::MissingIntrospectionClient
        ))
    ));
}

/// The API of `tests/interop/provider.mjs` whose tokens are opaque.
const OPAQUE_API: &str = "https://opaque.interop.example";

/// Against oidc-provider: `client-service` gets an opaque access token for
/// [`OPAQUE_API`], the API introspects it as `client-basic` and accepts
/// it, and refuses it once revoked.
#[tokio::test]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn interop_opaque_tokens_with_oidc_provider() {
    let key = client_key(API_KEY_PEM).kid("api-key");
    let extra = serde_json::json!([{
        "client_id": "api-pkjwt",
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": { "keys": [key.public_jwk()] },
    }]);
    let op = tests::interop_provider::OidcProvider::start_with_extra_clients(
        &[REDIRECT_URI],
        &extra.to_string(),
    );
    let config = ClientConfig::for_issuer(op.issuer())
        .client_id("client-service")
        .redirect_uri(REDIRECT_URI)
        .client_secret("secret-service")
        .auth_method(oidc_core::AuthMethod::ClientSecretBasic);
    let client = oidc_core::Client::discover(config)
        .await
        .expect("discovery");
    let service = ServiceClient::new(client)
        .scopes(["reports:read"])
        .resource(OPAQUE_API);
    let token = service
        .access_token()
        .await
        .expect("a token")
        .secret()
        .to_owned();
    assert!(!token.contains('.'), "an opaque token: {token}");

    let api = ResourceServerConfig::new(op.issuer(), OPAQUE_API)
        .token_validation(TokenValidation::Auto)
        .introspection_client("client-basic", "secret-basic")
        // oidc-provider lists both methods and holds each client to its own.
        .introspection_auth_method(oidc_core::AuthMethod::ClientSecretBasic)
        .introspection_cache_ttl(Duration::ZERO);
    let verifier = AccessTokenVerifier::discover(api).await.expect("discovery");
    let claims = verifier
        .verify(&token)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", op.log()));
    assert_eq!(claims.client_id.as_deref(), Some("client-service"));
    assert!(claims.has_scope("reports:read"), "{claims:?}");

    // The same answer for an API that authenticates with a private key.
    let keyed = ResourceServerConfig::new(op.issuer(), OPAQUE_API)
        .token_validation(TokenValidation::Introspection)
        .introspection_client_key("api-pkjwt", key)
        .introspection_cache_ttl(Duration::ZERO);
    let keyed = AccessTokenVerifier::discover(keyed)
        .await
        .expect("discovery");
    let claims = keyed
        .verify(&token)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", op.log()));
    assert_eq!(claims.client_id.as_deref(), Some("client-service"));

    let endpoint = format!("{}/token/revocation", op.issuer());
    let status = revoke_at(&endpoint, ("client-service", "secret-service"), &token).await;
    assert!(status.is_success(), "{status}");
    assert!(matches!(
        verifier.verify(&token).await,
        Err(AccessTokenError::Inactive)
    ));
}

/// `examples/api_server` with introspection credentials, as its header
/// documents it: the dev provider binary issuing opaque tokens, and
/// `examples/service_client` calling the API with one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_api_accepts_opaque_tokens_with_introspection_credentials() {
    use tests::processes::{binary, example, free_port, start};
    let (provider_port, api_port) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let _provider = start(
        &binary("oidc-dev-provider", "oidc-dev-provider"),
        &[
            "--addr",
            &format!("127.0.0.1:{provider_port}"),
            "--opaque-access-tokens",
            "--client",
            "reports:s3cret:http://127.0.0.1/unused",
            "--client",
            "api:api-secret:http://127.0.0.1/unused",
        ],
        &[],
        "issuer:",
    );
    let api = start(
        &example("api_server"),
        &[],
        &[
            ("API_ISSUER", issuer.clone()),
            ("API_ADDR", format!("127.0.0.1:{api_port}")),
            ("API_INTROSPECTION_CLIENT_ID", "api".to_owned()),
            ("API_INTROSPECTION_CLIENT_SECRET", "api-secret".to_owned()),
        ],
        "listening on",
    );
    assert!(api.ready_line.contains("Auto"), "{}", api.ready_line);
    let service = start(
        &example("service_client"),
        &[],
        &[
            ("SERVICE_ISSUER", issuer),
            ("SERVICE_CLIENT_ID", "reports".to_owned()),
            ("SERVICE_CLIENT_SECRET", "s3cret".to_owned()),
            ("SERVICE_SCOPES", "reports:read".to_owned()),
            ("SERVICE_API", format!("http://127.0.0.1:{api_port}/api/me")),
        ],
        "call 2:",
    );
    let line = &service.ready_line;
    assert!(line.contains("200 OK"), "{line}");
    assert!(line.contains(r#""sub":"reports""#), "{line}");
}

/// A provider whose introspection endpoint misbehaves: every failure is
/// the server's (503, no challenge), typed, and not cached.
#[tokio::test]
async fn an_introspection_outage_is_a_503_and_is_not_cached() {
    use oidc_core::TransportError;
    use oidc_dev_provider::{Endpoint, Fault, HttpFault};
    let provider = provider(|p| p).await;
    let token = token(&provider, &["reports:read"]).await;
    let verifier = verifier(api_config(&provider).http_timeout(Duration::from_secs(2))).await;
    let replace = |status: u16, content_type: &str, body: &str| HttpFault::Replace {
        status,
        content_type: Some(content_type.to_owned()),
        body: body.as_bytes().to_vec(),
    };
    /// Whether an error is the one a fault should cause.
    type Expected = fn(&AccessTokenError) -> bool;
    let cases: Vec<(HttpFault, Expected)> = vec![
        (replace(503, "text/html", "down"), |e| {
            matches!(
                e,
                AccessTokenError::IntrospectionUnavailable(TransportError::Status {
                    status: 503,
                    ..
                })
            )
        }),
        (replace(200, "text/html", "<p>active</p>"), |e| {
            matches!(e, AccessTokenError::IntrospectionInvalidResponse(_))
        }),
        (
            replace(200, "application/json", r#"{"active":"true"}"#),
            |e| matches!(e, AccessTokenError::IntrospectionInvalidResponse(_)),
        ),
        (
            HttpFault::Huge {
                bytes: 2 * 1024 * 1024,
                chunked: true,
            },
            |e| {
                matches!(
                    e,
                    AccessTokenError::IntrospectionUnavailable(TransportError::BodyTooLarge { .. })
                )
            },
        ),
        (
            HttpFault::Redirect {
                status: 307,
                location: "http://127.0.0.1:9/elsewhere".into(),
            },
            |e| {
                matches!(
                    e,
                    AccessTokenError::IntrospectionUnavailable(TransportError::Redirect { .. })
                )
            },
        ),
        (HttpFault::Delay(Duration::from_secs(5)), |e| {
            matches!(
                e,
                AccessTokenError::IntrospectionUnavailable(TransportError::Timeout { .. })
            )
        }),
    ];
    for (fault, expected) in cases {
        provider.clear_faults();
        provider.inject(Fault::http(Endpoint::Introspection, fault.clone()));
        let error = verifier.verify(&token).await.unwrap_err();
        assert!(expected(&error), "{fault:?}: {error:?}");
        assert_eq!(error.server_status(), Some(503), "{error:?}");
        assert!(!error.to_string().contains(&token));
    }
    let base = serve(verifier.clone()).await;
    let (status, challenge, body) = call(&base, "/reports", &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(challenge, None);

    // Nothing of it was cached: once the provider recovers, the token passes.
    provider.clear_faults();
    verifier.verify(&token).await.expect("accepted again");
    assert_eq!(call(&base, "/reports", &token).await.0, StatusCode::OK);
}
