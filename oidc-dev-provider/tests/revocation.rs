//! The revocation endpoint (RFC 7009).

mod common;

use common::*;
use oidc_dev_provider::Profile;
use serde_json::Value;

async fn tokens(env: &Env) -> Value {
    let code = env.web_code(&[]).await;
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", WEB_REDIRECT),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `POST /revoke` as `client` (Basic) or without credentials: status and body.
async fn revoke(env: &Env, form: &[(&str, &str)], client: Option<(&str, &str)>) -> (u16, String) {
    let mut request = env.http.post(env.url("/revoke")).form(form);
    if let Some((id, secret)) = client {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.expect("revocation request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn refresh_status(env: &Env, refresh_token: &str) -> (u16, Value) {
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    (status, body)
}

async fn userinfo_status(env: &Env, access_token: &str) -> u16 {
    env.http
        .get(env.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("userinfo")
        .status()
        .as_u16()
}

async fn discovery(env: &Env) -> Value {
    env.http
        .get(env.url("/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn published_for_the_guide_with_the_token_endpoints_methods() {
    let env = start().await;
    let doc = discovery(&env).await;
    assert_eq!(doc["revocation_endpoint"], env.url("/revoke"));
    assert_eq!(
        doc["revocation_endpoint_auth_methods_supported"],
        doc["token_endpoint_auth_methods_supported"]
    );
    for env in [
        start_with(|b| b.revocation_endpoint(false)).await,
        start_with(|b| b.profile(Profile::Google)).await,
    ] {
        let doc = discovery(&env).await;
        assert!(doc.get("revocation_endpoint").is_none(), "{doc}");
        let (status, _) = revoke(&env, &[("token", "x")], Some((WEB_ID, WEB_SECRET))).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn a_revoked_refresh_token_takes_its_grants_access_tokens_along() {
    let env = start().await;
    let body = tokens(&env).await;
    let refresh_token = body["refresh_token"].as_str().unwrap();
    let access_token = body["access_token"].as_str().unwrap();
    assert_eq!(userinfo_status(&env, access_token).await, 200);

    let (status, answer) = revoke(
        &env,
        &[
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
        ],
        Some((WEB_ID, WEB_SECRET)),
    )
    .await;
    assert_eq!((status, answer.as_str()), (200, ""));
    let (status, body) = refresh_status(&env, refresh_token).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(userinfo_status(&env, access_token).await, 401);
}

#[tokio::test]
async fn an_access_token_revokes_only_itself_whatever_the_hint() {
    let env = start().await;
    let body = tokens(&env).await;
    let access_token = body["access_token"].as_str().unwrap();
    // A wrong hint is no error (section 2.1): the other kind is looked up.
    let (status, _) = revoke(
        &env,
        &[
            ("token", access_token),
            ("token_type_hint", "refresh_token"),
        ],
        Some((WEB_ID, WEB_SECRET)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(userinfo_status(&env, access_token).await, 401);
    let (status, body) = refresh_status(&env, body["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn clients_authenticate_and_revoke_only_their_own_tokens() {
    let env = start().await;
    let body = tokens(&env).await;
    let refresh_token = body["refresh_token"].as_str().unwrap();
    // Unknown tokens are answered like revoked ones (section 2.2).
    let (status, _) = revoke(
        &env,
        &[("token", "not-a-token")],
        Some((WEB_ID, WEB_SECRET)),
    )
    .await;
    assert_eq!(status, 200);
    let (status, answer) = revoke(&env, &[], Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("invalid_request"), "{answer}");
    let (status, answer) = revoke(&env, &[("token", refresh_token)], None).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("invalid_client"), "{answer}");
    let (status, answer) = revoke(
        &env,
        &[
            ("token", refresh_token),
            ("client_id", POST_ONLY_ID),
            ("client_secret", "post-secret"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("invalid_grant"), "{answer}");
    // Still valid for its own client.
    let (status, body) = refresh_status(&env, refresh_token).await;
    assert_eq!(status, 200, "{body}");
}
