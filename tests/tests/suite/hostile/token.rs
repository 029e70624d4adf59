//! The token endpoint's response (RFC 6749 5.1, 5.2): OAuth errors, wrong
//! types, missing members, non-JSON, duplicate members, and the guide's
//! inline `userinfo` naming another user. No UserInfo request may follow.

use super::harness::{Env, now};
use oidc_core::TokenError;
use oidc_dev_provider::{Edit, Endpoint, Fault, HttpFault};
use serde_json::{Value, json};

async fn token_attack(what: &str, fault: Fault) -> TokenError {
    let env = Env::new().await;
    env.inject(fault);
    env.exchange_error(what).await
}

fn body(edit: Edit) -> Fault {
    Fault::token_response(edit)
}

fn replace(status: u16, content_type: Option<&str>, body: &[u8]) -> Fault {
    Fault::http(
        Endpoint::Token,
        HttpFault::Replace {
            status,
            content_type: content_type.map(str::to_owned),
            body: body.to_vec(),
        },
    )
}

fn invalid(error: &TokenError, needle: &str) -> bool {
    matches!(error, TokenError::InvalidResponse(m) if m.contains(needle))
}

// ---- errors ------------------------------------------------------------------------------

#[tokio::test]
async fn an_oauth_error() {
    let e = token_attack(
        "invalid_grant",
        Fault::http(
            Endpoint::Token,
            HttpFault::OAuthError {
                status: 400,
                error: "invalid_grant".into(),
                description: Some("The code was already used.".into()),
            },
        ),
    )
    .await;
    assert!(
        matches!(&e, TokenError::Provider { error, description: Some(d), status: 400, .. }
            if error == "invalid_grant" && d.contains("already used")),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_oauth_error_with_status_200() {
    let e = token_attack("error in 200", body(Edit::set("error", "invalid_request"))).await;
    assert!(
        matches!(&e, TokenError::Provider { error, status: 200, .. } if error == "invalid_request"),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_server_error_without_a_body() {
    let e = token_attack("500", replace(500, None, b"")).await;
    assert!(invalid(&e, "HTTP status 500"), "{e:?}");
}

#[tokio::test]
async fn an_error_status_with_an_html_page() {
    let e = token_attack(
        "502 html",
        replace(502, Some("text/html"), b"<h1>Bad gateway</h1>"),
    )
    .await;
    assert!(invalid(&e, "HTTP status 502"), "{e:?}");
}

// ---- not a JSON object ---------------------------------------------------------------------

#[tokio::test]
async fn a_success_that_is_not_json() {
    let e = token_attack(
        "html 200",
        replace(200, Some("text/html"), b"<html>ok</html>"),
    )
    .await;
    assert!(invalid(&e, "content type"), "{e:?}");
}

#[tokio::test]
async fn a_success_without_a_content_type() {
    let e = token_attack(
        "no content type",
        replace(200, None, br#"{"access_token":"a"}"#),
    )
    .await;
    assert!(invalid(&e, "content type"), "{e:?}");
}

#[tokio::test]
async fn a_json_array() {
    let e = token_attack("array", replace(200, Some("application/json"), b"[]")).await;
    assert!(invalid(&e, "JSON object"), "{e:?}");
}

#[tokio::test]
async fn an_empty_body() {
    let e = token_attack("empty", replace(200, Some("application/json"), b"")).await;
    assert!(invalid(&e, "JSON object"), "{e:?}");
}

#[tokio::test]
async fn truncated_json() {
    let e = token_attack(
        "truncated",
        replace(
            200,
            Some("application/json"),
            br#"{"access_token":"a","id_tok"#,
        ),
    )
    .await;
    assert!(invalid(&e, "JSON object"), "{e:?}");
}

#[tokio::test]
async fn duplicate_members() {
    let e = token_attack(
        "access_token twice",
        replace(
            200,
            Some("application/json"),
            br#"{"access_token":"a","token_type":"Bearer","access_token":"b"}"#,
        ),
    )
    .await;
    assert!(invalid(&e, "duplicate"), "{e:?}");
}

// ---- members -------------------------------------------------------------------------------

#[tokio::test]
async fn access_token_missing() {
    let e = token_attack("no access_token", body(Edit::remove("access_token"))).await;
    assert!(invalid(&e, "access_token"), "{e:?}");
}

#[tokio::test]
async fn access_token_empty() {
    let e = token_attack("access_token ''", body(Edit::set("access_token", ""))).await;
    assert!(invalid(&e, "access_token"), "{e:?}");
}

#[tokio::test]
async fn access_token_not_a_string() {
    let e = token_attack(
        "access_token: {}",
        body(Edit::set("access_token", json!({}))),
    )
    .await;
    assert!(invalid(&e, "access_token"), "{e:?}");
}

#[tokio::test]
async fn token_type_not_bearer() {
    let e = token_attack("DPoP", body(Edit::set("token_type", "DPoP"))).await;
    assert!(
        matches!(&e, TokenError::UnsupportedTokenType(t) if t == "DPoP"),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_type_mac() {
    let e = token_attack("mac", body(Edit::set("token_type", "mac"))).await;
    assert!(
        matches!(&e, TokenError::UnsupportedTokenType(t) if t == "mac"),
        "{e:?}"
    );
}

#[tokio::test]
async fn token_type_missing() {
    // RFC 6749 5.1: required. Without the guide's inline `userinfo` the
    // response is not the guide's either; the access token goes nowhere.
    let e = token_attack("no token_type", body(Edit::remove("token_type"))).await;
    assert!(invalid(&e, "`token_type` is missing"), "{e:?}");
}

#[tokio::test]
async fn token_type_null() {
    let e = token_attack(
        "token_type: null",
        body(Edit::set("token_type", Value::Null)),
    )
    .await;
    assert!(invalid(&e, "`token_type` is missing"), "{e:?}");
}

#[tokio::test]
async fn token_type_missing_in_the_guides_shape_is_accepted() {
    // The guide's response: inline `userinfo` and no token_type (Bearer).
    let env = Env::guide().await;
    env.inject(body(Edit::remove("token_type")));
    let login = env.login().await;
    assert_eq!(login.tokens().token_type, "Bearer");
    assert_eq!(env.count("/userinfo"), 0);
}

#[tokio::test]
async fn token_type_missing_with_a_null_userinfo() {
    let env = Env::guide().await;
    env.inject(body(Edit::remove("token_type")));
    env.inject(body(Edit::set("userinfo", Value::Null)));
    let e = env.exchange_error("no token_type, userinfo null").await;
    assert!(invalid(&e, "`token_type` is missing"), "{e:?}");
}

#[tokio::test]
async fn token_type_not_a_string() {
    let e = token_attack("token_type: 1", body(Edit::set("token_type", 1))).await;
    assert!(invalid(&e, "token_type"), "{e:?}");
}

#[tokio::test]
async fn id_token_missing() {
    let e = token_attack("no id_token", body(Edit::remove("id_token"))).await;
    assert!(matches!(e, TokenError::MissingIdToken), "{e:?}");
}

#[tokio::test]
async fn id_token_not_a_string() {
    let e = token_attack("id_token: []", body(Edit::set("id_token", json!([])))).await;
    assert!(invalid(&e, "id_token"), "{e:?}");
}

#[tokio::test]
async fn expires_in_negative() {
    let e = token_attack("expires_in -1", body(Edit::set("expires_in", -1))).await;
    assert!(invalid(&e, "expires_in"), "{e:?}");
}

#[tokio::test]
async fn expires_in_not_a_number() {
    let e = token_attack("expires_in soon", body(Edit::set("expires_in", "soon"))).await;
    assert!(invalid(&e, "expires_in"), "{e:?}");
}

#[tokio::test]
async fn expires_in_an_object() {
    let e = token_attack(
        "expires_in {}",
        body(Edit::set("expires_in", json!({"s": 1}))),
    )
    .await;
    assert!(invalid(&e, "expires_in"), "{e:?}");
}

#[tokio::test]
async fn refresh_token_not_a_string() {
    let e = token_attack("refresh_token: 1", body(Edit::set("refresh_token", 1))).await;
    assert!(invalid(&e, "refresh_token"), "{e:?}");
}

#[tokio::test]
async fn scope_not_a_string() {
    let e = token_attack("scope: []", body(Edit::set("scope", json!(["openid"])))).await;
    assert!(invalid(&e, "scope"), "{e:?}");
}

// ---- the guide's inline userinfo --------------------------------------------------------------

async fn inline_attack(what: &str, edit: Edit) -> TokenError {
    let env = Env::guide().await;
    env.inject(body(edit));
    env.exchange_error(what).await
}

#[tokio::test]
async fn inline_userinfo_of_another_user() {
    let e = inline_attack("inline sub", Edit::set("/userinfo/sub", "someone-else")).await;
    assert!(
        matches!(&e, TokenError::SubjectMismatch { found, .. } if found == "someone-else"),
        "{e:?}"
    );
}

#[tokio::test]
async fn inline_userinfo_without_sub() {
    let e = inline_attack("inline no sub", Edit::remove("/userinfo/sub")).await;
    assert!(
        matches!(&e, TokenError::UserInfo(m) if m.contains("`sub`")),
        "{e:?}"
    );
}

#[tokio::test]
async fn inline_userinfo_sub_not_a_string() {
    let e = inline_attack("inline sub: 1", Edit::set("/userinfo/sub", 1)).await;
    assert!(
        matches!(&e, TokenError::UserInfo(m) if m.contains("`sub`")),
        "{e:?}"
    );
}

#[tokio::test]
async fn inline_userinfo_not_an_object() {
    let e = inline_attack("inline: string", Edit::set("userinfo", "alice")).await;
    assert!(invalid(&e, "userinfo"), "{e:?}");
}

#[tokio::test]
async fn inline_userinfo_email_not_a_string() {
    let e = inline_attack("inline email: 1", Edit::set("/userinfo/email", 1)).await;
    assert!(
        matches!(&e, TokenError::UserInfo(m) if m.contains("`email`")),
        "{e:?}"
    );
}

#[tokio::test]
async fn inline_userinfo_email_verified_not_a_boolean() {
    let e = inline_attack(
        "inline email_verified",
        Edit::set("/userinfo/email_verified", "maybe"),
    )
    .await;
    assert!(
        matches!(&e, TokenError::UserInfo(m) if m.contains("email_verified")),
        "{e:?}"
    );
}

#[tokio::test]
async fn inline_userinfo_with_another_email_and_no_email_verified() {
    // The ID token says alice@example.com is verified; the inline object
    // names another address and says nothing of it: not verified.
    let env = Env::guide().await;
    env.inject(body(Edit::set("/userinfo/email", "mallory@example.com")));
    env.inject(body(Edit::remove("/userinfo/email_verified")));
    let login = env.login().await;
    assert_eq!(login.email(), Some("mallory@example.com"));
    assert_eq!(login.email_verified(), None);
    assert_eq!(login.id_token_claims().email_verified, Some(true));
}

#[tokio::test]
async fn inline_userinfo_with_the_same_email_and_no_email_verified() {
    let env = Env::guide().await;
    env.inject(body(Edit::remove("/userinfo/email_verified")));
    let login = env.login().await;
    assert_eq!(login.email(), Some(super::harness::USER));
    assert_eq!(login.email_verified(), Some(true));
}

#[tokio::test]
async fn expires_in_zero_marks_the_access_token_expired() {
    // expires_in 0: the login succeeds (the ID token is what proves it),
    // and the token set says the access token has expired.
    let env = Env::guide().await;
    env.inject(body(Edit::set("expires_in", 0)));
    let login = env.login().await;
    assert!(
        login
            .tokens()
            .access_token_expired(std::time::Duration::ZERO)
    );
    assert!(login.tokens().expires_at.is_some_and(|at| at <= now()));
}
