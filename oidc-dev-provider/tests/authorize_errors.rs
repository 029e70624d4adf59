//! Authorization endpoint errors: what is shown instead of redirecting,
//! what goes back to the client, cancelling, and malformed form posts.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn unknown_client_or_redirect_uri_shows_an_error_page_without_redirecting() {
    let env = start().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("client_id", "nobody"),
            ("redirect_uri", WEB_REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
        ],
        &[
            ("client_id", WEB_ID),
            ("redirect_uri", "http://evil.example/cb"),
            ("response_type", "code"),
            ("scope", "openid"),
        ],
        &[
            ("client_id", WEB_ID),
            ("redirect_uri", "http://127.0.0.1:9/callback/"),
            ("scope", "openid"),
        ],
        &[("redirect_uri", WEB_REDIRECT), ("response_type", "code")],
    ];
    for params in cases {
        let response = env.authorize(params).await;
        assert_eq!(response.status(), 400, "{params:?}");
        assert!(
            response.headers().get("location").is_none(),
            "never redirects"
        );
        let html = response.text().await.expect("html");
        assert!(text_of(&html, "#error-message").is_some(), "{html}");
        assert!(
            !html.contains("evil.example/cb?"),
            "no link to the redirect"
        );
    }
}

#[tokio::test]
async fn errors_after_redirect_validation_go_back_to_the_client() {
    let env = start().await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (&[("scope", "email")], "invalid_scope"),
        (&[("response_type", "token")], "unsupported_response_type"),
        (&[("prompt", "none")], "login_required"),
        (
            &[
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (&[("max_age", "-1")], "invalid_request"),
        (&[("request", "eyJ.x.y")], "request_not_supported"),
    ];
    for (extra, error) in cases {
        let mut params = vec![
            ("client_id", WEB_ID),
            ("redirect_uri", WEB_REDIRECT),
            ("state", "s1"),
        ];
        for name in ["response_type", "scope"] {
            if !extra.iter().any(|(n, _)| *n == name) {
                params.push((name, if name == "scope" { "openid" } else { "code" }));
            }
        }
        params.extend_from_slice(extra);
        let response = env.authorize(&params).await;
        let query = redirect_query(&response, WEB_REDIRECT);
        assert_eq!(query["error"], error, "{extra:?}");
        assert_eq!(query["state"], "s1");
        assert_eq!(query["iss"], env.provider.issuer_str());
        assert!(query.contains_key("error_description"));
    }

    // PKCE is required for public clients.
    let response = env
        .authorize(&[
            ("client_id", CLI_ID),
            ("redirect_uri", CLI_REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
        ])
        .await;
    assert_eq!(
        redirect_query(&response, CLI_REDIRECT)["error"],
        "invalid_request"
    );

    // An error in form_post mode is posted back.
    let response = env
        .authorize(&web_params(&[
            ("response_mode", "form_post"),
            ("prompt", "none"),
        ]))
        .await;
    assert_eq!(response.status(), 200);
    let form = Form::parse(&response.text().await.expect("html"), "#response-form");
    assert_eq!(form.field("error"), Some("login_required"));
}

#[tokio::test]
async fn cancel_gives_access_denied_by_the_response_mode() {
    let env = start().await;
    for mode in ["query", "form_post"] {
        let page = env.authorize(&web_params(&[("response_mode", mode)])).await;
        let html = page.text().await.expect("html");
        let cancel = Form::parse(&html, "#cancel-form");
        assert_eq!(cancel.field("action"), Some("cancel"));
        assert!(text_of(&html, "#cancel").is_some_and(|t| t == "Cancel"));
        let response = env.submit(&cancel, &[]).await;
        let fields: std::collections::HashMap<String, String> = if mode == "query" {
            redirect_query(&response, WEB_REDIRECT)
        } else {
            let html = response.text().await.expect("html");
            Form::parse(&html, "#response-form")
                .fields
                .into_iter()
                .collect()
        };
        assert_eq!(fields["error"], "access_denied");
        assert_eq!(
            fields["error_description"],
            "The user cancelled the sign-in."
        );
        assert_eq!(fields["state"], "opaque state/+= value");
        assert!(!fields.contains_key("code"));

        // The interaction is over.
        let again = env.submit(&cancel, &[]).await;
        assert_eq!(again.status(), 400);
    }
}

#[tokio::test]
async fn expired_interaction_and_bad_decisions_do_not_panic() {
    let env = start().await;
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("interaction", "nope"),
            ("action", "sign_in"),
            ("email", "alice@example.com"),
        ],
        &[("action", "cancel")],
        &[],
        &[("interaction", "%%%"), ("action", "\u{0}")],
    ];
    for fields in cases {
        let response = env
            .http
            .post(env.url("/authorize/decision"))
            .form(fields)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 400, "{fields:?}");
        assert!(response.headers().get("location").is_none());
    }
    let response = env
        .http
        .post(env.url("/authorize/decision"))
        .body("interaction=x")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400, "not a form");
    let value: Value = env
        .http
        .post(env.url("/token"))
        .body("{}")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(value["error"], json!("invalid_request"));
}
