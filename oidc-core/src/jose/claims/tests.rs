use super::*;
use crate::error::ClaimsError;
use serde_json::json;

fn map(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

#[test]
fn types_are_checked_and_named() {
    let raw = map(json!({"s": "x", "n": 5, "f": 5.9, "b": "true", "big": 1e300}));
    assert_eq!(string(&raw, "s"), Ok(Some("x".into())));
    assert!(matches!(string(&raw, "n"), Err(ClaimsError::Invalid(m)) if m.contains("`n`")));
    assert_eq!(time(&raw, "f"), Ok(Some(5)));
    assert!(time(&raw, "big").is_err());
    assert_eq!(boolean(&raw, "b"), Ok(Some(true)));
    assert_eq!(required_time(&raw, "exp"), Err(ClaimsError::Missing("exp")));
    assert_eq!(audiences(&raw), Err(ClaimsError::Missing("aud")));
    assert!(audiences(&map(json!({"aud": []}))).is_err());
    assert!(audiences(&map(json!({"aud": ["a", 1]}))).is_err());
    assert_eq!(
        audiences(&map(json!({"aud": ["a", "b"]}))),
        Ok(vec!["a".into(), "b".into()])
    );
}
