//! The example programs, run as a user runs them: processes configured
//! only by their documented flags and environment variables.

use reqwest::StatusCode;
use tests::browser::Browser;
use tests::dev_login::{Delivered, UserAction, authorize};
use tests::processes::{binary, example, free_port, start};

/// `cargo run -p oidc-dev-provider` and `cargo run --example axum_login`
/// with the documented variables: a user signs in over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_login_against_the_dev_provider_binary() {
    let provider_port = free_port();
    let app_port = free_port();
    let app = format!("http://localhost:{app_port}");
    let redirect_uri = format!("{app}/callback");
    let provider = start(
        &binary("oidc-dev-provider", "oidc-dev-provider"),
        &[
            "--addr",
            &format!("127.0.0.1:{provider_port}"),
            "--client",
            &format!("example-app:example-secret:{redirect_uri}"),
        ],
        &[],
        "issuer:",
    );
    let issuer = format!("http://127.0.0.1:{provider_port}");
    assert!(
        provider.ready_line.contains(&issuer),
        "{}",
        provider.ready_line
    );

    for mode in ["form_post", "query"] {
        let env = [
            ("OIDC_ISSUER", issuer.clone()),
            ("OIDC_CLIENT_ID", "example-app".to_owned()),
            ("OIDC_CLIENT_SECRET", "example-secret".to_owned()),
            ("OIDC_REDIRECT_URI", redirect_uri.clone()),
            ("OIDC_RESPONSE_MODE", mode.to_owned()),
            ("OIDC_AUTH_METHOD", "client_secret_basic".to_owned()),
            ("APP_ADDR", format!("127.0.0.1:{app_port}")),
        ];
        let _app = start(&example("axum_login"), &[], &env, "listening on");
        let browser = Browser::new();
        let home = browser.get(&app).await.unwrap();
        assert!(home.contains("#sign-in").unwrap() && home.contains("#create-account").unwrap());
        let login = browser.get(format!("{app}/login")).await.unwrap();
        let (delivered, _) = authorize(
            &browser,
            &login.location().unwrap(),
            &redirect_uri,
            UserAction::SignIn("alice@example.com"),
        )
        .await
        .unwrap();
        let done = match &delivered {
            Delivered::Query(url) => browser.get(url.as_str()).await.unwrap(),
            Delivered::FormPost(_) => browser
                .post_form(&redirect_uri, delivered.params())
                .await
                .unwrap(),
        };
        assert_eq!(
            done.status(),
            StatusCode::SEE_OTHER,
            "{mode}: {}",
            done.body()
        );
        let home = browser.get(&app).await.unwrap();
        assert_eq!(
            home.texts("#email").unwrap(),
            vec!["alice@example.com".to_owned()],
            "{mode}"
        );
    }
}

/// A missing or invalid variable stops the program at start, naming it.
#[test]
fn axum_login_names_every_bad_variable() {
    let output = std::process::Command::new(example("axum_login"))
        .env_clear()
        .env("OIDC_ISSUER", "https://login.example.com")
        .env("OIDC_RESPONSE_MODE", "fragment")
        .env("APP_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for name in [
        "OIDC_CLIENT_ID",
        "OIDC_CLIENT_SECRET",
        "OIDC_REDIRECT_URI",
        "OIDC_RESPONSE_MODE",
        "APP_ADDR",
    ] {
        assert!(stderr.contains(name), "{name} not named in:\n{stderr}");
    }
    assert!(
        !stderr.contains("OIDC_ISSUER:"),
        "a set variable is not a problem:\n{stderr}"
    );
}
