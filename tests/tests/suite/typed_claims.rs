//! Typed claims: a provider's own claims (roles, tenant) read as the
//! application's serde type through the login, `SignedIn` in an axum
//! handler, and an API's access token, against the dev provider (which
//! adds the claims by fault injection: it has no custom claims of its own).

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use oidc_core::web::{Oidc, SignedIn, memory_session_layer};
use oidc_core::{
    AccessTokenVerifier, ClaimProblem, ClaimsTypeError, ResourceServerConfig, ResponseMode,
};
use oidc_dev_provider::{Edit, Fault, TokenKind};
use serde::Deserialize;
use serde_json::json;
use tests::browser::Browser;
use tests::dev_login::UserAction;
use tests::fixture::{self, Fixture, Site, USER, sign_in_at};

/// Nothing listens here: the flow tests take the response from the browser.
const REDIRECT_URI: &str = "http://127.0.0.1:9/typed-claims/callback";

/// What an application reads of its provider's custom claims.
#[derive(Debug, Deserialize)]
struct Custom {
    roles: Vec<String>,
    tenant: Option<String>,
}

/// The provider puts `roles` in the ID token and `tenant` in the user's
/// claims (the token response's inline `userinfo`), as providers split them.
fn add_custom_claims(provider: &Fixture) {
    provider.inject(Fault::id_claim(Edit::set("roles", json!(["admin", "ops"]))));
    provider.inject(Fault::token_response(Edit::set("/userinfo/tenant", "acme")));
}

#[tokio::test]
async fn the_login_reads_custom_claims_from_the_id_token_and_the_user_claims() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    add_custom_claims(&provider);
    let login = fixture::sign_in(&provider.client().await).await.unwrap();

    let custom: Custom = login.claims().unwrap();
    assert_eq!(custom.roles, ["admin", "ops"]);
    assert_eq!(custom.tenant.as_deref(), Some("acme"));

    // Each source alone, when the application wants to know which said it.
    let from_id_token: Custom = login.id_token_claims().claims().unwrap();
    assert_eq!(from_id_token.roles, ["admin", "ops"]);
    assert_eq!(from_id_token.tenant, None);
    let error = login.user().claims::<Custom>().unwrap_err();
    assert_eq!(error.path, "roles");
    assert_eq!(error.problem, ClaimProblem::Missing);
}

#[tokio::test]
async fn a_claim_of_another_type_is_a_typed_error_naming_it_not_its_value() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    provider.inject(Fault::id_claim(Edit::set("roles", "tenant-admin-of-acme")));
    let login = fixture::sign_in(&provider.client().await).await.unwrap();

    let error: ClaimsTypeError = login.claims::<Custom>().unwrap_err();
    assert_eq!(error.path, "roles");
    assert_eq!(
        error.problem,
        ClaimProblem::WrongType {
            found: Some("string"),
            expected: Some("a sequence".into()),
        }
    );
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("tenant-admin-of-acme"), "{shown}");
    }
    // Applications that handle errors in one place get it through `?`.
    let error = oidc_core::Error::from(error);
    assert_eq!(error.check_name(), "claims.type");
}

/// A handler reading the signed-in user's custom claims; a type mismatch
/// is the application's to answer (here 500, naming the claim only).
async fn roles(user: SignedIn) -> Result<String, (StatusCode, String)> {
    let custom: Custom = user
        .claims()
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(format!(
        "roles={} tenant={}",
        custom.roles.join(","),
        custom.tenant.unwrap_or_default()
    ))
}

#[tokio::test]
async fn signed_in_reads_custom_claims_in_a_handler() {
    let site = Site::bind().await;
    let redirect_uri = site.url("/callback");
    let provider = Fixture::builder("web-app", "web-secret", &redirect_uri)
        .start()
        .await;
    add_custom_claims(&provider);
    let oidc = Oidc::discover(provider.config().response_mode(ResponseMode::Query))
        .await
        .unwrap();
    let app = Router::new()
        .route("/roles", get(roles))
        .merge(oidc.routes())
        .layer(memory_session_layer())
        .with_state(oidc);
    let base = site.serve(app);

    let browser = Browser::new();
    let done = sign_in_at(
        &browser,
        &format!("{base}/login"),
        &redirect_uri,
        UserAction::SignIn(USER),
    )
    .await
    .page;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "{}", done.body());
    let page = browser.get(format!("{base}/roles")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "{}", page.body());
    assert_eq!(page.body(), "roles=admin,ops tenant=acme");
}

#[tokio::test]
async fn an_api_reads_an_access_tokens_custom_claims() {
    let provider = Fixture::builder("app", "app-secret", REDIRECT_URI)
        .start()
        .await;
    provider.inject(Fault::Claim {
        token: TokenKind::AccessToken,
        edit: Edit::set("roles", json!(["reader"])),
    });
    let client = provider
        .discover(|c| c.response_mode(ResponseMode::Query))
        .await;
    let login = fixture::sign_in(&client).await.unwrap();
    let verifier = AccessTokenVerifier::discover(ResourceServerConfig::new(
        provider.issuer_str(),
        format!("{}/api", provider.issuer_str()),
    ))
    .await
    .unwrap();

    let token = verifier
        .verify(login.tokens().access_token.secret())
        .await
        .unwrap();
    let custom: Custom = token.claims().unwrap();
    assert_eq!(custom.roles, ["reader"]);
    assert_eq!(custom.tenant, None);

    // A type that wants what the token lacks: named, not guessed.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct NeedsTenant {
        tenant: String,
    }
    let error = token.claims::<NeedsTenant>().unwrap_err();
    assert_eq!(error.path, "tenant");
    assert_eq!(error.problem, ClaimProblem::Missing);
}
