//! Discovery document, JWKS, key rotation and request recording.

mod common;

use common::start;
use serde_json::{Value, json};

#[tokio::test]
async fn discovery_document_describes_the_provider() {
    let env = start().await;
    let issuer = env.provider.issuer_str().to_owned();
    assert!(issuer.starts_with("http://127.0.0.1:"));
    assert!(!issuer.ends_with('/'));
    assert_eq!(env.provider.issuer().as_str(), format!("{issuer}/"));
    assert_eq!(
        env.provider.local_addr().port(),
        env.provider.issuer().port().expect("port")
    );

    let response = env
        .http
        .get(env.url("/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    let doc: Value = response.json().await.expect("json");
    assert_eq!(doc["issuer"], json!(issuer));
    assert_eq!(
        doc["authorization_endpoint"],
        json!(format!("{issuer}/authorize"))
    );
    assert_eq!(doc["token_endpoint"], json!(format!("{issuer}/token")));
    assert_eq!(
        doc["userinfo_endpoint"],
        json!(format!("{issuer}/userinfo"))
    );
    assert_eq!(doc["jwks_uri"], json!(format!("{issuer}/jwks")));
    assert_eq!(
        doc["end_session_endpoint"],
        json!(format!("{issuer}/logout"))
    );
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["response_modes_supported"],
        json!(["query", "form_post"])
    );
    assert_eq!(
        doc["grant_types_supported"],
        json!([
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ])
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        json!(format!("{issuer}/device/code"))
    );
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES256", "EdDSA"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_post",
            "client_secret_basic",
            "none",
            "private_key_jwt",
            "client_secret_jwt"
        ])
    );
    assert_eq!(
        doc["token_endpoint_auth_signing_alg_values_supported"],
        json!(["RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"])
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["prompt_values_supported"],
        json!(["none", "login", "consent", "select_account", "create"])
    );
    assert_eq!(
        doc["scopes_supported"],
        json!(["openid", "email", "profile", "offline_access"])
    );
    for claim in [
        "sub",
        "email",
        "email_verified",
        "auth_time",
        "nonce",
        "sid",
    ] {
        assert!(
            doc["claims_supported"]
                .as_array()
                .expect("array")
                .contains(&json!(claim)),
            "{claim} in claims_supported"
        );
    }
    assert_eq!(
        doc["authorization_response_iss_parameter_supported"],
        json!(true)
    );
    assert_eq!(doc["backchannel_logout_supported"], json!(true));
    assert_eq!(doc["backchannel_logout_session_supported"], json!(true));
    assert_eq!(doc["frontchannel_logout_supported"], json!(false));
}

