use super::*;
use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

fn response(status: u16, body: &str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    Response {
        status,
        headers,
        body: Bytes::from(body.to_owned()),
    }
}

#[test]
fn parses_the_guides_response() {
    let r = parse(&response(
        200,
        r#"{"userinfo":{"sub":"u1","email":"a@b","email_verified":true},"id_token":"x.y.z","access_token":"at"}"#,
    ))
    .unwrap();
    assert_eq!(r.tokens.access_token.secret(), "at");
    assert_eq!(r.tokens.token_type, "Bearer");
    assert_eq!(r.userinfo.unwrap()["sub"], "u1");
}

#[test]
fn expires_in_number_or_numeric_string() {
    for body in [
        r#"{"access_token":"a","token_type":"bearer","expires_in":60}"#,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":"60"}"#,
    ] {
        let r = parse(&response(200, body)).unwrap();
        let left = r.tokens.expires_at.unwrap() - unix_now();
        assert!((59..=60).contains(&left), "{left}");
    }
    assert!(
        parse(&response(
            200,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":"soon"}"#
        ))
        .is_err()
    );
    assert!(
        parse(&response(
            200,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":-5}"#
        ))
        .is_err()
    );
}

#[test]
fn token_type_may_be_missing_only_in_the_guides_shape() {
    // The guide's shape: inline `userinfo`, no token_type; Bearer.
    let r = parse(&response(
        200,
        r#"{"userinfo":{"sub":"u1"},"id_token":"x.y.z","access_token":"at"}"#,
    ))
    .unwrap();
    assert_eq!(r.tokens.token_type, "Bearer");
    // Anything else needs it (RFC 6749 5.1).
    for body in [
        r#"{"id_token":"x.y.z","access_token":"at"}"#,
        r#"{"id_token":"x.y.z","access_token":"at","userinfo":null}"#,
        r#"{"id_token":"x.y.z","access_token":"at","token_type":null}"#,
    ] {
        let e = parse(&response(200, body)).unwrap_err();
        assert!(
            matches!(&e, TokenError::InvalidResponse(m) if m.contains("`token_type` is missing")),
            "{body}: {e:?}"
        );
    }
}

#[test]
fn oauth_errors_are_typed() {
    let e = parse(&response(
        400,
        r#"{"error":"invalid_grant","error_description":"code used"}"#,
    ))
    .unwrap_err();
    assert!(
        matches!(e, TokenError::Provider { ref error, status: 400, .. } if error == "invalid_grant")
    );
    let e = parse(&response(500, "{}")).unwrap_err();
    assert!(matches!(e, TokenError::InvalidResponse(_)));
}

#[test]
fn wrong_types_and_token_types_are_refused() {
    assert!(matches!(
        parse(&response(
            200,
            r#"{"access_token":"a","token_type":"DPoP"}"#
        )),
        Err(TokenError::UnsupportedTokenType(_))
    ));
    assert!(matches!(
        parse(&response(200, r#"{"access_token":5}"#)),
        Err(TokenError::InvalidResponse(_))
    ));
    assert!(matches!(
        parse(&response(200, r#"{"token_type":"Bearer"}"#)),
        Err(TokenError::InvalidResponse(_))
    ));
    assert!(matches!(
        parse(&response(200, r#"{"access_token":"a","userinfo":"x"}"#)),
        Err(TokenError::InvalidResponse(_))
    ));
    assert!(matches!(
        parse(&response(200, r#"{"access_token":"a","access_token":"b"}"#)),
        Err(TokenError::InvalidResponse(_))
    ));
}
