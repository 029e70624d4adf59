//! Each kind of refusal names the claim and never shows its value.

use crate::error::{ClaimProblem, ClaimsTypeError};
use crate::jose::claims::typed;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// A value that must never appear in an error (personal data).
const SECRET: &str = "alice-private-value";

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Custom {
    roles: Vec<String>,
    tenant: Option<String>,
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(claims: Value) -> ClaimsTypeError {
    let error = typed::<T>(&map(claims)).unwrap_err();
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(SECRET), "the value leaked: {shown}");
    }
    error
}

#[test]
fn custom_claims_are_read() {
    let custom: Custom = typed(&map(
        json!({"sub": "u", "roles": ["admin"], "tenant": "t1"}),
    ))
    .unwrap();
    assert_eq!(custom.roles, ["admin"]);
    assert_eq!(custom.tenant.as_deref(), Some("t1"));
    let custom: Custom = typed(&map(json!({"roles": []}))).unwrap();
    assert_eq!(custom.tenant, None);
}

#[test]
fn a_missing_claim_is_named() {
    let error = refused::<Custom>(json!({"tenant": SECRET}));
    assert_eq!(error.path, "roles");
    assert_eq!(error.problem, ClaimProblem::Missing);
    assert_eq!(error.to_string(), "the claim `roles` is missing");
    assert_eq!(error.check_name(), "claims.type");
}

#[test]
fn a_wrong_type_names_the_json_type_and_the_expectation_not_the_value() {
    let error = refused::<Custom>(json!({"roles": SECRET}));
    assert_eq!(error.path, "roles");
    assert_eq!(
        error.problem,
        ClaimProblem::WrongType {
            found: Some("string"),
            expected: Some("a sequence".into()),
        }
    );
    assert_eq!(
        error.to_string(),
        "the claim `roles` has the wrong type (string), expected a sequence"
    );
}

#[test]
fn nested_claims_are_named_by_their_path() {
    let error = refused::<Custom>(json!({"roles": ["a", 7]}));
    assert_eq!(error.path, "roles[1]");
    assert!(matches!(
        error.problem,
        ClaimProblem::WrongType {
            found: Some("number"),
            ..
        }
    ));

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Address {
        country: String,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct WithAddress {
        address: Address,
    }
    let error = refused::<WithAddress>(json!({"address": {"street": SECRET}}));
    assert_eq!(error.path, "address.country");
    assert_eq!(error.problem, ClaimProblem::Missing);
}

#[test]
fn a_refused_value_keeps_the_expectation_only() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    #[serde(rename_all = "lowercase")]
    enum Role {
        Admin,
        User,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Roles {
        role: Role,
        level: u8,
    }
    let error = refused::<Roles>(json!({"role": SECRET, "level": 1}));
    assert_eq!(error.path, "role");
    assert_eq!(
        error.problem,
        ClaimProblem::InvalidValue {
            expected: Some("`admin` or `user`".into())
        }
    );
    let error = refused::<Roles>(json!({"role": "admin", "level": 300}));
    assert_eq!(error.path, "level");
    assert!(matches!(error.problem, ClaimProblem::InvalidValue { .. }));
}

#[test]
fn an_unknown_claim_is_named_when_the_type_denies_them() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        sub: String,
    }
    let error = refused::<Strict>(json!({"sub": "u", "groups": [SECRET]}));
    assert_eq!(error.path, "groups");
    assert_eq!(error.problem, ClaimProblem::Unknown);
}

#[test]
fn a_custom_deserialize_message_is_not_kept() {
    #[derive(Debug)]
    struct Picky;
    impl<'de> Deserialize<'de> for Picky {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let value = String::deserialize(d)?;
            Err(serde::de::Error::custom(format!("bad tenant {value}")))
        }
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Tenant {
        tenant: Picky,
    }
    let error = refused::<Tenant>(json!({"tenant": SECRET}));
    assert_eq!(error.path, "tenant");
    assert_eq!(error.problem, ClaimProblem::Refused);
}

#[test]
fn a_type_that_is_no_object_names_the_claims_object() {
    let error = refused::<Vec<String>>(json!({"roles": [SECRET]}));
    assert_eq!(error.path, ".");
    assert!(matches!(error.problem, ClaimProblem::WrongType { .. }));
    assert!(
        error.to_string().starts_with("the claims object"),
        "{error}"
    );
}
