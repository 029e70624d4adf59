use super::*;

fn values(list: &[&str]) -> Vec<String> {
    list.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn acr_is_not_checked_when_none_was_requested() {
    assert_eq!(check_acr(&[], None), Ok(()));
    assert_eq!(check_acr(&[], Some("urn:x:loa:1")), Ok(()));
}

#[test]
fn acr_must_be_one_of_the_requested_values() {
    let requested = values(&["urn:x:loa:3", "urn:x:loa:2"]);
    assert_eq!(check_acr(&requested, Some("urn:x:loa:2")), Ok(()));
    assert_eq!(
        check_acr(&requested, Some("urn:x:loa:1")),
        Err(IdTokenError::AcrNotSatisfied {
            requested: requested.clone(),
            received: Some("urn:x:loa:1".into()),
        })
    );
    let absent = check_acr(&requested, None).unwrap_err();
    assert_eq!(
        absent,
        IdTokenError::AcrNotSatisfied {
            requested,
            received: None,
        }
    );
    assert_eq!(
        absent.to_string(),
        "the ID token's acr is absent, not one of the requested acr_values (urn:x:loa:3 urn:x:loa:2)"
    );
}