#[tokio::test]
async fn jwks_lists_one_public_key_per_algorithm() {
    let env = start().await;
    let response = env.http.get(env.url("/jwks")).send().await.expect("jwks");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    let doc: Value = response.json().await.expect("json");
    let keys = doc["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 3);
    let find = |alg: &str| {
        keys.iter()
            .find(|k| k["alg"] == json!(alg))
            .unwrap_or_else(|| panic!("a {alg} key"))
    };
    let rsa = find("RS256");
    assert_eq!(rsa["kty"], json!("RSA"));
    assert!(
        rsa["n"].as_str().expect("n").len() >= 340,
        "2048-bit modulus"
    );
    assert_eq!(rsa["e"], json!("AQAB"));
    let ec = find("ES256");
    assert_eq!(ec["kty"], json!("EC"));
    assert_eq!(ec["crv"], json!("P-256"));
    assert!(ec["x"].is_string() && ec["y"].is_string());
    let ed = find("EdDSA");
    assert_eq!(ed["kty"], json!("OKP"));
    assert_eq!(ed["crv"], json!("Ed25519"));
    assert!(ed["x"].is_string());
    let mut kids = Vec::new();
    for key in keys {
        assert_eq!(key["use"], json!("sig"));
        assert!(key.get("d").is_none(), "no private parts");
        assert!(key.get("p").is_none(), "no private parts");
        kids.push(key["kid"].as_str().expect("kid").to_owned());
    }
    kids.sort();
    kids.dedup();
    assert_eq!(kids.len(), 3, "distinct kids");
}

#[tokio::test]
async fn rotate_keys_replaces_every_kid() {
    let env = start().await;
    let kids = |set: jsonwebtoken::jwk::JwkSet| {
        let mut kids: Vec<String> = set
            .keys
            .into_iter()
            .map(|k| k.common.key_id.expect("kid"))
            .collect();
        kids.sort();
        kids
    };
    let before = kids(env.jwks().await);
    // A token signed before the rotation...
    let code = env.web_code(&[]).await;
    let (_, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", common::WEB_REDIRECT),
                ("client_id", common::WEB_ID),
                ("client_secret", common::WEB_SECRET),
            ],
            None,
        )
        .await;
    let old_access = body["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    env.provider.rotate_keys();
    let after = kids(env.jwks().await);
    assert_eq!(after.len(), 3);
    assert!(
        before.iter().all(|k| !after.contains(k)),
        "old keys are gone: {before:?} {after:?}"
    );

    // ...no longer verifies at the provider, and new tokens use the new kids.
    let response = env
        .http
        .get(env.url("/userinfo"))
        .bearer_auth(&old_access)
        .send()
        .await
        .expect("userinfo");
    assert_eq!(response.status(), 401);
    let code = env.web_code(&[]).await;
    let (_, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", common::WEB_REDIRECT),
            ],
            Some((common::WEB_ID, common::WEB_SECRET)),
        )
        .await;
    let id_token = body["id_token"].as_str().expect("id token");
    let header = jsonwebtoken::decode_header(id_token).expect("header");
    assert!(after.contains(&header.kid.expect("kid")));
}

#[tokio::test]
async fn every_request_is_recorded_in_order() {
    let env = start().await;
    env.provider.clear_requests();
    assert!(env.provider.requests().is_empty());
    let before = std::time::SystemTime::now();
    env.http.get(env.url("/jwks")).send().await.expect("jwks");
    env.http
        .get(env.url("/.well-known/openid-configuration?x=secret"))
        .send()
        .await
        .expect("discovery");
    env.http
        .post(env.url("/token"))
        .form(&[("grant_type", "nope")])
        .send()
        .await
        .expect("token");
    let requests = env.provider.requests();
    let seen: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/jwks"),
            ("GET", "/.well-known/openid-configuration"),
            ("POST", "/token"),
        ]
    );
    assert!(requests.iter().all(|r| r.at >= before));
    assert!(requests.windows(2).all(|w| w[0].at <= w[1].at));
    env.provider.clear_requests();
    assert!(env.provider.requests().is_empty());
}

#[tokio::test]
async fn users_are_preseeded_and_addable() {
    let env = start().await;
    let users = env.provider.users();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email, "alice@example.com");
    assert!(users[0].email_verified);
    assert!(uuid::Uuid::parse_str(&users[0].sub).is_ok());
    let bob = env.provider.add_user("bob@example.com");
    assert_eq!(env.provider.add_user("bob@example.com"), bob, "stable sub");
    assert_eq!(env.provider.users().len(), 2);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let env = start().await;
    let addr = env.provider.local_addr();
    env.provider.clone().shutdown().await;
    let http = reqwest::Client::new();
    let result = http
        .get(format!("http://{addr}/jwks"))
        .timeout(std::time::Duration::from_secs(2))
        .send()
        .await;
    assert!(result.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn invalid_client_registrations_are_refused() {
    let result = oidc_dev_provider::DevProvider::builder()
        .client(oidc_dev_provider::DevClient::confidential("x", "y"))
        .start()
        .await;
    assert!(matches!(
        result,
        Err(oidc_dev_provider::DevProviderError::InvalidClient(_))
    ));
    let result = oidc_dev_provider::DevProvider::builder()
        .client(oidc_dev_provider::DevClient::demo())
        .client(oidc_dev_provider::DevClient::demo())
        .start()
        .await;
    assert!(matches!(
        result,
        Err(oidc_dev_provider::DevProviderError::DuplicateClient(_))
    ));
}
