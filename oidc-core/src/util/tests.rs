use super::*;

#[test]
fn random_tokens_are_long_and_distinct() {
    let a = random_token().unwrap();
    let b = random_token().unwrap();
    assert_eq!(a.len(), 43);
    assert_ne!(a, b);
}

#[test]
fn ct_eq_is_equality() {
    assert!(ct_eq("abc", "abc"));
    assert!(!ct_eq("abc", "abd"));
    assert!(!ct_eq("abc", "ab"));
}
