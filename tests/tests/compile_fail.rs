//! The compile-time guarantees, pinned: every mistake `#[oidc_client]` or the
//! typestate flow turns into a compile error has a case in `ui/fail/` with
//! the exact message (`.stderr`), and every supported form of the attribute
//! compiles in `ui/pass/`.
//!
//! Messages change between compiler versions: the fixtures are for the
//! toolchain CI uses. After reading a changed message and judging it still
//! names the fix, refresh with `TRYBUILD=overwrite cargo test -p tests --test
//! compile_fail`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
