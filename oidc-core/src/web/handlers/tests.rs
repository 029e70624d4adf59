use super::is_local_path;

#[test]
fn only_local_paths_are_return_targets() {
    for ok in ["/", "/account", "/a?b=c"] {
        assert!(is_local_path(ok), "{ok}");
    }
    for bad in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "account",
        "",
        "/a\nb",
    ] {
        assert!(!is_local_path(bad), "{bad}");
    }
}
