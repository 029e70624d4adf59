use super::*;

#[test]
fn random_tokens_are_long_and_distinct() {
    let a = random_token().unwrap();
    let b = random_token().unwrap();
    assert_eq!(a.len(), 43);
    assert_ne!(a, b);
}

#[test]
fn form_content_types_compare_case_insensitively() {
    for ct in [
        "application/x-www-form-urlencoded",
        "Application/X-WWW-Form-URLEncoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
        " application/x-www-form-urlencoded ;charset=utf-8",
    ] {
        assert!(is_form_urlencoded(Some(ct)), "{ct}");
    }
    for ct in [
        "application/json",
        "application/x-www-form-urlencodedx",
        "multipart/form-data",
        "",
    ] {
        assert!(!is_form_urlencoded(Some(ct)), "{ct}");
    }
    assert!(!is_form_urlencoded(None));
}

#[test]
fn ct_eq_is_equality() {
    assert!(ct_eq("abc", "abc"));
    assert!(!ct_eq("abc", "abd"));
    assert!(!ct_eq("abc", "ab"));
}
