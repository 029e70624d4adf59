//! The client credentials grant (RFC 6749 section 4.4) against the dev
//! provider: `ServiceClient` caches its token until the leeway, fetches a
//! new one once under concurrency, the token verifies at an API, and
//! `examples/service_client` runs as documented.

use oidc_core::{
    AccessTokenVerifier, ClientConfig, ResourceServerConfig, ServiceClient, TokenError,
};
use oidc_dev_provider::DevClient;
use std::collections::HashSet;
use std::time::Duration;
use tests::fixture::Fixture;
use tests::processes::{binary, example, free_port, start};

const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
const TOKEN: &str = "/token";

async fn provider(ttl: Duration) -> Fixture {
    Fixture::builder("svc", "svc-secret", REDIRECT_URI)
        .provider(|p| p.token_ttl(ttl))
        .start()
        .await
}

/// The distinct tokens `n` tasks got from `access_token()` at once.
async fn concurrently(service: &ServiceClient, n: usize) -> HashSet<String> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let service = service.clone();
        tasks.spawn(async move { service.access_token().await });
    }
    let mut tokens = HashSet::new();
    while let Some(joined) = tasks.join_next().await {
        tokens.insert(joined.unwrap().expect("a token").secret().to_owned());
    }
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_callers_cause_one_token_request() {
    let provider = provider(Duration::from_secs(300)).await;
    let service = ServiceClient::new(provider.client().await).scopes(["reports:read"]);
    provider.clear_requests();

    let tokens = concurrently(&service, 20).await;
    assert_eq!(tokens.len(), 1, "every caller got the same token");
    assert_eq!(provider.count(TOKEN), 1, "one token request for 20 callers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cached_token_is_reused_until_the_leeway_then_replaced_once() {
    // Valid for 3 s, replaced 1 s before: fresh for the first 2 s.
    let provider = provider(Duration::from_secs(3)).await;
    let service = ServiceClient::new(provider.client().await).leeway(Duration::from_secs(1));
    provider.clear_requests();

    let first = service.access_token().await.expect("a token");
    let again = service.access_token().await.expect("the cached token");
    assert_eq!(first.secret(), again.secret());
    assert_eq!(provider.count(TOKEN), 1);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let renewed = concurrently(&service, 10).await;
    assert_eq!(renewed.len(), 1);
    assert!(!renewed.contains(first.secret()), "the token was replaced");
    assert_eq!(provider.count(TOKEN), 2, "replaced once");
}

#[tokio::test]
async fn the_token_verifies_at_the_api_with_the_client_as_subject_and_the_scopes() {
    let provider = provider(Duration::from_secs(300)).await;
    let service = ServiceClient::new(provider.client().await).scopes(["reports:read", "audit"]);
    let token = service.access_token().await.expect("a token");

    let api = ResourceServerConfig::new(
        provider.issuer_str(),
        format!("{}/api", provider.issuer_str()),
    )
    .required_scopes(["reports:read"]);
    let verifier = AccessTokenVerifier::discover(api).await.unwrap();
    let claims = verifier
        .verify(token.secret())
        .await
        .expect("the API accepts it");
    assert_eq!(claims.sub, "svc");
    assert_eq!(claims.client_id.as_deref(), Some("svc"));
    assert_eq!(claims.scopes, ["reports:read", "audit"]);

    // Another API's audience refuses it.
    let other = ResourceServerConfig::new(provider.issuer_str(), "https://billing.example");
    let other = AccessTokenVerifier::discover(other).await.unwrap();
    assert!(other.verify(token.secret()).await.is_err());
}

#[tokio::test]
async fn a_provider_refusal_is_a_typed_error_and_is_not_cached() {
    let provider = Fixture::builder("svc", "svc-secret", REDIRECT_URI)
        .provider(|p| p.client(DevClient::public("spa").redirect_uri(REDIRECT_URI)))
        .start()
        .await;

    // A wrong secret: invalid_client.
    let wrong = provider
        .discover(|c| c.client_secret("not-the-secret"))
        .await;
    let service = ServiceClient::new(wrong);
    provider.clear_requests();
    for _ in 0..2 {
        match service.access_token().await {
            Err(error @ TokenError::Provider { .. }) => {
                assert_eq!(error.check_name(), "token.provider_error");
                let TokenError::Provider { error, .. } = error else {
                    unreachable!()
                };
                assert_eq!(error, "invalid_client");
            }
            other => panic!("expected invalid_client, got {other:?}"),
        }
    }
    assert_eq!(provider.count(TOKEN), 2, "a failure is not cached");

    // A public client may not act on its own behalf.
    let config = ClientConfig::for_issuer(provider.issuer_str())
        .client_id("spa")
        .redirect_uri(REDIRECT_URI);
    let public = oidc_core::Client::discover(config).await.unwrap();
    match ServiceClient::new(public).access_token().await {
        Err(TokenError::Provider { error, .. }) => assert_eq!(error, "unauthorized_client"),
        other => panic!("expected unauthorized_client, got {other:?}"),
    }
}

/// `examples/service_client` as its header documents it: the dev provider
/// binary, `examples/api_server`, and the service calling it twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_client_example_calls_the_example_api() {
    let (provider_port, api_port) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let _provider = start(
        &binary("oidc-dev-provider", "oidc-dev-provider"),
        &[
            "--addr",
            &format!("127.0.0.1:{provider_port}"),
            "--client",
            "reports:s3cret:http://127.0.0.1/unused",
        ],
        &[],
        "issuer:",
    );
    let _api = start(
        &example("api_server"),
        &[],
        &[
            ("API_ISSUER", issuer.clone()),
            ("API_ADDR", format!("127.0.0.1:{api_port}")),
        ],
        "listening on",
    );
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
    assert!(line.contains(r#""scopes":["reports:read"]"#), "{line}");
}

/// The API the interop tokens are for: oidc-provider issues a JWT access
/// token when the request names it with `resource` (RFC 8707).
const INTEROP_API: &str = "https://api.interop.example";

/// Against oidc-provider (`client-service` in `tests/interop/provider.mjs`):
/// a shared token for concurrent callers that verifies at the API, and a
/// wrong secret refused with a typed error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs Node.js and `npm ci --prefix tests/interop`; run by the README test command"]
async fn interop_client_credentials_with_oidc_provider() {
    let op = tests::interop_provider::OidcProvider::start(&[REDIRECT_URI]);
    let config = |secret: &str| {
        ClientConfig::for_issuer(op.issuer())
            .client_id("client-service")
            .redirect_uri(REDIRECT_URI)
            .client_secret(secret)
            .auth_method(oidc_core::AuthMethod::ClientSecretBasic)
    };
    let client = oidc_core::Client::discover(config("secret-service"))
        .await
        .expect("discovery");
    let service = ServiceClient::new(client)
        .scopes(["reports:read"])
        .resource(INTEROP_API);
    let tokens = concurrently(&service, 10).await;
    assert_eq!(tokens.len(), 1, "one token for every caller");
    let token = tokens.into_iter().next().unwrap();

    let api = ResourceServerConfig::new(op.issuer(), INTEROP_API).required_scopes(["reports:read"]);
    let verifier = AccessTokenVerifier::discover(api).await.unwrap();
    let claims = verifier.verify(&token).await.expect("the API accepts it");
    assert_eq!(claims.sub, "client-service");
    assert_eq!(claims.scopes, ["reports:read"]);

    let wrong = oidc_core::Client::discover(config("not-the-secret"))
        .await
        .expect("discovery");
    match ServiceClient::new(wrong).access_token().await {
        Err(TokenError::Provider { error, .. }) => assert_eq!(error, "invalid_client"),
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

/// A `tracing` writer that keeps what was written, to read back.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The request is traced as `oidc.client_credentials` around
/// `oidc.token_request` (grant `client_credentials`) with its outcome, and
/// neither the token nor the secret reaches the log; a cached token logs
/// nothing.
#[tokio::test]
async fn the_request_is_traced_without_secrets() {
    use tracing_subscriber::layer::SubscriberExt;
    let provider = provider(Duration::from_secs(300)).await;
    let service = ServiceClient::new(provider.client().await).scopes(["reports:read"]);

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::filter::Targets::new()
                // A successful step's `done` event, which the fmt layer
                // prints with its span's fields, is DEBUG.
                .with_target("oidc_core", tracing::Level::DEBUG),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
    let guard = crate::log_capture::scoped(subscriber);
    let token = service.access_token().await.expect("a token");
    let first = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    service.access_token().await.expect("the cached token");
    let second = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    drop(guard);

    assert!(first.contains("oidc.client_credentials"), "{first}");
    assert!(first.contains(r#"grant="client_credentials""#), "{first}");
    assert!(first.contains(r#"outcome="ok""#), "{first}");
    assert!(!first.contains(token.secret()), "{first}");
    assert!(!first.contains("svc-secret"), "{first}");
    assert_eq!(first, second, "a cached token makes no request to trace");
}
