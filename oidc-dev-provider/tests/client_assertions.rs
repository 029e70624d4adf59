//! Client assertions (`client_secret_jwt` here, HS256 with the client's
//! secret; `private_key_jwt` is exercised by the SDK's tests): one refused
//! assertion per check.

mod common;

use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Claims that pass every check, for `env`'s web client.
fn good_claims(env: &Env) -> Value {
    json!({
        "iss": WEB_ID,
        "sub": WEB_ID,
        "aud": env.url("/token"),
        "iat": now(),
        "exp": now() + 60,
        "jti": format!("jti-{}", next_number()),
    })
}

/// A number unique within the process: every assertion gets its own `jti`.
fn next_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

fn hs256(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("signs")
}

/// `POST /revoke` with the assertion: the status and the OAuth error.
async fn revoke_with(env: &Env, assertion: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![
        ("token", "anything"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion),
    ];
    form.extend_from_slice(extra);
    let response = env
        .http
        .post(env.url("/revoke"))
        .form(&form)
        .send()
        .await
        .expect("revocation request");
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_good_assertion_is_accepted_once() {
    let env = start().await;
    let assertion = hs256(&good_claims(&env), WEB_SECRET);
    assert_eq!(revoke_with(&env, &assertion, &[]).await.0, 200);
    let (status, error) = revoke_with(&env, &assertion, &[]).await;
    assert_eq!(status, 401);
    assert_eq!(error["error"], "invalid_client");
    // The issuer is an accepted audience too.
    let mut claims = good_claims(&env);
    claims["aud"] = json!([env.provider.issuer_str()]);
    let assertion = hs256(&claims, WEB_SECRET);
    let accepted = revoke_with(&env, &assertion, &[("client_id", WEB_ID)]).await;
    assert_eq!(accepted.0, 200, "{}", accepted.1);
}

/// An edit of the good claims that makes them fail one check.
type Change = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn each_claim_check_refuses_with_invalid_client() {
    let env = start().await;
    let cases: Vec<(&str, Change)> = vec![
        (
            "wrong aud",
            Box::new(|c| c["aud"] = "http://elsewhere/token".into()),
        ),
        (
            "sub differs",
            Box::new(|c| c["sub"] = "someone-else".into()),
        ),
        ("expired", Box::new(|c| c["exp"] = (now() - 5).into())),
        (
            "exp too far",
            Box::new(|c| c["exp"] = (now() + 3600).into()),
        ),
        (
            "no jti",
            Box::new(|c| {
                c.as_object_mut().expect("object").remove("jti");
            }),
        ),
        (
            "no exp",
            Box::new(|c| {
                c.as_object_mut().expect("object").remove("exp");
            }),
        ),
    ];
    for (name, change) in cases {
        let mut claims = good_claims(&env);
        change(&mut claims);
        let (status, error) = revoke_with(&env, &hs256(&claims, WEB_SECRET), &[]).await;
        assert_eq!(
            (status, &error["error"]),
            (401, &json!("invalid_client")),
            "{name}: {error}"
        );
    }
}

#[tokio::test]
async fn signature_alg_and_client_id_are_checked() {
    let env = start().await;
    let claims = good_claims(&env);
    let refused = [
        ("wrong secret", hs256(&claims, "not-the-secret"), vec![]),
        (
            "client_id differs from iss",
            hs256(&good_claims(&env), WEB_SECRET),
            vec![("client_id", CLI_ID)],
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none" })),
                b64(&good_claims(&env))
            ),
            vec![],
        ),
        (
            // RS256 names a key the client never registered.
            "asymmetric alg without a registered key",
            format!(
                "{}.{}.c2ln",
                b64(&json!({ "alg": "RS256" })),
                b64(&good_claims(&env))
            ),
            vec![],
        ),
    ];
    for (name, assertion, extra) in refused {
        let (status, error) = revoke_with(&env, &assertion, &extra).await;
        assert_eq!(
            (status, &error["error"]),
            (401, &json!("invalid_client")),
            "{name}: {error}"
        );
    }
    // The wrong assertion type.
    let response = env
        .http
        .post(env.url("/revoke"))
        .form(&[
            ("token", "anything"),
            ("client_assertion_type", "urn:example:saml"),
            ("client_assertion", &hs256(&good_claims(&env), WEB_SECRET)),
        ])
        .send()
        .await
        .expect("revocation request");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn a_public_client_cannot_sign_an_assertion() {
    let env = start().await;
    let mut claims = good_claims(&env);
    claims["iss"] = CLI_ID.into();
    claims["sub"] = CLI_ID.into();
    let (status, error) = revoke_with(&env, &hs256(&claims, "any-secret"), &[]).await;
    assert_eq!(
        (status, &error["error"]),
        (401, &json!("invalid_client")),
        "{error}"
    );
}

fn b64(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}
