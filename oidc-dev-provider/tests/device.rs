//! The device authorization endpoint (RFC 8628 section 3.1-3.2) and the
//! device code grant's refusals, over HTTP.

mod common;

use common::*;
use oidc_dev_provider::Profile;
use serde_json::Value;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// `POST /device/code` as `form` (and optional Basic credentials).
async fn device_code(
    env: &Env,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = env.http.post(env.url("/device/code")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.expect("device request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, response.json().await.expect("json"), headers)
}

#[tokio::test]
async fn public_and_confidential_clients_get_codes_without_caching() {
    let env = start().await;
    let (status, body, headers) = device_code(
        &env,
        &[("client_id", CLI_ID), ("scope", "openid email")],
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    let user_code = body["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9, "{user_code}");
    assert_eq!(body["verification_uri"], env.url("/device"));
    assert_eq!(
        body["verification_uri_complete"],
        format!("{}?user_code={user_code}", env.url("/device"))
    );
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["interval"], 5);
    assert!(body["device_code"].as_str().unwrap().len() >= 43);

    let (status, body, _) =
        device_code(&env, &[("scope", "openid")], Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(status, 200, "{body}");

    // Pending, then polled too fast.
    let device = body["device_code"].as_str().unwrap();
    let form = [("grant_type", GRANT), ("device_code", device)];
    let (status, body, headers) = env.token(&form, Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    assert_eq!(headers["cache-control"], "no-store");
    let (_, body, _) = env.token(&form, Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(body["error"], "slow_down");
    // Another client cannot use it.
    let (_, body, _) = env
        .token(
            &[
                ("grant_type", GRANT),
                ("device_code", device),
                ("client_id", CLI_ID),
            ],
            None,
        )
        .await;
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(
        env.provider.device_poll_answers(),
        ["authorization_pending", "slow_down", "invalid_grant"]
    );
}

#[tokio::test]
async fn bad_requests_are_oauth_errors() {
    let env = start().await;
    let (status, body, _) =
        device_code(&env, &[("client_id", "nobody"), ("scope", "openid")], None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body, _) = device_code(
        &env,
        &[("client_id", WEB_ID), ("scope", "openid")],
        Some((WEB_ID, "wrong")),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body, _) =
        device_code(&env, &[("client_id", CLI_ID), ("scope", "email")], None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
}

#[tokio::test]
async fn other_profiles_do_not_offer_it_unless_asked() {
    let env = start_with(|b| b.profile(Profile::Google)).await;
    let response = env.http.post(env.url("/device/code")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let env = start_with(|b| {
        b.profile(Profile::Keycloak)
            .device_authorization_endpoint(true)
    })
    .await;
    let doc: Value = env
        .http
        .get(env.provider.discovery_url())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["device_authorization_endpoint"],
        env.url("/protocol/openid-connect/auth/device")
    );
    assert!(
        doc["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&GRANT.into())
    );
}
