use super::*;
use url::Url;

const PAGE: &str = r#"<html><body>
<form id="sign-in-form" method="post" action="/authorize/decision">
<input type="hidden" name="interaction" value="i1"><input type="hidden" name="action" value="sign_in">
<input id="email" name="email" value="hint@example.com"><button type="submit">Continue</button></form>
<form id="cancel-form" method="post" action="/authorize/decision">
<input type="hidden" name="interaction" value="i1"><input type="hidden" name="action" value="cancel"></form>
</body></html>"#;

fn page_url() -> Url {
    Url::parse("http://127.0.0.1:1/authorize?x=1").expect("url")
}

#[test]
fn the_sign_in_form_is_posted_with_the_email_replacing_the_hint() {
    let s =
        user_submission(PAGE, &page_url(), UserAction::SignIn("bob@example.com")).expect("form");
    assert_eq!(s.action.as_str(), "http://127.0.0.1:1/authorize/decision");
    let email: Vec<_> = s.fields.iter().filter(|(n, _)| n == "email").collect();
    assert_eq!(email, [&("email".to_owned(), "bob@example.com".to_owned())]);
    assert!(s.fields.contains(&("action".into(), "sign_in".into())));
}

#[test]
fn cancel_posts_the_cancel_form_and_a_missing_form_is_a_typed_error() {
    let s = user_submission(PAGE, &page_url(), UserAction::Cancel).expect("form");
    assert!(s.fields.contains(&("action".into(), "cancel".into())));
    let err = user_submission(PAGE, &page_url(), UserAction::Create("a@b.c")).expect_err("none");
    assert!(matches!(err, SignInError::NoForm { ref what, .. } if what == "#create-form"));
}

#[test]
fn a_form_post_response_is_found_by_its_action() {
    let html = r#"<form id="response-form" method="post" action="http://app.test/cb">
        <input type="hidden" name="code" value="c"></form>"#;
    let cb = Url::parse("http://app.test/cb").expect("url");
    let s = form_post_submission(html, &page_url(), &cb).expect("found");
    assert_eq!(s.fields, [("code".to_owned(), "c".to_owned())]);
    let other = Url::parse("http://app.test/other").expect("url");
    assert!(form_post_submission(html, &page_url(), &other).is_none());
}

#[tokio::test]
async fn minting_for_an_unknown_client_or_user_is_a_typed_error() {
    let provider = crate::DevProvider::builder()
        .client(
            crate::DevClient::confidential("app", "secret").redirect_uri("http://127.0.0.1:9/cb"),
        )
        .start()
        .await
        .expect("start");
    let err = provider
        .mint_id_token("nobody", "alice@example.com")
        .expect_err("unknown client");
    assert!(matches!(err, MintError::UnknownClient(ref id) if id == "nobody"));
    let err = provider
        .mint_access_token("app", "mallory@example.com", "openid")
        .expect_err("unknown user");
    assert!(matches!(err, MintError::UnknownUser(_)));

    let minted = provider
        .mint_id_token("app", "alice@example.com")
        .expect("mint")
        .claim("roles", serde_json::json!(["admin"]))
        .without("email");
    assert_eq!(minted.claims()["aud"], "app");
    assert!(minted.claims().get("email").is_none());
    let token = minted.sign().expect("sign");
    assert_eq!(token.split('.').count(), 3);
}

#[tokio::test]
async fn signing_in_an_unknown_account_is_refused_with_the_pages_message() {
    let provider = crate::DevProvider::builder()
        .client(crate::DevClient::public("app").redirect_uri("http://127.0.0.1:9/cb"))
        .start()
        .await
        .expect("start");
    let mut login = Url::parse(&format!("{}/authorize", provider.issuer_str())).expect("url");
    login
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "app")
        .append_pair("redirect_uri", "http://127.0.0.1:9/cb")
        .append_pair("scope", "openid")
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256");
    let client = browser_client().expect("client");
    let err = sign_in(&client, &login, "nobody@example.com")
        .await
        .expect_err("no such account");
    assert!(
        matches!(err, SignInError::Refused { ref message } if message.contains("No account")),
        "{err}"
    );
}
