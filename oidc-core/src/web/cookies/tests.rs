use super::*;

#[test]
fn names_are_per_state_and_hide_it() {
    let a = name_for_state("state-a");
    let b = name_for_state("state-b");
    assert_ne!(a, b);
    assert!(a.starts_with("__Host-") && a.starts_with(PREFIX) && !a.contains("state-a"));
    assert_eq!(a, name_for_state("state-a"));
}

#[test]
fn form_post_cookie_is_samesite_none_and_a_host_cookie() {
    let c = pending_cookie("s", "v1.x", 7, ResponseMode::FormPost, 600);
    let shown = c.to_string();
    assert!(shown.contains("SameSite=None"), "{shown}");
    assert!(
        shown.contains("Secure") && shown.contains("HttpOnly") && shown.contains("Path=/;"),
        "{shown}"
    );
    assert!(!shown.contains("Domain"), "{shown}");
    assert_eq!(sealed_value(c.value()), "v1.x");
    let c = pending_cookie("s", "v1.x", 7, ResponseMode::Query, 600);
    assert!(c.to_string().contains("SameSite=Lax"));
}

#[test]
fn removals_keep_the_host_prefix_attributes() {
    let shown = removal(name_for_state("s")).to_string();
    assert!(
        shown.contains("Secure") && shown.contains("Path=/"),
        "{shown}"
    );
}

#[test]
fn the_oldest_pending_logins_are_dropped_first() {
    let mut jar = CookieJar::new();
    for (state, started) in [("c", 30), ("a", 10), ("d", 40), ("b", 20)] {
        jar = jar.add(pending_cookie(
            state,
            "v1.x",
            started,
            ResponseMode::Query,
            60,
        ));
    }
    jar = jar.add(Cookie::new("unrelated", "1"));
    assert!(to_drop_for_one_more(&jar, 5).is_empty());
    assert_eq!(to_drop_for_one_more(&jar, 4), vec![name_for_state("a")]);
    assert_eq!(
        to_drop_for_one_more(&jar, 2),
        vec![
            name_for_state("a"),
            name_for_state("b"),
            name_for_state("c")
        ]
    );
    // A value without a readable start time goes first.
    jar = jar.add(Cookie::new(name_for_state("e"), "garbage"));
    assert_eq!(to_drop_for_one_more(&jar, 5), vec![name_for_state("e")]);
}
