::core::compile_error! {
    "invalid issuer: http:// is only allowed for loopback hosts (localhost, 127.0.0.1, [::1]): use https://login.example.com"
}
::core::compile_error! {
    "unknown option `scope` in #[oidc_client(...)]: did you mean `scopes`?"
}
::core::compile_error! {
    "unknown prompt \"signup\": the choices are \"none\", \"login\", \"consent\", \"select_account\" and \"create\""
}
::core::compile_error! {
    "remove `Debug` from this derive: #[oidc_client] implements `Debug` itself, redacting the client secret"
}
::core::compile_error! {
    "unknown option `envv` in #[oidc(...)]: did you mean `env`?"
}
::core::compile_error! {
    "`Auth` has no redirect URI: add a field `redirect_uri: Url` (or mark one `#[oidc(redirect_uri)]`)"
}
::core::compile_error! {
    "a client secret has no default: secrets do not belong in source code; read it with `env = \"...\"`"
}
::core::compile_error! {
    "`from_env()` cannot fill `other`: add `#[oidc(env = \"OTHER\")]`, `#[oidc(default = ...)]` or `#[oidc(default)]` (or make it an `Option`)"
}
#[derive(Debug)]
struct Auth {
    client_id: String,
    client_secret: ClientSecret,
    other: String,
}
#[doc(hidden)]
#[allow(unused_qualifications, unused_variables, clippy::all)]
const _: () = {
    impl ::oidc_core::__private::OidcConfig for Auth {
        fn client_config(
            &self,
        ) -> ::core::result::Result<
            ::oidc_core::__private::ClientConfig,
            ::oidc_core::__private::ConfigError,
        > {
            ::core::unimplemented!()
        }
    }
    #[allow(dead_code)]
    impl Auth {
        const DEFAULT_PROMPT: ::core::option::Option<::oidc_core::__private::Prompt> = ::core::option::Option::None;
        fn from_env() -> ::core::result::Result<
            Self,
            ::oidc_core::__private::ConfigError,
        > {
            ::core::unimplemented!()
        }
        fn from_lookup(
            lookup: impl ::core::ops::Fn(
                &str,
            ) -> ::core::option::Option<::std::string::String>,
        ) -> ::core::result::Result<Self, ::oidc_core::__private::ConfigError> {
            ::core::unimplemented!()
        }
        async fn discover(
            &self,
        ) -> ::core::result::Result<
            ::oidc_core::__private::Client,
            ::oidc_core::__private::DiscoveryError,
        > {
            ::core::unimplemented!()
        }
    }
};
