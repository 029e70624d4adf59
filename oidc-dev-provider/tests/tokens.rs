//! Refresh tokens, UserInfo, client authentication rules and logout.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

async fn tokens(env: &Env, extra: &[(&str, &str)]) -> serde_json::Value {
    let code = env.web_code(extra).await;
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

#[tokio::test]
async fn refresh_tokens_rotate() {
    let env = start().await;
    let first = tokens(&env, &[]).await;
    let (_, first_claims) = env
        .verify(first["id_token"].as_str().expect("id"), WEB_ID)
        .await;
    let r1 = first["refresh_token"].as_str().expect("refresh").to_owned();

    let (status, second, headers) = env
        .token(
            &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(headers["cache-control"], "no-store");
    let r2 = second["refresh_token"]
        .as_str()
        .expect("new refresh")
        .to_owned();
    assert_ne!(r1, r2);
    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(second["userinfo"], first["userinfo"]);
    let (_, claims) = env
        .verify(second["id_token"].as_str().expect("id"), WEB_ID)
        .await;
    for name in ["iss", "sub", "aud", "auth_time", "sid"] {
        assert_eq!(claims[name], first_claims[name], "{name} is kept");
    }
    assert!(claims.get("nonce").is_none(), "no nonce on refresh");

    // Narrowing the scope is allowed, widening is not.
    let (status, narrowed, _) = env
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &r2),
                ("scope", "openid"),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 200, "{narrowed}");
    assert_eq!(narrowed["scope"], json!("openid"));
    let r3 = narrowed["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &r3),
                ("scope", "openid profile"),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_scope")));

    // The old refresh token is spent; presenting it again revokes the grant.
    let (status, body, _) = env
        .token(
            &[("grant_type", "refresh_token"), ("refresh_token", &r1)],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));

    // Another client cannot use it.
    let other = tokens(&env, &[]).await;
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", other["refresh_token"].as_str().expect("r")),
                ("client_id", POST_ONLY_ID),
                ("client_secret", "post-secret"),
            ],
            None,
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
}

#[tokio::test]
async fn userinfo_returns_the_users_claims() {
    let env = start().await;
    let body = tokens(&env, &[]).await;
    let access = body["access_token"].as_str().expect("access");
    let alice = &env.provider.users()[0];
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let response = env
            .http
            .request(method, env.url("/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .expect("userinfo");
        assert_eq!(response.status(), 200);
        let claims: serde_json::Value = response.json().await.expect("json");
        assert_eq!(
            claims,
            json!({ "sub": alice.sub, "email": "alice@example.com", "email_verified": true })
        );
    }

    // Missing, malformed, tampered and wrong-type tokens are refused.
    let response = env
        .http
        .get(env.url("/userinfo"))
        .send()
        .await
        .expect("req");
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .starts_with("Bearer")
    );
    let id_token = body["id_token"].as_str().expect("id");
    let mut tampered = access.to_owned();
    tampered.pop();
    tampered.push(if access.ends_with('A') { 'B' } else { 'A' });
    for bad in ["garbage", id_token, tampered.as_str()] {
        let response = env
            .http
            .get(env.url("/userinfo"))
            .bearer_auth(bad)
            .send()
            .await
            .expect("req");
        assert_eq!(response.status(), 401, "{bad}");
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
    }
}

#[tokio::test]
async fn expired_access_tokens_are_refused() {
    let env = start_with(|b| b.token_ttl(std::time::Duration::ZERO)).await;
    let body = tokens(&env, &[]).await;
    let response = env
        .http
        .get(env.url("/userinfo"))
        .bearer_auth(body["access_token"].as_str().expect("at"))
        .send()
        .await
        .expect("req");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn client_authentication_rules() {
    let env = start().await;
    let code = env.web_code(&[]).await;
    let base = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", WEB_REDIRECT),
    ];

    // Wrong secret: 401 invalid_client with a challenge.
    let (status, body, headers) = env.token(&base, Some((WEB_ID, "wrong"))).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));
    assert!(headers.contains_key("www-authenticate"));

    // Two methods at once.
    let mut both = base.to_vec();
    both.push(("client_secret", WEB_SECRET));
    let (status, body, _) = env.token(&both, Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_request")));

    // Unknown client, no authentication at all.
    let (status, body, _) = env.token(&base, Some(("nobody", "x"))).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));
    let (status, body, _) = env.token(&base, None).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));

    // A confidential client may not skip its secret.
    let mut none = base.to_vec();
    none.push(("client_id", WEB_ID));
    let (status, body, _) = env.token(&none, None).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));

    // A client restricted to client_secret_post may not use Basic.
    let (status, body, headers) = env.token(&base, Some((POST_ONLY_ID, "post-secret"))).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));
    assert!(headers.contains_key("www-authenticate"));

    // A public client may not send a secret.
    let mut public = base.to_vec();
    public.extend([("client_id", CLI_ID), ("client_secret", "x")]);
    let (status, body, _) = env.token(&public, None).await;
    assert_eq!((status, &body["error"]), (401, &json!("invalid_client")));

    // None of the failures above spent the code.
    let (status, body, _) = env.token(&base, Some((WEB_ID, WEB_SECRET))).await;
    assert_eq!(status, 200, "{body}");

    // Grant type checks.
    let (status, body, _) = env
        .token(&[("grant_type", "password")], Some((WEB_ID, WEB_SECRET)))
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("unsupported_grant_type"))
    );
    let (status, body, _) = env
        .token(&[("code", "x")], Some((WEB_ID, WEB_SECRET)))
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_request")));
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", "made-up"),
                ("redirect_uri", WEB_REDIRECT),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
}

