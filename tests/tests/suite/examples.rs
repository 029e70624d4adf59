//! The example programs, run as a user runs them: processes configured
//! only by their documented flags and environment variables.

use reqwest::StatusCode;
use tests::browser::{Browser, Page};
use tests::dev_login::UserAction;
use tests::fixture::sign_in_at;
use tests::processes::{binary, example, free_port, start};

/// Alice signs in at a running app: `/login`, the provider's page, the
/// callback as the browser delivers it. Returns the callback's answer.
async fn sign_in_at_the_app(browser: &Browser, app: &str, redirect_uri: &str) -> Page {
    let login_url = format!("{app}/login");
    let action = UserAction::SignIn("alice@example.com");
    sign_in_at(browser, &login_url, redirect_uri, action)
        .await
        .page
}

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
        let done = sign_in_at_the_app(&browser, &app, &redirect_uri).await;
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

/// `axum_login` with only the four required variables (plus what a
/// provider's recipe in the README adds) signs in at providers shaped like
/// Google, Entra, Auth0, Keycloak and Apple, at providers that list only
/// Basic or no method, and with a 64-byte `APP_COOKIE_KEY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_login_signs_in_with_four_variables_and_the_recipes() {
    use oidc_dev_provider::{DevClient, DevProvider, Profile};
    let cookie_key_64 = {
        use base64::Engine;
        let bytes: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    type Case<'a> = (
        &'a str,
        Profile,
        Option<Vec<&'a str>>,
        Vec<(&'a str, String)>,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "guide, 64-byte cookie key",
            Profile::Guide,
            Some(vec!["client_secret_post", "client_secret_basic"]),
            vec![("APP_COOKIE_KEY", cookie_key_64)],
        ),
        (
            "basic only",
            Profile::Guide,
            Some(vec!["client_secret_basic"]),
            vec![],
        ),
        ("no method list", Profile::Guide, None, vec![]),
        (
            "google",
            Profile::Google,
            None,
            vec![("OIDC_ISSUER_POLICY", "google".into())],
        ),
        (
            "entra, resource scope",
            Profile::Entra,
            None,
            vec![
                ("OIDC_ISSUER_POLICY", "entra_multi_tenant".into()),
                ("OIDC_SCOPES", "openid email api://my-api/.default".into()),
                ("OIDC_USERINFO", "never".into()),
            ],
        ),
        (
            "auth0",
            Profile::Auth0,
            None,
            vec![("OIDC_AUDIENCE", "https://api.example.com".into())],
        ),
        ("keycloak", Profile::Keycloak, None, vec![]),
        (
            "apple",
            Profile::Apple,
            None,
            vec![("OIDC_SCOPES", "openid email name".into())],
        ),
    ];
    for (name, profile, methods, extra) in cases {
        let app_port = free_port();
        let app = format!("http://localhost:{app_port}");
        let redirect_uri = format!("{app}/callback");
        let mut builder = DevProvider::builder().profile(profile).client(
            DevClient::confidential("four-vars", "four-secret").redirect_uri(&redirect_uri),
        );
        // `None` in the table: the profile's own list (Guide's lists both).
        if profile == Profile::Guide {
            builder = builder.token_endpoint_auth_methods_supported(methods);
        }
        let provider = builder.start().await.unwrap();
        let mut env = vec![
            ("OIDC_ISSUER", provider.issuer_str().to_owned()),
            ("OIDC_CLIENT_ID", "four-vars".to_owned()),
            ("OIDC_CLIENT_SECRET", "four-secret".to_owned()),
            ("OIDC_REDIRECT_URI", redirect_uri.clone()),
            ("APP_ADDR", format!("127.0.0.1:{app_port}")),
        ];
        env.extend(extra);
        let _app = start(&example("axum_login"), &[], &env, "listening on");
        let browser = Browser::new();
        let done = sign_in_at_the_app(&browser, &app, &redirect_uri).await;
        assert_eq!(
            done.status(),
            StatusCode::SEE_OTHER,
            "{name}: {}",
            done.body()
        );
        let home = browser.get(&app).await.unwrap();
        let alice = provider
            .users()
            .into_iter()
            .find(|u| u.email == "alice@example.com")
            .unwrap();
        assert_eq!(home.texts("#sub").unwrap(), vec![alice.sub], "{name}");
    }
}
