use super::*;
use serde_json::json;

fn id_token(email: Option<&str>, verified: Option<bool>) -> IdTokenClaims {
    let mut raw = json!({
        "iss": "https://op.example", "sub": "user-1", "aud": "client-1",
        "exp": 2_000_000_000_i64, "iat": 1_700_000_000_i64,
    });
    if let Some(email) = email {
        raw["email"] = json!(email);
    }
    if let Some(verified) = verified {
        raw["email_verified"] = json!(verified);
    }
    let Value::Object(raw) = raw else {
        unreachable!()
    };
    IdTokenClaims::from_map(raw).unwrap()
}

fn user(claims: Value, id_token: &IdTokenClaims) -> UserInfo {
    let Value::Object(claims) = claims else {
        unreachable!()
    };
    UserInfo::from_claims(claims, id_token, ClaimsSource::Endpoint).unwrap()
}

#[test]
fn another_email_without_a_flag_is_not_verified_by_the_id_tokens_flag() {
    let id = id_token(Some("alice@example.com"), Some(true));
    let u = user(
        json!({"sub": "user-1", "email": "mallory@example.com"}),
        &id,
    );
    assert_eq!(u.email.as_deref(), Some("mallory@example.com"));
    assert_eq!(u.email_verified, None);
}

#[test]
fn the_same_email_keeps_the_id_tokens_flag() {
    let id = id_token(Some("alice@example.com"), Some(true));
    let u = user(json!({"sub": "user-1", "email": "alice@example.com"}), &id);
    assert_eq!(u.email_verified, Some(true));
    let u = user(
        json!({"sub": "user-1", "email": "alice@example.com", "email_verified": null}),
        &id,
    );
    assert_eq!(u.email_verified, Some(true));
}

#[test]
fn an_email_with_its_own_flag_keeps_it() {
    let id = id_token(Some("alice@example.com"), Some(true));
    let u = user(
        json!({"sub": "user-1", "email": "bob@example.com", "email_verified": false}),
        &id,
    );
    assert_eq!(u.email.as_deref(), Some("bob@example.com"));
    assert_eq!(u.email_verified, Some(false));
    let u = user(
        json!({"sub": "user-1", "email": "alice@example.com", "email_verified": "false"}),
        &id,
    );
    assert_eq!(u.email_verified, Some(false));
}

#[test]
fn without_an_email_the_id_tokens_pair_is_kept() {
    let id = id_token(Some("alice@example.com"), Some(true));
    let u = user(json!({"sub": "user-1", "name": "Alice"}), &id);
    assert_eq!(u.email.as_deref(), Some("alice@example.com"));
    assert_eq!(u.email_verified, Some(true));
    // A flag without an address names no address: it is not attached to
    // the ID token's.
    let id = id_token(Some("alice@example.com"), None);
    let u = user(json!({"sub": "user-1", "email_verified": true}), &id);
    assert_eq!(u.email.as_deref(), Some("alice@example.com"));
    assert_eq!(u.email_verified, None);
    let id = id_token(None, None);
    let u = user(json!({"sub": "user-1", "email_verified": true}), &id);
    assert_eq!((u.email, u.email_verified), (None, None));
}

#[test]
fn the_email_is_compared_exactly() {
    let id = id_token(Some("alice@example.com"), Some(true));
    let u = user(json!({"sub": "user-1", "email": "Alice@example.com"}), &id);
    assert_eq!(u.email_verified, None);
}

#[derive(Debug, serde::Deserialize)]
struct Custom {
    roles: Vec<String>,
    tenant: Option<String>,
}

#[test]
fn typed_claims_read_this_source_or_the_id_token_under_it() {
    let mut id = id_token(Some("alice@example.com"), Some(true));
    id.raw.insert("roles".into(), json!(["from-id-token"]));
    id.raw.insert("tenant".into(), json!("id-tenant"));
    let u = user(json!({"sub": "user-1", "tenant": "endpoint-tenant"}), &id);
    // The object alone lacks `roles`: named, not guessed.
    let error = u.claims::<Custom>().unwrap_err();
    assert_eq!(error.path, "roles");
    // Merged: the ID token's `roles`, the object's `tenant` (it wins).
    let merged: Custom = u.merged_claims(&id).unwrap();
    assert_eq!(merged.roles, ["from-id-token"]);
    assert_eq!(merged.tenant.as_deref(), Some("endpoint-tenant"));
}
