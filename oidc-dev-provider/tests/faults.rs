//! Fault injection over real HTTP: each kind of fault changes exactly what
//! it says, one-shot faults are used up, client-scoped faults leave other
//! clients alone, and clearing restores normal behaviour.

mod common;

use common::*;
use oidc_dev_provider::{
    AuthzFault, AuthzMode, Edit, Endpoint, Fault, HttpFault, JwksFault, Signing, SigningAlg,
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A code for the web client, then its token response body.
async fn tokens(env: &Env) -> (u16, Value) {
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
    (status, body)
}

fn id_token_parts(body: &Value) -> (Value, Value, String) {
    let token = body["id_token"].as_str().expect("id_token");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    (
        b64url_json(parts[0]),
        b64url_json(parts[1]),
        parts[2].to_owned(),
    )
}

#[tokio::test]
async fn claim_and_header_faults_change_the_id_token_only() {
    let env = start().await;
    env.provider
        .inject(Fault::id_claim(Edit::set("iss", "https://evil.example")));
    env.provider.inject(Fault::id_claim(Edit::remove("nonce")));
    env.provider
        .inject(Fault::id_claim(Edit::shift("iat", 3600)));
    env.provider.inject(Fault::id_header(Edit::set(
        "jku",
        "https://evil.example/jwks",
    )));
    let (status, body) = tokens(&env).await;
    assert_eq!(status, 200);
    let (header, claims, _) = id_token_parts(&body);
    assert_eq!(claims["iss"], "https://evil.example");
    assert!(claims.get("nonce").is_none());
    let iat = claims["iat"].as_i64().expect("iat");
    let exp = claims["exp"].as_i64().expect("exp");
    assert!(
        iat > exp - 3600 + 3000,
        "iat moved an hour ahead: {iat} {exp}"
    );
    assert_eq!(header["jku"], "https://evil.example/jwks");
    // The access token is untouched.
    let access = body["access_token"].as_str().expect("access token");
    let access_claims = b64url_json(access.split('.').nth(1).expect("payload"));
    assert_eq!(access_claims["iss"], json!(env.provider.issuer_str()));
}

#[tokio::test]
async fn signing_faults() {
    let env = start().await;
    let rsa_kid = env.provider.kid(SigningAlg::RS256);

    env.provider
        .inject(Fault::id_signing(Signing::Unsigned { alg: "nOnE".into() }).once());
    let (_, body) = tokens(&env).await;
    let (header, _, signature) = id_token_parts(&body);
    assert_eq!(header["alg"], "nOnE");
    assert!(signature.is_empty());

    env.provider.inject(
        Fault::id_signing(Signing::HmacWithPublicKey {
            alg: "HS256".into(),
        })
        .once(),
    );
    let (_, body) = tokens(&env).await;
    let (header, _, signature) = id_token_parts(&body);
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["kid"], json!(rsa_kid));
    assert_eq!(signature.len(), 43, "a SHA-256 MAC");

    env.provider
        .inject(Fault::id_signing(Signing::UnlistedKey).once());
    let (_, body) = tokens(&env).await;
    let (header, _, _) = id_token_parts(&body);
    let kid = header["kid"].as_str().expect("kid");
    assert_ne!(kid, rsa_kid);
    assert!(env.jwks().await.find(kid).is_none(), "unlisted");

    // Used up: the next token is normal and verifies.
    let (_, body) = tokens(&env).await;
    let token = body["id_token"].as_str().expect("id_token");
    env.verify(token, WEB_ID).await;
    assert!(env.provider.active_faults().is_empty());
}

