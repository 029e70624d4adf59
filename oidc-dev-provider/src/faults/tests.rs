//! Unit tests of fault injection.

use super::*;
use serde_json::json;

#[test]
fn edits_by_name_and_pointer() {
    let mut doc = json!({"iss": "a", "iat": 10, "userinfo": {"sub": "u"}});
    apply_edit(&mut doc, &Edit::set("iss", "b"));
    apply_edit(&mut doc, &Edit::shift("iat", 5));
    apply_edit(&mut doc, &Edit::set("/userinfo/sub", 42));
    apply_edit(&mut doc, &Edit::remove("missing"));
    apply_edit(&mut doc, &Edit::copy("aud", "iss"));
    apply_edit(&mut doc, &Edit::copy("x", "nothing"));
    assert_eq!(
        doc,
        json!({"iss": "b", "iat": 15, "aud": "b", "userinfo": {"sub": 42}})
    );
    apply_edit(&mut doc, &Edit::remove("/userinfo/sub"));
    assert_eq!(doc["userinfo"], json!({}));
}

#[test]
fn param_edits() {
    let mut params = vec![
        ("code".to_owned(), "c".to_owned()),
        ("state".to_owned(), "s".to_owned()),
    ];
    apply_param_edit(&mut params, &Edit::set("state", "t"));
    apply_param_edit(&mut params, &Edit::copy("iss", "code"));
    apply_param_edit(&mut params, &Edit::remove("code"));
    apply_param_edit(&mut params, &Edit::set("n", 5));
    assert_eq!(
        params,
        vec![
            ("state".to_owned(), "t".to_owned()),
            ("iss".to_owned(), "c".to_owned()),
            ("n".to_owned(), "5".to_owned()),
        ]
    );
}

#[test]
fn one_shot_and_scoped_faults() {
    let faults = Faults::default();
    let claim = Fault::id_claim(Edit::remove("iss"));
    faults.inject(claim.clone().once());
    faults.inject(Fault::id_header(Edit::remove("kid")).for_client("a"));
    faults.inject(Fault::id_claim(Edit::remove("never")).times(0));
    let first = faults.for_token(TokenKind::IdToken, "b");
    assert_eq!(first.claims, vec![Edit::remove("iss")]);
    assert!(first.header.is_empty());
    let second = faults.for_token(TokenKind::IdToken, "a");
    assert!(second.claims.is_empty(), "used up");
    assert_eq!(second.header, vec![Edit::remove("kid")]);
    assert!(
        faults
            .for_token(TokenKind::AccessToken, "a")
            .header
            .is_empty()
    );
    assert_eq!(faults.active().len(), 1);
    faults.clear();
    assert!(faults.active().is_empty());
}

#[test]
fn padding_keeps_json_valid() {
    let body = padded(br#"{"a":1}"#, 1000);
    assert_eq!(body.len(), 1000);
    assert!(serde_json::from_slice::<Value>(&body).is_ok());
    let compressed = gzip(&padded(b"{}", 1_000_000));
    assert!(compressed.len() < 10_000, "{}", compressed.len());
}
