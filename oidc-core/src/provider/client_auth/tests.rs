use super::*;

#[test]
fn basic_auth_urlencodes_credentials() {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    let header = client_auth(
        AuthMethod::ClientSecretBasic,
        "id:1",
        Some(&ClientSecret::new("p@ss word")),
        &mut form,
    )
    .unwrap();
    let encoded = header
        .to_str()
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap()
        .to_owned();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(String::from_utf8(decoded).unwrap(), "id%3A1:p%40ss+word");
    assert!(form.finish().is_empty());
}
