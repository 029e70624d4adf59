#[derive(Clone)]
pub(crate) struct Native {
    client_id: String,
    redirect_uri: Url,
}
#[doc(hidden)]
#[allow(unused_qualifications)]
const _: () = {
    #[automatically_derived]
    impl ::oidc_core::__private::OidcConfig for Native {
        fn client_config(
            &self,
        ) -> ::core::result::Result<
            ::oidc_core::__private::ClientConfig,
            ::oidc_core::__private::ConfigError,
        > {
            ::oidc_core::__private::client_config(::oidc_core::__private::Parts {
                issuer: ::std::string::String::from("https://login.example.com"),
                client_id: ::oidc_core::__private::client_id(&self.client_id),
                client_secret: ::core::option::Option::None,
                redirect_uri: ::oidc_core::__private::redirect_uri(&self.redirect_uri),
                scopes: ::core::option::Option::None,
                response_mode: ::core::option::Option::None,
                auth_method: ::core::option::Option::Some(
                    ::oidc_core::__private::AuthMethod::None,
                ),
            })
        }
        fn default_prompt(
            &self,
        ) -> ::core::option::Option<::oidc_core::__private::Prompt> {
            Self::DEFAULT_PROMPT
        }
    }
    #[allow(dead_code)]
    impl Native {
        ///The `prompt` given to `#[oidc_client]` (none was given).
        pub(crate) const DEFAULT_PROMPT: ::core::option::Option<
            ::oidc_core::__private::Prompt,
        > = ::core::option::Option::None;
        /// Validates the configuration and discovers the provider: the
        /// ready-to-use client. Call it once at start-up and share the
        /// client (it is cheap to clone).
        pub(crate) async fn discover(
            &self,
        ) -> ::core::result::Result<
            ::oidc_core::__private::Client,
            ::oidc_core::__private::DiscoveryError,
        > {
            ::oidc_core::__private::discover(self).await
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Debug for Native {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.debug_struct("Native")
                .field("client_id", ::oidc_core::__private::debug(&self.client_id))
                .field("redirect_uri", ::oidc_core::__private::debug(&self.redirect_uri))
                .finish()
        }
    }
};
