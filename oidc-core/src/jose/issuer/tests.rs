use super::*;

const TEMPLATE: &str = "https://login.microsoftonline.com/{tenantid}/v2.0";
const COMMON: &str = "https://login.microsoftonline.com/common/v2.0";
const TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

#[test]
fn exact_is_the_default_and_exact() {
    let rule = ExpectedIssuer::from_discovery(
        IssuerPolicy::default(),
        "https://op.example",
        "https://op.example",
    )
    .unwrap();
    assert!(rule.accepts("https://op.example", None));
    for other in [
        "https://op.example/",
        "op.example",
        "http://op.example",
        "https://OP.example",
    ] {
        assert!(!rule.accepts(other, None), "{other}");
    }
    assert!(matches!(
        ExpectedIssuer::from_discovery(
            IssuerPolicy::Exact,
            "https://op.example",
            "https://op.example/"
        ),
        Err(DiscoveryError::IssuerMismatch { .. })
    ));
}

#[test]
fn google_accepts_the_schemeless_alias_and_nothing_else() {
    let rule = ExpectedIssuer::from_discovery(
        IssuerPolicy::Google,
        "https://accounts.google.com",
        "https://accounts.google.com",
    )
    .unwrap();
    assert!(rule.accepts("https://accounts.google.com", None));
    assert!(rule.accepts("accounts.google.com", None));
    assert!(rule.accepts_response_iss("accounts.google.com"));
    for other in [
        "http://accounts.google.com",
        "accounts.google.com/",
        "evil.example/accounts.google.com",
        "accounts.google.com.evil.example",
        "",
    ] {
        assert!(!rule.accepts(other, None), "{other}");
    }
    // Discovery itself must still name the configured issuer exactly.
    assert!(
        ExpectedIssuer::from_discovery(
            IssuerPolicy::Google,
            "https://accounts.google.com",
            "accounts.google.com"
        )
        .is_err()
    );
}

#[test]
fn entra_fills_the_template_with_the_tokens_own_tid() {
    let rule =
        ExpectedIssuer::from_discovery(IssuerPolicy::EntraMultiTenant, COMMON, TEMPLATE).unwrap();
    let iss = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    assert!(rule.accepts(&iss, Some(TENANT)));
    // No tid, another tenant's tid, or a tid that is not one segment.
    assert!(!rule.accepts(&iss, None));
    assert!(!rule.accepts(&iss, Some("72f988bf-86f1-41af-91ab-2d7cd011db47")));
    assert!(!rule.accepts(TEMPLATE, Some("{tenantid}")));
    let slashed = "https://login.microsoftonline.com/a/b/v2.0";
    assert!(!rule.accepts(slashed, Some("a/b")));
    assert!(!rule.accepts("https://login.microsoftonline.com//v2.0", Some("")));
    // The configured `common` issuer is not a tenant's issuer.
    assert!(!rule.accepts(COMMON, Some(TENANT)));
    // The authorization response carries no tid: any well-formed tenant.
    assert!(rule.accepts_response_iss(&iss));
    assert!(!rule.accepts_response_iss(TEMPLATE));
    assert!(!rule.accepts_response_iss("https://login.microsoftonline.com/a/b/v2.0"));
    assert!(!rule.accepts_response_iss("https://evil.example/x/v2.0"));
}

#[test]
fn entra_templates_must_stay_on_the_configured_origin() {
    for published in [
        "https://evil.example/{tenantid}/v2.0",
        "https://login.microsoftonline.com/v2.0",
        "https://login.microsoftonline.com/{tenantid}/{tenantid}/v2.0",
        "http://login.microsoftonline.com/{tenantid}/v2.0",
    ] {
        assert!(
            ExpectedIssuer::from_discovery(IssuerPolicy::EntraMultiTenant, COMMON, published)
                .is_err(),
            "{published}"
        );
    }
    // A tenant-specific configuration publishes its own issuer: exact.
    let single = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let rule =
        ExpectedIssuer::from_discovery(IssuerPolicy::EntraMultiTenant, &single, &single).unwrap();
    assert!(rule.accepts(&single, None));
    assert!(!rule.accepts(&single.replace(TENANT, "other"), Some("other")));
}