#[tokio::test]
async fn expired_codes_are_refused() {
    let env = start_with(|b| b.code_ttl(std::time::Duration::ZERO)).await;
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
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
}

/// A relying party's back-channel logout endpoint that records tokens.
async fn logout_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::routing::post;
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/backchannel",
        post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let token = url::form_urlencoded::parse(&body)
                    .find(|(k, _)| k == "logout_token")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                sink.lock().expect("lock").push(token);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/backchannel"), received)
}

#[tokio::test]
async fn rp_initiated_logout_redirects_and_sends_backchannel_tokens() {
    let (backchannel, received) = logout_receiver().await;
    let env = start().await;
    env.provider
        .register_client(
            oidc_dev_provider::DevClient::confidential(WEB_ID, WEB_SECRET)
                .redirect_uri(WEB_REDIRECT)
                .post_logout_redirect_uri(LOGOUT_REDIRECT)
                .backchannel_logout_uri(&backchannel),
        )
        .expect("register");
    let body = tokens(&env, &[]).await;
    let id_token = body["id_token"].as_str().expect("id").to_owned();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    let (_, id_claims) = env.verify(&id_token, WEB_ID).await;

    // An unregistered post_logout_redirect_uri is refused without redirect.
    let response = env
        .http
        .get(env.url("/logout"))
        .query(&[
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", "http://evil.example/"),
        ])
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 400);
    assert!(received.lock().expect("lock").is_empty());

    let response = env
        .http
        .get(env.url("/logout"))
        .query(&[
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", LOGOUT_REDIRECT),
            ("state", "bye"),
        ])
        .send()
        .await
        .expect("logout");
    let query = redirect_query(&response, LOGOUT_REDIRECT);
    assert_eq!(query["state"], "bye");

    let tokens = received.lock().expect("lock").clone();
    assert_eq!(tokens.len(), 1, "one logout token delivered");
    let (header, claims) = env.verify(&tokens[0], WEB_ID).await;
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(claims["sub"], id_claims["sub"]);
    assert_eq!(claims["sid"], id_claims["sid"]);
    assert!(claims["jti"].is_string() && claims["iat"].is_u64());
    assert_eq!(
        claims["events"],
        json!({ "http://schemas.openid.net/event/backchannel-logout": {} })
    );
    assert!(claims.get("nonce").is_none());

    // The session's refresh token (no offline_access) is revoked.
    let (status, _, _) = env
        .token(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 400);

    // Without a redirect, a signed-out page.
    let response = env
        .http
        .get(env.url("/logout"))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(text_of(&html, "#signed-out").is_some_and(|t| t.contains("signed out")));

    // A forged hint is refused.
    let response = env
        .http
        .get(env.url("/logout"))
        .query(&[("id_token_hint", "eyJhbGciOiJub25lIn0.e30.")])
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn backchannel_logout_can_be_triggered_by_tests() {
    let (backchannel, received) = logout_receiver().await;
    let env = start().await;
    env.provider
        .register_client(
            oidc_dev_provider::DevClient::confidential("bc-app", "bc-secret")
                .redirect_uri(WEB_REDIRECT)
                .backchannel_logout_uri(&backchannel),
        )
        .expect("register");
    let params = [
        ("client_id", "bc-app"),
        ("redirect_uri", WEB_REDIRECT),
        ("response_type", "code"),
        ("scope", "openid offline_access"),
    ];
    let response = env.sign_in(&params, "alice@example.com").await;
    let query = redirect_query(&response, WEB_REDIRECT);
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &query["code"]),
                ("redirect_uri", WEB_REDIRECT),
            ],
            Some(("bc-app", "bc-secret")),
        )
        .await;
    assert_eq!(status, 200);
    let sub = env.provider.users()[0].sub.clone();
    env.provider.backchannel_logout(&sub).await;
    let tokens = received.lock().expect("lock").clone();
    assert_eq!(tokens.len(), 1);
    let (_, claims) = env.verify(&tokens[0], "bc-app").await;
    assert_eq!(claims["sub"], json!(sub));

    // offline_access keeps the refresh token usable after logout.
    let (status, _, _) = env
        .token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", body["refresh_token"].as_str().expect("r")),
            ],
            Some(("bc-app", "bc-secret")),
        )
        .await;
    assert_eq!(status, 200);

    // A second logout has no session left to end.
    env.provider.backchannel_logout(&sub).await;
    assert_eq!(received.lock().expect("lock").len(), 1);
}
