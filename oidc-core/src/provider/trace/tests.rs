use super::*;

#[test]
fn host_keeps_the_port_and_drops_path_query_and_credentials() {
    let url = Url::parse("https://user:pw@op.example:8443/token?code=secret#frag").unwrap();
    assert_eq!(host(&url), "op.example:8443");
    let url = Url::parse("https://op.example/.well-known/openid-configuration").unwrap();
    assert_eq!(host(&url), "op.example");
    let url = Url::parse("http://[::1]:9000/jwks").unwrap();
    assert_eq!(host(&url), "[::1]:9000");
}

#[test]
fn an_unparsable_issuer_has_an_empty_host() {
    assert_eq!(issuer_host("not a url"), "");
    assert_eq!(issuer_host("https://op.example/tenant"), "op.example");
}
