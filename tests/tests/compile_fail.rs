//! The compile-time guarantees, pinned: every mistake `#[oidc_client]`, the
//! typestate flow or the web glue turns into a compile error has a case in
//! `ui/fail/<category>/` with the exact message (`.stderr`), and every
//! supported form of the attribute compiles in `ui/pass/`.
//!
//! Categories: `flow/` (the typestate login), `macro_options/` (the
//! attribute's own options and what it is put on), `fields/` (the struct's
//! fields, roles and field options), `secrets/` (secret types), `web/` (the
//! axum glue). A new case goes in the folder of its kind; a new folder needs
//! a line in [`FAIL`].
//!
//! Messages change between compiler versions: the fixtures are for
//! [`FIXTURES_RUSTC`] (the toolchain CI uses). On another compiler the test
//! says so and skips, rather than failing on wording; check them with
//! `cargo +1.95.0 test -p tests --test compile_fail`. After reading a changed
//! message and judging it still names the fix, refresh with
//! `TRYBUILD=overwrite cargo test -p tests --test compile_fail`.

use std::process::Command;

/// The `major.minor` of the rustc the `.stderr` fixtures were written for.
const FIXTURES_RUSTC: &str = "1.95";

/// Every folder of compile-fail cases.
const FAIL: &[&str] = &[
    "ui/fail/flow/*.rs",
    "ui/fail/macro_options/*.rs",
    "ui/fail/fields/*.rs",
    "ui/fail/secrets/*.rs",
    "ui/fail/web/*.rs",
];

#[test]
fn ui() {
    let version = rustc_version();
    if !is_fixtures_rustc(&version) {
        eprintln!(
            "compile-fail fixtures are for rustc {FIXTURES_RUSTC}; this is {version}: \
             skipped — run with +{FIXTURES_RUSTC}.0 to check them"
        );
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    for folder in FAIL {
        cases.compile_fail(folder);
    }
}

/// No case is outside a category folder (a flat `ui/fail/*.rs` would not
/// run), and every category folder is listed in [`FAIL`].
#[test]
fn every_case_is_in_a_listed_folder() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fail");
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            path.is_dir(),
            "ui/fail/{name}: compile-fail cases go in a category folder"
        );
        assert!(
            FAIL.contains(&format!("ui/fail/{name}/*.rs").as_str()),
            "ui/fail/{name}/ is not listed in FAIL"
        );
    }
}

/// `rustc --version` of the compiler cargo uses (`$RUSTC` if set), e.g.
/// `rustc 1.95.0 (59807616e 2026-04-14)`.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    match Command::new(&rustc).arg("--version").output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        }
        Ok(output) => format!(
            "an unknown rustc (`{} --version` failed: {})",
            rustc.to_string_lossy(),
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(error) => format!(
            "an unknown rustc (`{} --version`: {error})",
            rustc.to_string_lossy()
        ),
    }
}

/// `rustc 1.95.x ...`: any release of the fixtures' `major.minor`.
fn is_fixtures_rustc(version: &str) -> bool {
    version
        .strip_prefix("rustc ")
        .and_then(|rest| rest.strip_prefix(FIXTURES_RUSTC))
        .is_some_and(|rest| rest.starts_with('.'))
}

#[test]
fn the_version_check_reads_rustc_version() {
    assert!(is_fixtures_rustc("rustc 1.95.0 (59807616e 2026-04-14)"));
    assert!(is_fixtures_rustc("rustc 1.95.2"));
    assert!(!is_fixtures_rustc("rustc 1.96.0 (aaaaaaaaa 2026-05-28)"));
    assert!(!is_fixtures_rustc("rustc 1.9.0"));
    assert!(!is_fixtures_rustc("rustc 1.950.0"));
    assert!(!is_fixtures_rustc("an unknown rustc"));
}
