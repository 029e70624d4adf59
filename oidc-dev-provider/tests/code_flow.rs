//! The authorization code flow over real HTTP: pages, response modes, PKCE,
//! token endpoint checks.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn query_flow_with_pkce_for_a_public_client() {
    let env = start().await;
    let params = [
        ("client_id", CLI_ID),
        ("redirect_uri", CLI_REDIRECT),
        ("response_type", "code"),
        ("scope", "openid email offline_access"),
        ("state", "xyz"),
        ("nonce", "nonce-123"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("login_hint", "alice@example.com"),
    ];
    let page = env.authorize(&params).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.expect("html");
    assert_eq!(text_of(&html, "h1").as_deref(), Some("Sign in"));
    let form = Form::parse(&html, "#sign-in-form");
    assert_eq!(form.action, "/authorize/decision");
    assert_eq!(form.method, "post");
    assert_eq!(
        form.field("email"),
        Some("alice@example.com"),
        "login_hint prefills"
    );
    assert_eq!(form.field("action"), Some("sign_in"));
    assert!(form.field("interaction").is_some_and(|i| i.len() >= 32));
    assert!(html.contains(r#"<label for="email">"#));

    let response = env.submit(&form, &[]).await;
    let query = redirect_query(&response, CLI_REDIRECT);
    assert_eq!(query["state"], "xyz");
    assert_eq!(query["iss"], env.provider.issuer_str());
    let code = &query["code"];
    assert!(code.len() >= 43, "at least 256 bits");

    let (status, body, headers) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", CLI_REDIRECT),
                ("client_id", CLI_ID),
                ("code_verifier", VERIFIER),
            ],
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], json!("Bearer"));
    assert_eq!(body["expires_in"], json!(3600));
    assert_eq!(body["scope"], json!("openid email offline_access"));
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|r| r.len() >= 43)
    );
    let alice = &env.provider.users()[0];
    assert_eq!(
        body["userinfo"],
        json!({ "sub": alice.sub, "email": "alice@example.com", "email_verified": true })
    );

    let id_token = body["id_token"].as_str().expect("id_token");
    let (header, claims) = env.verify(id_token, CLI_ID).await;
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(claims["sub"], json!(alice.sub));
    assert_eq!(claims["aud"], json!(CLI_ID));
    assert_eq!(claims["nonce"], json!("nonce-123"));
    assert_eq!(claims["email"], json!("alice@example.com"));
    assert_eq!(claims["email_verified"], json!(true));
    assert!(claims["auth_time"].is_u64());
    assert!(claims["sid"].is_string());
    let access_token = body["access_token"].as_str().expect("access_token");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    use base64::Engine as _;
    let expected_at_hash =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16]);
    assert_eq!(claims["at_hash"], json!(expected_at_hash));

    let aud = format!("{}/api", env.provider.issuer_str());
    let (header, claims) = env.verify(access_token, &aud).await;
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(claims["client_id"], json!(CLI_ID));
    assert_eq!(claims["scope"], json!("openid email offline_access"));
    assert_eq!(claims["sub"], json!(alice.sub));
    assert!(claims["jti"].is_string() && claims["iat"].is_u64() && claims["exp"].is_u64());
}

#[tokio::test]
async fn form_post_flow_with_client_secret_basic() {
    let env = start().await;
    let params = web_params(&[("response_mode", "form_post"), ("nonce", "n1")]);
    let response = env.sign_in(&params, "alice@example.com").await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    let html = response.text().await.expect("html");
    let form = Form::parse(&html, "#response-form");
    assert_eq!(form.action, WEB_REDIRECT);
    assert_eq!(form.method, "post");
    assert_eq!(
        form.field("state"),
        Some("opaque state/+= value"),
        "state echoed exactly"
    );
    assert_eq!(form.field("iss"), Some(env.provider.issuer_str()));
    assert!(text_of(&html, "#response-form button").is_some_and(|t| t == "Continue"));
    assert!(html.contains("<script>"), "auto-submits");
    let code = form.field("code").expect("code").to_owned();

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
    let (_, claims) = env
        .verify(body["id_token"].as_str().expect("id"), WEB_ID)
        .await;
    assert_eq!(claims["nonce"], json!("n1"));
}

