use super::*;
use std::collections::HashMap;

fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn every_problem_is_reported_once_with_its_variable() {
    let lookup = lookup(&[("PORT", "eighty"), ("EMPTY", "")]);
    let mut env = Env::new(&lookup);
    let a: Option<String> = env.var("MISSING", None);
    let b: Option<u16> = env.var("PORT", None);
    let c: Option<url::Url> = env.var("EMPTY", Some("not a url"));
    let d: Option<Option<String>> = env.optional("ABSENT", None);
    let e: Option<u16> = env.literal("port", "x");
    assert!(a.is_none() && b.is_none() && c.is_none() && e.is_none());
    assert_eq!(d, Some(None));
    let Err(ConfigError::Environment(problems)) = env.finish(|| Some(())) else {
        panic!("expected an environment error");
    };
    let shown: Vec<(String, String)> = problems
        .into_iter()
        .map(|p| (p.variable, p.problem))
        .collect();
    assert_eq!(
        shown,
        [
            ("MISSING".to_owned(), "is not set".to_owned()),
            (
                "PORT".to_owned(),
                "is not a valid u16 (invalid digit found in string)".to_owned()
            ),
            (
                "EMPTY".to_owned(),
                "is not set, and its default `not a url` is not a valid Url (relative URL without a base)"
                    .to_owned()
            ),
            (
                "field `port`".to_owned(),
                "its default `x` is not a valid u16 (invalid digit found in string)"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn values_defaults_and_secrets() {
    let lookup = lookup(&[("ID", "abc"), ("SECRET", "hunter2"), ("N", "7")]);
    let mut env = Env::new(&lookup);
    let id: Option<String> = env.var("ID", Some("unused"));
    let secret: Option<ClientSecret> = env.var("SECRET", None);
    let n: Option<Option<u8>> = env.optional("N", None);
    let m: Option<u8> = env.var_or_default("M");
    let d: Option<String> = env.var("D", Some("dflt"));
    let built = env
        .finish(|| Some((id?, secret?, n?, m?, d?)))
        .expect("all set");
    assert_eq!(built.0, "abc");
    assert_eq!(built.1.secret(), "hunter2");
    assert_eq!((built.2, built.3, built.4.as_str()), (Some(7), 0, "dflt"));
}

#[test]
fn malformed_secret_values_never_reach_the_message() {
    let lookup = lookup(&[("SECRET_NUM", "hunter2")]);
    let mut env = Env::new(&lookup);
    let _: Option<u64> = env.var("SECRET_NUM", None);
    let err = env.finish(|| Some(())).expect_err("malformed");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn short_type_names() {
    assert_eq!(type_name::<url::Url>(), "Url");
    assert_eq!(type_name::<Option<String>>(), "Option<String>");
    assert_eq!(type_name::<u16>(), "u16");
}

#[test]
fn parts_build_a_validated_config() {
    let parts = || Parts {
        issuer: "https://op.example".into(),
        client_id: "cid".into(),
        client_secret: Some(ClientSecret::new("s")),
        redirect_uri: "https://app.example/cb".into(),
        scopes: Some(&["openid", "profile"]),
        response_mode: Some(ResponseMode::Query),
        auth_method: Some(AuthMethod::ClientSecretBasic),
    };
    let config = client_config(parts()).expect("valid");
    assert_eq!(config.configured_response_mode(), ResponseMode::Query);
    let missing = client_config(Parts {
        client_secret: None,
        ..parts()
    });
    assert!(matches!(
        missing,
        Err(ConfigError::MissingClientSecret { .. })
    ));
}
