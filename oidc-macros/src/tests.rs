//! Expansion snapshots: what the attribute generates, reviewed as code.
//! Refresh with `UPDATE_EXPECT=1 cargo test -p oidc-macros` and read the diff.

use crate::expand::expand;
use expect_test::{ExpectFile, expect_file};
use proc_macro2::TokenStream;
use quote::quote;

fn render(tokens: TokenStream) -> String {
    let file = syn3::parse_file(&tokens.to_string()).expect("the expansion parses as Rust");
    prettyplease::unparse(&file)
}

fn check(args: TokenStream, item: TokenStream, expected: ExpectFile) {
    expected.assert_eq(&render(expand(args, item)));
}

#[test]
fn every_option() {
    check(
        quote!(
            issuer = "https://login.example.com",
            scopes("openid", "email"),
            response_mode = "form_post",
            prompt = "login",
            auth_method = "client_secret_post",
        ),
        quote! {
            pub struct Auth {
                #[oidc(env = "AUTH_CLIENT_ID")]
                pub client_id: String,
                #[oidc(env = "AUTH_CLIENT_SECRET")]
                pub client_secret: ClientSecret,
                #[oidc(env = "AUTH_REDIRECT_URI", default = "http://localhost:3000/callback")]
                pub redirect_uri: Url,
                #[oidc(env = "APP_NAME", default = "demo")]
                pub app_name: String,
            }
        },
        expect_file![concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/every_option.rs"
        )],
    );
}

#[test]
fn markers_issuer_field_optional_and_defaults() {
    check(
        quote!(crate = "my_sdk::oidc"),
        quote! {
            struct Settings {
                #[oidc(issuer, env = "OIDC_ISSUER", default = "http://localhost:8080")]
                provider: String,
                #[oidc(client_id, env = "ID")]
                id: String,
                #[oidc(client_secret, env = "SECRET")]
                secret: Option<ClientSecret>,
                #[oidc(redirect_uri, default = "http://127.0.0.1:3000/cb")]
                callback: String,
                #[oidc(env = "TIMEOUT_SECS", default)]
                timeout_secs: u64,
                #[oidc(env = "DATABASE_URL", redact)]
                database_url: String,
                greeting: Option<String>,
                #[oidc(default)]
                retries: u8,
            }
        },
        expect_file![concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/markers.rs"
        )],
    );
}

#[test]
fn literal_struct_without_env() {
    check(
        quote!(issuer = "https://login.example.com", auth_method = "none"),
        quote! {
            #[derive(Clone)]
            pub(crate) struct Native {
                client_id: String,
                redirect_uri: Url,
            }
        },
        expect_file![concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/public_client.rs"
        )],
    );
}

#[test]
fn errors_are_collected_and_the_struct_survives() {
    check(
        quote!(
            issuer = "http://login.example.com",
            scope("openid"),
            prompt = "signup"
        ),
        quote! {
            #[derive(Debug)]
            struct Auth {
                #[oidc(env = "ID", envv = "X")]
                client_id: String,
                #[oidc(env = "SECRET", default = "hunter2")]
                client_secret: ClientSecret,
                other: String,
            }
        },
        expect_file![concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/errors.rs"
        )],
    );
}

#[test]
fn enums_are_rejected_but_emitted() {
    check(
        quote!(issuer = "https://login.example.com"),
        quote! {
            enum Auth {
                A { #[oidc(env = "X")] client_id: String },
            }
        },
        expect_file![concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/snapshots/enum.rs"
        )],
    );
}

#[test]
fn a_panic_becomes_a_compile_error_next_to_the_stripped_struct() {
    let out = crate::expand::guarded(
        quote!(issuer = "https://login.example.com"),
        quote!(
            struct S {
                #[oidc(env = "X")]
                a: u8,
            }
        ),
        |_, _| panic!("boom"),
    );
    expect_file![concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/snapshots/panic.rs"
    )]
    .assert_eq(&render(out));
}
