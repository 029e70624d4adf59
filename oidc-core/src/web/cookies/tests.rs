use super::*;

#[test]
fn names_are_per_state_and_hide_it() {
    let a = name_for_state("state-a");
    let b = name_for_state("state-b");
    assert_ne!(a, b);
    assert!(a.starts_with(PREFIX) && !a.contains("state-a"));
    assert_eq!(a, name_for_state("state-a"));
}

#[test]
fn form_post_cookie_is_samesite_none_and_secure() {
    let c = pending_cookie("s", "v".into(), ResponseMode::FormPost, "/callback", 600);
    let shown = c.to_string();
    assert!(shown.contains("SameSite=None"), "{shown}");
    assert!(
        shown.contains("Secure") && shown.contains("HttpOnly") && shown.contains("Path=/callback")
    );
    let c = pending_cookie("s", "v".into(), ResponseMode::Query, "/callback", 600);
    assert!(c.to_string().contains("SameSite=Lax"));
}
