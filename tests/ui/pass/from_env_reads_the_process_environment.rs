//! `from_env()` reads the real process environment at run time (never at
//! compile time): the test re-runs itself with variables set.

use oidc_core::{ClientSecret, ConfigError, Url, oidc_client};
use std::process::Command;

#[oidc_client(issuer = "https://login.example.com")]
struct Auth {
    #[oidc(env = "UI_PASS_CLIENT_ID")]
    client_id: String,
    #[oidc(env = "UI_PASS_CLIENT_SECRET")]
    client_secret: ClientSecret,
    #[oidc(env = "UI_PASS_REDIRECT_URI")]
    redirect_uri: Url,
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("complete") => {
            let auth = Auth::from_env().unwrap();
            assert_eq!(auth.client_id, "from-the-environment");
            assert_eq!(auth.client_secret.secret(), "s3cr3t");
            assert_eq!(auth.redirect_uri.as_str(), "https://app.example/cb");
        }
        Some("broken") => {
            let err = Auth::from_env().unwrap_err();
            let ConfigError::Environment(problems) = &err else {
                panic!("{err}")
            };
            let found: Vec<(&str, &str)> = problems
                .iter()
                .map(|p| (p.variable.as_str(), p.problem.as_str()))
                .collect();
            #[cfg(unix)]
            let expected_id = "is not valid UTF-8";
            #[cfg(not(unix))]
            let expected_id = "is not set";
            assert_eq!(
                found,
                [
                    ("UI_PASS_CLIENT_ID", expected_id),
                    ("UI_PASS_CLIENT_SECRET", "is not set"),
                    (
                        "UI_PASS_REDIRECT_URI",
                        "is not a valid Url (relative URL without a base)"
                    ),
                ]
            );
            assert!(!err.to_string().contains("/cb"));
        }
        _ => {
            let me = std::env::current_exe().unwrap();
            let status = Command::new(&me)
                .arg("complete")
                .env("UI_PASS_CLIENT_ID", "from-the-environment")
                .env("UI_PASS_CLIENT_SECRET", "s3cr3t")
                .env("UI_PASS_REDIRECT_URI", "https://app.example/cb")
                .status()
                .unwrap();
            assert!(status.success());

            let mut broken = Command::new(&me);
            broken
                .arg("broken")
                .env_remove("UI_PASS_CLIENT_SECRET")
                .env("UI_PASS_REDIRECT_URI", "/cb");
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStringExt;
                broken.env(
                    "UI_PASS_CLIENT_ID",
                    std::ffi::OsString::from_vec(vec![0x66, 0xff]),
                );
            }
            assert!(broken.status().unwrap().success());
        }
    }
}