#[tokio::test]
async fn client_secret_post_and_code_reuse() {
    let env = start().await;
    let code = env.web_code(&[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", WEB_REDIRECT),
        ("client_id", WEB_ID),
        ("client_secret", WEB_SECRET),
    ];
    let (status, first, _) = env.token(&form, None).await;
    assert_eq!(status, 200, "{first}");
    let refresh = first["refresh_token"].as_str().expect("refresh").to_owned();
    let access = first["access_token"].as_str().expect("access").to_owned();

    let (status, body, _) = env.token(&form, None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], json!("invalid_grant"));
    assert!(body["error_description"].is_string());

    // Tokens issued from the reused code are revoked.
    let (status, body, _) = env
        .token(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
    let userinfo = env
        .http
        .get(env.url("/userinfo"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("userinfo");
    assert_eq!(userinfo.status(), 401);
}

#[tokio::test]
async fn wrong_pkce_verifier_is_rejected() {
    let env = start().await;
    let code = env
        .web_code(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let wrong = "x".repeat(43);
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", WEB_REDIRECT),
                ("code_verifier", &wrong),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], json!("invalid_grant"));

    // A confidential client that sent a challenge must send the verifier.
    let code = env
        .web_code(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .await;
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

    // And the right verifier works.
    let code = env
        .web_code(&[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", WEB_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn verifier_without_challenge_is_rejected() {
    let env = start().await;
    let code = env.web_code(&[]).await;
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", WEB_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));
}

#[tokio::test]
async fn wrong_redirect_uri_at_the_token_endpoint_is_rejected() {
    let env = start().await;
    let code = env.web_code(&[]).await;
    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:9/other"),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_grant")));

    let code = env.web_code(&[]).await;
    let (status, body, _) = env
        .token(
            &[("grant_type", "authorization_code"), ("code", &code)],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_request")),
        "redirect_uri required"
    );
}

#[tokio::test]
async fn minimal_guide_token_request_when_allowed() {
    let env = start_with(|b| b.allow_minimal_token_requests(true)).await;
    let code = env.web_code(&[]).await;
    let (status, body, _) = env
        .token(
            &[
                ("client_id", WEB_ID),
                ("client_secret", WEB_SECRET),
                ("code", &code),
            ],
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["userinfo"]["email"], json!("alice@example.com"));
}

#[tokio::test]
async fn unknown_email_offers_to_create_an_account() {
    let env = start().await;
    let response = env.sign_in(&web_params(&[]), "nobody@example.com").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert_eq!(text_of(&html, "h1").as_deref(), Some("Sign in"));
    assert_eq!(
        text_of(&html, "#error").as_deref(),
        Some("No account for this email. Create one?")
    );
    let form = Form::parse(&html, "#sign-in-form");
    assert_eq!(form.field("email"), Some("nobody@example.com"));

    // Follow the "Create one?" link: the email is carried over.
    let doc = scraper::Html::parse_document(&html);
    let link = doc
        .select(&scraper::Selector::parse("#error-link").expect("sel"))
        .next()
        .and_then(|a| a.attr("href"))
        .expect("link")
        .to_owned();
    let page = env
        .http
        .get(env.url(&link))
        .send()
        .await
        .expect("create page");
    let html = page.text().await.expect("html");
    assert_eq!(text_of(&html, "h1").as_deref(), Some("Create an account"));
    let form = Form::parse(&html, "#create-form");
    assert_eq!(form.field("email"), Some("nobody@example.com"));
    let response = env.submit(&form, &[]).await;
    let query = redirect_query(&response, WEB_REDIRECT);
    assert!(query.contains_key("code"));
    assert!(
        env.provider
            .users()
            .iter()
            .any(|u| u.email == "nobody@example.com")
    );
}

#[tokio::test]
async fn prompt_create_shows_the_create_page_and_creating_an_account_works() {
    let env = start().await;
    let page = env
        .authorize(&web_params(&[
            ("prompt", "create"),
            ("scope", "openid email profile"),
        ]))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert_eq!(text_of(&html, "h1").as_deref(), Some("Create an account"));
    assert!(html.contains(r#"<label for="email">"#) && html.contains(r#"<label for="name">"#));
    assert!(text_of(&html, "#create-account").is_some_and(|t| t == "Create account"));
    assert!(text_of(&html, "#sign-in-link").is_some());
    let form = Form::parse(&html, "#create-form");
    assert_eq!(form.field("action"), Some("create"));

    // An existing email is refused.
    let response = env.submit(&form, &[("email", "alice@example.com")]).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(text_of(&html, "#error").is_some_and(|t| t.contains("already exists")));
    // An invalid email too.
    let form = Form::parse(&html, "#create-form");
    let response = env.submit(&form, &[("email", "not-an-email")]).await;
    let html = response.text().await.expect("html");
    assert!(text_of(&html, "#error").is_some());

    let form = Form::parse(&html, "#create-form");
    let response = env
        .submit(
            &form,
            &[("email", "carol@example.com"), ("name", "Carol <C>")],
        )
        .await;
    let query = redirect_query(&response, WEB_REDIRECT);
    let carol = env
        .provider
        .users()
        .into_iter()
        .find(|u| u.email == "carol@example.com")
        .expect("carol exists");

    let (status, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &query["code"]),
                ("redirect_uri", WEB_REDIRECT),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["userinfo"]["sub"], json!(carol.sub));
    assert_eq!(body["userinfo"]["name"], json!("Carol <C>"));
    let (_, claims) = env
        .verify(body["id_token"].as_str().expect("id"), WEB_ID)
        .await;
    assert_eq!(claims["sub"], json!(carol.sub));
    assert_eq!(claims["name"], json!("Carol <C>"));

    // Carol now appears as a quick pick on the sign-in page, and signing in
    // with it keeps her sub.
    let page = env.authorize(&web_params(&[])).await;
    let html = page.text().await.expect("html");
    let picks = Form::parse_all(&html, "form.account-pick");
    let pick = picks
        .iter()
        .find(|f| f.field("email") == Some("carol@example.com"))
        .expect("quick pick");
    let response = env.submit(pick, &[]).await;
    let query = redirect_query(&response, WEB_REDIRECT);
    let (_, body, _) = env
        .token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &query["code"]),
                ("redirect_uri", WEB_REDIRECT),
            ],
            Some((WEB_ID, WEB_SECRET)),
        )
        .await;
    assert_eq!(body["userinfo"]["sub"], json!(carol.sub));
}

#[tokio::test]
async fn id_tokens_in_every_algorithm_verify_against_the_jwks() {
    let env = start().await;
    for (client, secret, alg) in [
        (ES_ID, "es-secret", jsonwebtoken::Algorithm::ES256),
        (ED_ID, "ed-secret", jsonwebtoken::Algorithm::EdDSA),
    ] {
        let params = [
            ("client_id", client),
            ("redirect_uri", WEB_REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
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
                Some((client, secret)),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (header, claims) = env
            .verify(body["id_token"].as_str().expect("id"), client)
            .await;
        assert_eq!(header.alg, alg);
        assert!(claims.get("nonce").is_none());
        if alg == jsonwebtoken::Algorithm::EdDSA {
            // at_hash with SHA-512 for Ed25519.
            let at = body["access_token"].as_str().expect("at");
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA512, at.as_bytes());
            use base64::Engine as _;
            let expected =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..32]);
            assert_eq!(claims["at_hash"], json!(expected));
        }
    }
}
