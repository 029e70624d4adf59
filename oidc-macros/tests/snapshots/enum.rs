::core::compile_error! {
    "#[oidc_client] goes on a struct with named fields, not an enum: write one struct per provider configuration"
}
enum Auth {
    A { client_id: String },
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
    impl ::core::fmt::Debug for Auth {
        fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            ::core::unimplemented!()
        }
    }
};
