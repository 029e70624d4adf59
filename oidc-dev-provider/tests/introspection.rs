//! The introspection endpoint (RFC 7662) and opaque access tokens.

mod common;

use common::*;
use oidc_dev_provider::Profile;
use serde_json::Value;

/// A code-flow token response for `web-app`.
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

/// `POST /introspect` as `client` (Basic) or without credentials: status,
/// `Cache-Control` and body.
async fn introspect(
    env: &Env,
    form: &[(&str, &str)],
    client: Option<(&str, &str)>,
) -> (u16, Option<String>, Value) {
    let mut request = env.http.post(env.url("/introspect")).form(form);
    if let Some((id, secret)) = client {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.expect("introspection request");
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, cache, body)
}

async fn active(env: &Env, token: &str) -> Value {
    let (status, cache, body) =
        introspect(env, &[("token", token)], Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    body
}

async fn revoke(env: &Env, token: &str, hint: &str) {
    let response = env
        .http
        .post(env.url("/revoke"))
        .form(&[("token", token), ("token_type_hint", hint)])
        .basic_auth(WEB_ID, Some(WEB_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
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
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn published_for_the_guide_with_the_token_endpoints_methods() {
    let env = start().await;
    let doc = discovery(&env).await;
    assert_eq!(doc["introspection_endpoint"], env.url("/introspect"));
    assert_eq!(
        doc["introspection_endpoint_auth_methods_supported"],
        doc["token_endpoint_auth_methods_supported"]
    );
    for env in [
        start_with(|b| b.introspection_endpoint(false)).await,
        start_with(|b| b.profile(Profile::Google)).await,
    ] {
        let doc = discovery(&env).await;
        assert!(doc.get("introspection_endpoint").is_none(), "{doc}");
        let (status, _, _) = introspect(&env, &[("token", "x")], Some((WEB_ID, WEB_SECRET))).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn opaque_tokens_are_active_until_their_grant_is_revoked() {
    let env = start_with(|b| b.opaque_access_tokens(true)).await;
    let body = tokens(&env).await;
    let access_token = body["access_token"].as_str().unwrap();
    assert!(!access_token.contains('.'), "opaque: {access_token}");

    let answer = active(&env, access_token).await;
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["client_id"], WEB_ID);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["iss"], env.provider.issuer_str());
    assert!(
        answer["sub"].is_string() && answer["exp"].is_u64(),
        "{answer}"
    );
    assert!(answer["scope"].as_str().unwrap().contains("openid"));
    assert_eq!(
        answer["aud"],
        format!("{}/api", env.provider.issuer_str()).as_str()
    );
    assert_eq!(userinfo_status(&env, access_token).await, 200);

    // Revoking the refresh token revokes the grant, and its access tokens.
    revoke(
        &env,
        body["refresh_token"].as_str().unwrap(),
        "refresh_token",
    )
    .await;
    assert_eq!(
        active(&env, access_token).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(userinfo_status(&env, access_token).await, 401);
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_inactive_opaque_or_jwt() {
    for opaque in [true, false] {
        let env = start_with(|b| b.opaque_access_tokens(opaque)).await;
        let access_token = tokens(&env).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(access_token.contains('.'), !opaque);
        assert_eq!(active(&env, &access_token).await["active"], true);
        revoke(&env, &access_token, "access_token").await;
        assert_eq!(
            active(&env, &access_token).await["active"],
            false,
            "opaque: {opaque}"
        );
    }
    let env = start_with(|b| {
        b.opaque_access_tokens(true)
            .token_ttl(std::time::Duration::from_secs(1))
    })
    .await;
    let access_token = tokens(&env).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while active(&env, &access_token).await["active"] == true {
        assert!(
            std::time::Instant::now() < deadline,
            "the token never expired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn only_authenticated_confidential_clients_may_introspect() {
    let env = start_with(|b| b.opaque_access_tokens(true)).await;
    let token = tokens(&env).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, body) = introspect(&env, &[("token", &token)], None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, _, body) =
        introspect(&env, &[("token", &token), ("client_id", CLI_ID)], None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, _, body) = introspect(&env, &[("token", &token)], Some((WEB_ID, "wrong"))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, _, body) = introspect(&env, &[], Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    // An unknown token is merely inactive.
    let answer = active(&env, "not-a-token").await;
    assert_eq!(answer, serde_json::json!({"active": false}));
    // Another confidential client may ask about it (an API's own client).
    let (status, _, body) = introspect(
        &env,
        &[
            ("token", &token),
            ("client_id", POST_ONLY_ID),
            ("client_secret", "post-secret"),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["active"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
}
