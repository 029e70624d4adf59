use super::*;
use crate::secret::{AccessToken, IdTokenJwt, RefreshToken};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// A compact JWS carrying `claims` (the signature is not looked at: the
/// record keeps a token that was verified at sign-in).
fn jwt(claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!(
        "{}.{}.c2lnbmF0dXJl",
        part(&json!({"alg": "RS256", "kid": "k1"})),
        part(claims)
    )
}

fn claims() -> Value {
    json!({
        "iss": "https://op.example", "sub": "alice", "aud": "app",
        "exp": 2_000_000_000, "iat": 1_700_000_000, "nonce": "n-1",
        "sid": "s-1", "email": "alice@example.com", "email_verified": true,
        "roles": ["admin"]
    })
}

fn record(id_token: Option<String>) -> SessionRecord {
    let Value::Object(raw) = claims() else {
        unreachable!()
    };
    let id_token_claims = IdTokenClaims::from_map(raw).unwrap();
    SessionRecord {
        user: UserInfo {
            sub: "alice".into(),
            email: Some("alice@example.com".into()),
            email_verified: Some(true),
            name: None,
            claims: serde_json::Map::new(),
        },
        sid: id_token_claims.sid.clone(),
        id_token: id_token_claims,
        tokens: TokenSet {
            access_token: AccessToken::new("at-1"),
            token_type: "Bearer".into(),
            expires_at: Some(2_000_000_000),
            refresh_token: Some(RefreshToken::new("rt-1")),
            scope: Some("openid email".into()),
            id_token: id_token.map(IdTokenJwt::new),
        },
        signed_in_at_ms: 1_700_000_000_000,
    }
}

/// What tower-sessions does with a value: `to_value` on insert,
/// `from_value` on read.
fn round_trip(record: &SessionRecord) -> (Value, SessionRecord) {
    let stored = serde_json::to_value(ToStore::checked(record)).unwrap();
    let Stored(back) = serde_json::from_value(stored.clone()).unwrap();
    (stored, back)
}

fn assert_same(a: &SessionRecord, b: &SessionRecord) {
    assert_eq!(a.user, b.user);
    assert_eq!(a.id_token, b.id_token);
    assert_eq!(
        a.tokens.access_token.secret(),
        b.tokens.access_token.secret()
    );
    assert_eq!(
        a.tokens.id_token.as_ref().map(|t| t.secret()),
        b.tokens.id_token.as_ref().map(|t| t.secret())
    );
    assert_eq!(a.signed_in_at_ms, b.signed_in_at_ms);
    assert_eq!(a.sid, b.sid);
}

#[test]
fn a_record_is_one_string_without_the_claims_its_id_token_holds() {
    let record = record(Some(jwt(&claims())));
    let (stored, back) = round_trip(&record);
    let Value::String(json) = &stored else {
        panic!("stored as one string: {stored}")
    };
    let fields: Value = serde_json::from_str(json).unwrap();
    assert!(fields.get("id_token").is_none(), "{fields}");
    assert_same(&record, &back);
    assert_eq!(
        back.id_token.claims::<Value>().unwrap()["roles"][0],
        "admin"
    );
}

#[test]
fn claims_the_token_does_not_hold_are_kept() {
    // No ID token kept, or one whose claims differ: the claims are stored.
    for token in [
        None,
        Some(jwt(
            &json!({"iss": "x", "sub": "bob", "aud": "a", "exp": 1, "iat": 1}),
        )),
        Some("not.a-jwt".into()),
    ] {
        let record = record(token);
        let (stored, back) = round_trip(&record);
        let fields: Value = serde_json::from_str(stored.as_str().unwrap()).unwrap();
        assert_eq!(fields["id_token"]["sub"], "alice", "{fields}");
        assert_same(&record, &back);
    }
}

#[test]
fn records_stored_as_objects_before_are_still_read() {
    let record = record(Some(jwt(&claims())));
    let legacy = serde_json::to_value(&record).unwrap();
    assert!(legacy.is_object());
    let Stored(back) = serde_json::from_value(legacy).unwrap();
    assert_same(&record, &back);
}

#[test]
fn a_stored_record_without_readable_claims_is_an_error() {
    let (stored, _) = round_trip(&record(Some(jwt(&claims()))));
    // The same record, its ID token replaced by garbage after it was stored.
    let mut fields: Value = serde_json::from_str(stored.as_str().unwrap()).unwrap();
    fields["tokens"]["id_token"] = json!("garbage");
    let broken = Value::String(fields.to_string());
    let error = serde_json::from_value::<Stored>(broken).err().unwrap();
    assert!(
        error.to_string().contains("no readable ID token"),
        "{error}"
    );
}
