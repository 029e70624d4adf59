use super::*;

/// Every row of the shared table (see `issuer_cases.txt`).
pub(crate) fn issuer_cases() -> Vec<(bool, &'static str)> {
    include_str!("issuer_cases.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let (verdict, url) = line.split_once(' ').unwrap_or((line, ""));
            (verdict == "accept", url)
        })
        .collect()
}

#[test]
fn issuers_follow_the_shared_table() {
    let cases = issuer_cases();
    assert!(cases.len() > 10);
    for (accept, url) in cases {
        assert_eq!(parse_issuer(url).is_ok(), accept, "{url:?}");
    }
}

#[test]
fn endpoints_are_https_or_loopback_under_a_loopback_issuer() {
    let url = |s: &str| Url::parse(s).unwrap();
    let remote = url("https://op.example");
    let local = url("http://127.0.0.1:9000");
    assert!(endpoint_is_secure(
        &url("https://op.example/token"),
        &remote
    ));
    assert!(!endpoint_is_secure(
        &url("http://op.example/token"),
        &remote
    ));
    assert!(!endpoint_is_secure(&url("http://127.0.0.1/token"), &remote));
    assert!(endpoint_is_secure(
        &url("http://localhost:9000/token"),
        &local
    ));
    assert!(!endpoint_is_secure(
        &url("http://keys.example/jwks"),
        &local
    ));
    assert!(!endpoint_is_secure(&url("ftp://127.0.0.1/jwks"), &local));
}