#[tokio::test]
async fn jwks_faults() {
    let env = start().await;
    env.provider
        .inject(Fault::Jwks(JwksFault::ExtraKey(SigningAlg::RS256)));
    env.provider
        .inject(Fault::Jwks(JwksFault::PublishEncryptionKey));
    env.provider.inject(Fault::Jwks(JwksFault::EditKeys {
        alg: Some(SigningAlg::ES256),
        edit: Edit::remove("kid"),
    }));
    let doc: Value = env
        .http
        .get(env.url("/jwks"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let keys = doc["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 5, "{doc}");
    assert_eq!(keys.iter().filter(|k| k["use"] == "enc").count(), 1);
    let es = keys.iter().find(|k| k["alg"] == "ES256").expect("EC key");
    assert!(es.get("kid").is_none());
    env.provider.clear_faults();
    assert_eq!(env.jwks().await.keys.len(), 3);
}

#[tokio::test]
async fn a_withdrawn_key_is_unpublished_but_still_signs() {
    let env = start_with(|b| b.jwks_cache_control("public, max-age=600")).await;
    let rsa_kid = env.provider.kid(SigningAlg::RS256);
    env.provider
        .inject(Fault::Jwks(JwksFault::Withdraw(SigningAlg::RS256)));
    let response = env.http.get(env.url("/jwks")).send().await.expect("jwks");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=600",
        "the configured Cache-Control"
    );
    let doc: Value = response.json().await.expect("json");
    let keys = doc["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2, "{doc}");
    assert!(keys.iter().all(|k| k["alg"] != "RS256"), "{doc}");
    // Tokens are still signed with the withdrawn key, under its kid.
    let (_, body) = tokens(&env).await;
    let (header, _, _) = id_token_parts(&body);
    assert_eq!(header["kid"], json!(rsa_kid));
    env.provider.clear_faults();
    assert!(env.jwks().await.find(&rsa_kid).is_some());
}

#[tokio::test]
async fn the_jwks_has_no_cache_control_by_default() {
    let env = start().await;
    let response = env.http.get(env.url("/jwks")).send().await.expect("jwks");
    assert!(response.headers().get("cache-control").is_none());
}

#[tokio::test]
async fn authorization_faults_are_scoped_to_their_client() {
    let env = start().await;
    env.provider.inject_for(
        WEB_ID,
        Fault::authorization(AuthzFault::Param(Edit::set("state", "forged"))),
    );
    env.provider.inject_for(
        WEB_ID,
        Fault::authorization(AuthzFault::Duplicate {
            name: "iss".into(),
            value: "https://evil.example".into(),
        }),
    );
    env.provider.inject_for(
        WEB_ID,
        Fault::authorization(AuthzFault::Param(Edit::set("access_token", "injected"))),
    );
    let response = env.sign_in(&web_params(&[]), "alice@example.com").await;
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    let pairs: Vec<(String, String)> = url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    let values = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(values("state"), ["forged"]);
    assert_eq!(values("iss").len(), 2);
    assert_eq!(values("access_token"), ["injected"]);

    // Another client is not affected.
    let params = [
        ("client_id", CLI_ID),
        ("redirect_uri", CLI_REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "mine"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    let response = env.sign_in(&params, "alice@example.com").await;
    let query = redirect_query(&response, CLI_REDIRECT);
    assert_eq!(query["state"], "mine");
    assert!(!query.contains_key("access_token"));
}

#[tokio::test]
async fn authorization_mode_fault() {
    let env = start().await;
    env.provider
        .inject(Fault::authorization(AuthzFault::Mode(AuthzMode::FormPost)).once());
    let response = env.sign_in(&web_params(&[]), "alice@example.com").await;
    assert_eq!(
        response.status(),
        200,
        "a form_post page instead of a redirect"
    );
    let html = response.text().await.expect("html");
    let form = Form::parse(&html, "#response-form");
    assert_eq!(form.field("state"), Some("opaque state/+= value"));
}

#[tokio::test]
async fn body_faults_edit_json_by_name_and_pointer() {
    let env = start().await;
    env.provider.inject(Fault::token_response(Edit::set(
        "/userinfo/sub",
        "someone-else",
    )));
    env.provider
        .inject(Fault::token_response(Edit::remove("refresh_token")));
    env.provider.inject(Fault::discovery(Edit::set(
        "issuer",
        "https://evil.example",
    )));
    let (_, body) = tokens(&env).await;
    assert_eq!(body["userinfo"]["sub"], "someone-else");
    assert!(body.get("refresh_token").is_none());
    let doc: Value = env
        .http
        .get(env.url("/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("json");
    assert_eq!(doc["issuer"], "https://evil.example");
}

#[tokio::test]
async fn http_faults() {
    let env = start().await;
    let discovery = env.url("/.well-known/openid-configuration");

    env.provider.inject(
        Fault::http(
            Endpoint::Discovery,
            HttpFault::HugeGzip {
                bytes: 4 * 1024 * 1024,
            },
        )
        .once(),
    );
    let raw = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let response = raw.get(&discovery).send().await.expect("gzip");
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.expect("body");
    assert!(compressed.len() < 64 * 1024, "{}", compressed.len());

    env.provider.inject(
        Fault::http(
            Endpoint::Discovery,
            HttpFault::Huge {
                bytes: 100_000,
                chunked: true,
            },
        )
        .once(),
    );
    let response = env.http.get(&discovery).send().await.expect("huge");
    assert!(response.content_length().is_none(), "chunked");
    let body = response.bytes().await.expect("body");
    assert_eq!(body.len(), 100_000);
    assert!(serde_json::from_slice::<Value>(&body).is_ok(), "still JSON");

    env.provider.inject(
        Fault::http(
            Endpoint::Discovery,
            HttpFault::Redirect {
                status: 307,
                location: "https://evil.example/".into(),
            },
        )
        .once(),
    );
    let response = env.http.get(&discovery).send().await.expect("redirect");
    assert_eq!(response.status(), 307);
    assert_eq!(response.headers()["location"], "https://evil.example/");

    env.provider.inject(
        Fault::http(
            Endpoint::Discovery,
            HttpFault::Replace {
                status: 200,
                content_type: Some("text/plain".into()),
                body: b"hello".to_vec(),
            },
        )
        .once(),
    );
    let response = env.http.get(&discovery).send().await.expect("replace");
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.text().await.expect("text"), "hello");

    env.provider.inject(
        Fault::http(
            Endpoint::Discovery,
            HttpFault::Trickle {
                interval: Duration::from_millis(20),
            },
        )
        .once(),
    );
    let started = Instant::now();
    let response = env.http.get(&discovery).send().await.expect("trickle");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "headers at once"
    );
    let mut response = response;
    let mut received = 0;
    let reading = Instant::now();
    while reading.elapsed() < Duration::from_millis(300) {
        match response.chunk().await.expect("chunk") {
            Some(chunk) => received += chunk.len(),
            None => break,
        }
    }
    assert!(
        (2..=30).contains(&received),
        "about one byte per 20 ms: {received}"
    );

    // Everything used up: a normal document again.
    let doc: Value = env
        .http
        .get(&discovery)
        .send()
        .await
        .expect("normal")
        .json()
        .await
        .expect("json");
    assert_eq!(doc["issuer"], json!(env.provider.issuer_str()));
}

#[tokio::test]
async fn oauth_error_fault_and_delay() {
    let env = start().await;
    env.provider.inject(
        Fault::http(
            Endpoint::Token,
            HttpFault::OAuthError {
                status: 400,
                error: "invalid_grant".into(),
                description: Some("nope".into()),
            },
        )
        .once(),
    );
    let (status, body) = tokens(&env).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "nope"})
    );

    env.provider
        .inject(Fault::http(Endpoint::Jwks, HttpFault::Delay(Duration::from_millis(300))).once());
    let started = Instant::now();
    env.jwks().await;
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn scoped_and_counted_injections() {
    let env = start().await;
    env.provider
        .inject(Fault::id_claim(Edit::set("sub", "x")).times(2));
    env.provider
        .inject_for("nobody", Fault::id_claim(Edit::set("sub", "y")));
    assert_eq!(env.provider.active_faults().len(), 2);
    for _ in 0..2 {
        let (_, body) = tokens(&env).await;
        assert_eq!(id_token_parts(&body).1["sub"], "x");
    }
    let (_, body) = tokens(&env).await;
    assert_ne!(id_token_parts(&body).1["sub"], "x");
    assert_ne!(id_token_parts(&body).1["sub"], "y");
    let active = env.provider.active_faults();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].client(), Some("nobody"));
    env.provider.clear_faults();
    assert!(env.provider.active_faults().is_empty());
}
