//! The UserInfo response (OpenID Connect Core 5.3): another user's `sub`,
//! errors, wrong types, non-JSON, signed responses the client did not ask
//! for. The response is the last request of a login: nothing follows it.

use super::harness::Env;
use oidc_core::TokenError;
use oidc_dev_provider::{Edit, Endpoint, Fault, HttpFault};
use serde_json::json;

async fn userinfo_attack(what: &str, fault: Fault) -> TokenError {
    let env = Env::new().await;
    env.inject(fault);
    let login = env.code_received().await;
    env.clear();
    let error = match login.exchange().await {
        Ok(_) => panic!("{what}: the login was accepted"),
        Err(error) => error,
    };
    assert_eq!(
        env.requests(),
        ["POST /token", "GET /jwks", "GET /userinfo"],
        "{what}"
    );
    error
}

fn claims(edit: Edit) -> Fault {
    Fault::userinfo(edit)
}

fn replace(status: u16, content_type: Option<&str>, body: &[u8]) -> Fault {
    Fault::http(
        Endpoint::UserInfo,
        HttpFault::Replace {
            status,
            content_type: content_type.map(str::to_owned),
            body: body.to_vec(),
        },
    )
}

fn rejected(error: &TokenError, needle: &str) -> bool {
    matches!(error, TokenError::UserInfo(m) if m.contains(needle))
}

#[tokio::test]
async fn sub_of_another_user() {
    let e = userinfo_attack("sub", claims(Edit::set("sub", "someone-else"))).await;
    assert!(
        matches!(&e, TokenError::SubjectMismatch { found, source_name, .. }
            if found == "someone-else" && source_name.contains("UserInfo")),
        "{e:?}"
    );
}

#[tokio::test]
async fn sub_missing() {
    let e = userinfo_attack("no sub", claims(Edit::remove("sub"))).await;
    assert!(rejected(&e, "`sub` is missing"), "{e:?}");
}

#[tokio::test]
async fn sub_not_a_string() {
    let e = userinfo_attack("sub: 1", claims(Edit::set("sub", 1))).await;
    assert!(rejected(&e, "`sub` is not a string"), "{e:?}");
}

#[tokio::test]
async fn sub_differs_in_case() {
    let env = Env::new().await;
    let sub = env.provider.users()[0].sub.to_uppercase();
    env.inject(claims(Edit::set("sub", sub)));
    let login = env.code_received().await;
    let error = login.exchange().await.expect_err("case matters");
    assert!(
        matches!(error, TokenError::SubjectMismatch { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn email_not_a_string() {
    let e = userinfo_attack("email: []", claims(Edit::set("email", json!([])))).await;
    assert!(rejected(&e, "`email`"), "{e:?}");
}

#[tokio::test]
async fn email_verified_not_a_boolean() {
    let e = userinfo_attack("email_verified: 1", claims(Edit::set("email_verified", 1))).await;
    assert!(rejected(&e, "email_verified"), "{e:?}");
}

#[tokio::test]
async fn an_invalid_token_error() {
    let e = userinfo_attack(
        "401",
        Fault::http(
            Endpoint::UserInfo,
            HttpFault::OAuthError {
                status: 401,
                error: "invalid_token".into(),
                description: None,
            },
        ),
    )
    .await;
    assert!(rejected(&e, "HTTP status 401"), "{e:?}");
}

#[tokio::test]
async fn a_server_error() {
    let e = userinfo_attack("500", replace(500, None, b"")).await;
    assert!(rejected(&e, "HTTP status 500"), "{e:?}");
}

#[tokio::test]
async fn not_json() {
    let e = userinfo_attack("html", replace(200, Some("text/html"), b"<p>alice</p>")).await;
    assert!(rejected(&e, "not JSON"), "{e:?}");
}

#[tokio::test]
async fn a_json_array() {
    let e = userinfo_attack("array", replace(200, Some("application/json"), b"[{}]")).await;
    assert!(rejected(&e, "JSON object"), "{e:?}");
}

#[tokio::test]
async fn duplicate_members() {
    let env = Env::new().await;
    let sub = env.provider.users()[0].sub.clone();
    let body = format!(r#"{{"sub":"{sub}","sub":"someone-else"}}"#);
    env.inject(replace(200, Some("application/json"), body.as_bytes()));
    let login = env.code_received().await;
    let error = login.exchange().await.expect_err("duplicate sub");
    assert!(rejected(&error, "duplicate"), "{error:?}");
}

#[tokio::test]
async fn a_signed_response_the_client_did_not_ask_for() {
    let e = userinfo_attack(
        "application/jwt",
        replace(
            200,
            Some("application/jwt"),
            b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        ),
    )
    .await;
    assert!(rejected(&e, "signed or encrypted"), "{e:?}");
}

#[tokio::test]
async fn an_empty_body() {
    let e = userinfo_attack("empty", replace(200, Some("application/json"), b"")).await;
    assert!(rejected(&e, "JSON object"), "{e:?}");
}

#[tokio::test]
async fn another_email_without_email_verified_is_not_verified() {
    // The ID token says alice@example.com is verified; UserInfo names
    // another address and says nothing of it. The ID token's flag is about
    // alice's address: it must not vouch for this one.
    let env = Env::new().await;
    env.inject(claims(Edit::set("email", "mallory@example.com")));
    env.inject(claims(Edit::remove("email_verified")));
    let login = env.login().await;
    assert_eq!(env.count("/userinfo"), 1);
    assert_eq!(login.email(), Some("mallory@example.com"));
    assert_eq!(login.email_verified(), None);
    assert_eq!(login.id_token_claims().email_verified, Some(true));
}

#[tokio::test]
async fn the_same_email_without_email_verified_keeps_the_id_tokens_flag() {
    let env = Env::new().await;
    env.inject(claims(Edit::remove("email_verified")));
    let login = env.login().await;
    assert_eq!(env.count("/userinfo"), 1);
    assert_eq!(login.email(), Some(super::harness::USER));
    assert_eq!(login.email_verified(), Some(true));
}

#[tokio::test]
async fn another_email_with_its_own_email_verified_keeps_it() {
    let env = Env::new().await;
    env.inject(claims(Edit::set("email", "alice@work.example")));
    env.inject(claims(Edit::set("email_verified", false)));
    let login = env.login().await;
    assert_eq!(login.email(), Some("alice@work.example"));
    assert_eq!(login.email_verified(), Some(false));
}
