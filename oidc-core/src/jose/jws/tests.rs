use super::*;
use crate::error::JwsError;
use crate::util::b64url;

fn token(header: &str) -> String {
    format!("{}.{}.c2ln", b64url(header.as_bytes()), b64url(b"{}"))
}

fn parse(header: &str) -> Result<JoseHeader, JwsError> {
    let t = token(header);
    CompactJws::parse(&t, &[SigningAlgorithm::RS256, SigningAlgorithm::ES256]).map(|j| j.header)
}

#[test]
fn accepts_a_plain_header() {
    let h = parse(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#).unwrap();
    assert_eq!(h.alg, SigningAlgorithm::RS256);
    assert_eq!(h.kid.as_deref(), Some("k1"));
}

#[test]
fn none_in_every_spelling_is_refused() {
    for alg in ["none", "None", "NONE", "nOnE", ""] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert_eq!(
            parse(&header),
            Err(JwsError::AlgorithmNotAllowed(alg.into()))
        );
    }
}

#[test]
fn unsigned_tokens_are_refused_for_their_algorithm() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let unsigned = format!("{}.{}.", b64url(header.as_bytes()), b64url(b"{}"));
        assert_eq!(
            CompactJws::parse(&unsigned, &[SigningAlgorithm::RS256]).err(),
            Some(JwsError::AlgorithmNotAllowed(alg.into())),
            "{alg}"
        );
    }
    let unsigned = format!("{}.{}.", b64url(br#"{"alg":"RS256"}"#), b64url(b"{}"));
    assert_eq!(
        CompactJws::parse(&unsigned, &[SigningAlgorithm::RS256]).err(),
        Some(JwsError::Malformed("the signature is empty"))
    );
}

#[test]
fn hmac_and_unlisted_algorithms_are_refused() {
    for alg in ["HS256", "HS512", "RS384", "rs256"] {
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        assert!(
            matches!(parse(&header), Err(JwsError::AlgorithmNotAllowed(_))),
            "{alg}"
        );
    }
}

#[test]
fn crit_and_embedded_keys_are_refused() {
    assert!(matches!(
        parse(r#"{"alg":"RS256","crit":["exp"]}"#),
        Err(JwsError::CriticalHeader(_))
    ));
    for m in ["jwk", "jku", "x5u", "x5c"] {
        let header = format!(r#"{{"alg":"RS256","{m}":"x"}}"#);
        assert!(
            matches!(parse(&header), Err(JwsError::EmbeddedKey(_))),
            "{m}"
        );
    }
}

#[test]
fn duplicate_members_are_refused() {
    assert!(matches!(
        parse(r#"{"alg":"RS256","alg":"none"}"#),
        Err(JwsError::InvalidHeader(_))
    ));
}

#[test]
fn shapes_are_checked() {
    let allowed = [SigningAlgorithm::RS256];
    assert!(matches!(
        CompactJws::parse("a.b", &allowed),
        Err(JwsError::Malformed(_))
    ));
    assert_eq!(
        CompactJws::parse("a.b.c.d.e", &allowed).err(),
        Some(JwsError::Encrypted)
    );
    assert!(matches!(
        CompactJws::parse("..", &allowed),
        Err(JwsError::Malformed(_))
    ));
    assert!(matches!(
        CompactJws::parse("!!.e30.c2ln", &allowed),
        Err(JwsError::InvalidHeader(_))
    ));
    assert!(matches!(
        parse(r#"{"alg":5}"#),
        Err(JwsError::InvalidHeader(_))
    ));
    assert!(matches!(
        parse(r#"["RS256"]"#),
        Err(JwsError::InvalidHeader(_))
    ));
    let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
    assert!(matches!(
        CompactJws::parse(&huge, &allowed),
        Err(JwsError::Malformed(_))
    ));
}
