pub struct Auth {
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub redirect_uri: Url,
    pub app_name: String,
}
#[doc(hidden)]
#[allow(unused_qualifications)]
const _: () = {
    #[automatically_derived]
    impl ::oidc_core::__private::OidcConfig for Auth {
        fn client_config(
            &self,
        ) -> ::core::result::Result<
            ::oidc_core::__private::ClientConfig,
            ::oidc_core::__private::ConfigError,
        > {
            ::oidc_core::__private::client_config(::oidc_core::__private::Parts {
                issuer: ::std::string::String::from("https://login.example.com"),
                client_id: ::oidc_core::__private::client_id(&self.client_id),
                client_secret: ::oidc_core::__private::client_secret(
                    &self.client_secret,
                ),
                redirect_uri: ::oidc_core::__private::redirect_uri(&self.redirect_uri),
                scopes: ::core::option::Option::Some(&["openid", "email"]),
                response_mode: ::core::option::Option::Some(
                    ::oidc_core::__private::ResponseMode::FormPost,
                ),
                auth_method: ::core::option::Option::Some(
                    ::oidc_core::__private::AuthMethod::ClientSecretPost,
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
    impl Auth {
        ///The `prompt` given to `#[oidc_client]`: pass it to `Login::prompt` when starting a login.
        pub const DEFAULT_PROMPT: ::core::option::Option<
            ::oidc_core::__private::Prompt,
        > = ::core::option::Option::Some(::oidc_core::__private::Prompt::Login);
        /** Reads the configuration from the environment: `AUTH_CLIENT_ID`, `AUTH_CLIENT_SECRET`, `AUTH_REDIRECT_URI` (default `http://localhost:3000/callback`), `APP_NAME` (default `demo`).

 Every missing or malformed variable is reported in one `ConfigError::Environment`, naming each variable (never its value). An empty variable counts as not set.*/
        pub fn from_env() -> ::core::result::Result<
            Self,
            ::oidc_core::__private::ConfigError,
        > {
            ::oidc_core::__private::from_env(|lookup| Self::from_lookup(lookup))
        }
        /// Like `from_env`, with variables looked up by `lookup` (`None`: not
        /// set): for tests, or another source of settings.
        pub fn from_lookup(
            lookup: impl ::core::ops::Fn(
                &str,
            ) -> ::core::option::Option<::std::string::String>,
        ) -> ::core::result::Result<Self, ::oidc_core::__private::ConfigError> {
            let mut __oidc_env = ::oidc_core::__private::Env::new(&lookup);
            let __oidc_client_id = __oidc_env
                .var::<String>("AUTH_CLIENT_ID", ::core::option::Option::None);
            let __oidc_client_secret = __oidc_env
                .var::<ClientSecret>("AUTH_CLIENT_SECRET", ::core::option::Option::None);
            let __oidc_redirect_uri = __oidc_env
                .var::<
                    Url,
                >(
                    "AUTH_REDIRECT_URI",
                    ::core::option::Option::Some("http://localhost:3000/callback"),
                );
            let __oidc_app_name = __oidc_env
                .var::<String>("APP_NAME", ::core::option::Option::Some("demo"));
            __oidc_env
                .finish(|| ::core::option::Option::Some(Self {
                    client_id: __oidc_client_id?,
                    client_secret: __oidc_client_secret?,
                    redirect_uri: __oidc_redirect_uri?,
                    app_name: __oidc_app_name?,
                }))
        }
        /// Validates the configuration and discovers the provider: the
        /// ready-to-use client. Call it once at start-up and share the
        /// client (it is cheap to clone).
        pub async fn discover(
            &self,
        ) -> ::core::result::Result<
            ::oidc_core::__private::Client,
            ::oidc_core::__private::DiscoveryError,
        > {
            ::oidc_core::__private::discover(self).await
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Debug for Auth {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.debug_struct("Auth")
                .field("client_id", ::oidc_core::__private::debug(&self.client_id))
                .field("client_secret", &::oidc_core::__private::Redacted)
                .field("redirect_uri", ::oidc_core::__private::debug(&self.redirect_uri))
                .field("app_name", ::oidc_core::__private::debug(&self.app_name))
                .finish()
        }
    }
};
