use super::{Providers, ProvidersError, check_name};
use crate::client::Client;
use crate::config::ClientConfig;
use crate::flow::pending::SealingKey;
use crate::provider::discovery::ProviderMetadata;
use crate::web::Oidc;

/// An `Oidc` for `issuer` and `client_id` with `redirect_uri`, built
/// without a network from a fixed discovery document.
fn oidc(issuer: &str, client_id: &str, redirect_uri: &str) -> Oidc {
    let config = ClientConfig::for_issuer(issuer)
        .client_id(client_id)
        .redirect_uri(redirect_uri)
        .client_secret("secret");
    let document = serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
    });
    let metadata = ProviderMetadata::from_document(document.to_string().as_bytes(), &config)
        .expect("a valid document");
    let negotiated =
        crate::provider::negotiated::Negotiated::resolve(&config, &metadata).expect("negotiated");
    let http = crate::provider::http::Http::from_limits(&config.limits).expect("an HTTP client");
    let client = Client::with_metadata(config, metadata, negotiated, http);
    Oidc::from_client(client, SealingKey::generate().expect("a key"))
}

fn google() -> Oidc {
    oidc(
        "https://google.example",
        "app",
        "https://app.example/auth/google/callback",
    )
}

fn entra() -> Oidc {
    oidc(
        "https://entra.example",
        "app",
        "https://app.example/auth/entra/callback",
    )
}

#[test]
fn names_are_path_segments() {
    for ok in ["a", "google", "entra-id", "my_idp2", "0", &"x".repeat(32)] {
        assert_eq!(check_name(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "-a",
        "_a",
        "Google",
        "a/b",
        "a b",
        "a.b",
        "..",
        "é",
        "a?",
        &"x".repeat(33),
    ] {
        assert_eq!(
            check_name(bad),
            Err(ProvidersError::InvalidName(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn a_name_moves_the_routes_under_auth_name() {
    let named = google()
        .backchannel_logout_path("/backchannel-logout")
        .named("google")
        .unwrap();
    assert_eq!(named.name(), Some("google"));
    assert_eq!(named.options.login_path, "/auth/google/login");
    assert_eq!(named.options.callback_path, "/auth/google/callback");
    assert_eq!(named.options.logout_path, "/auth/google/logout");
    assert_eq!(
        named.options.backchannel_logout_path.as_deref(),
        Some("/auth/google/backchannel-logout")
    );
    // Back-channel logout stays off unless enabled.
    assert_eq!(
        entra()
            .named("entra")
            .unwrap()
            .options
            .backchannel_logout_path,
        None
    );
}

#[test]
fn a_redirect_uri_off_the_callback_route_is_refused_at_start() {
    let wrong = oidc(
        "https://google.example",
        "app",
        "https://app.example/callback",
    );
    let error = wrong.named("google").unwrap_err();
    assert_eq!(
        error,
        ProvidersError::RedirectUriMismatch {
            name: "google".into(),
            expected: "/auth/google/callback".into(),
            redirect_uri: "https://app.example/callback".into(),
        }
    );
    assert!(
        error.to_string().contains("/auth/google/callback"),
        "{error}"
    );
    // Another provider's callback is as wrong.
    assert!(matches!(
        google().named("entra"),
        Err(ProvidersError::RedirectUriMismatch { .. })
    ));
}

#[test]
fn providers_refuse_what_would_clash() {
    let both = Providers::new()
        .with(google().named("google").unwrap())
        .unwrap()
        .with(entra().named("entra").unwrap())
        .unwrap();
    assert_eq!(both.names().collect::<Vec<_>>(), ["google", "entra"]);
    assert_eq!(both.login_path("entra"), Some("/auth/entra/login"));
    assert_eq!(both.logout_path("google"), Some("/auth/google/logout"));
    assert_eq!(both.login_path("github"), None);

    assert_eq!(
        Providers::new().with(google()).unwrap_err(),
        ProvidersError::Unnamed {
            issuer: "https://google.example".into()
        }
    );
    assert_eq!(
        both.clone()
            .with(google().named("google").unwrap())
            .unwrap_err(),
        ProvidersError::DuplicateName("google".into())
    );
    // The same client under two names: one session key for both.
    let again = oidc(
        "https://google.example",
        "app",
        "https://app.example/auth/google2/callback",
    )
    .named("google2")
    .unwrap();
    assert!(matches!(
        both.clone().with(again).unwrap_err(),
        ProvidersError::SameClient { first, second, .. } if first == "google" && second == "google2"
    ));
    // Another client whose logout route lands on google's login route.
    let clash = oidc(
        "https://other.example",
        "app",
        "https://app.example/auth/other/callback",
    )
    .named("other")
    .unwrap()
    .logout_path("/auth/google/login");
    assert_eq!(
        both.clone().with(clash).unwrap_err(),
        ProvidersError::RouteClash {
            path: "/auth/google/login".into(),
            first: "google".into(),
            second: "other".into(),
        }
    );
    // The chooser page: a local path no provider uses.
    assert!(both.clone().chooser_path("/signin").is_ok());
    assert!(matches!(
        both.clone().chooser_path("/auth/entra/callback"),
        Err(ProvidersError::RouteClash { .. })
    ));
    assert_eq!(
        both.clone()
            .chooser_path("https://evil.example/")
            .unwrap_err(),
        ProvidersError::InvalidChooserPath("https://evil.example/".into())
    );
}

#[test]
fn routes_of_several_providers_mount_together() {
    let both = Providers::new()
        .with(google().named("google").unwrap())
        .unwrap()
        .with(entra().named("entra").unwrap().tagged::<u8>())
        .unwrap();
    // Would panic on overlapping routes.
    let _: axum::Router<()> = both.routes();
}
