struct Settings {
    provider: String,
    id: String,
    secret: Option<ClientSecret>,
    callback: String,
    timeout_secs: u64,
    database_url: String,
    greeting: Option<String>,
    retries: u8,
}
#[doc(hidden)]
#[allow(unused_qualifications)]
const _: () = {
    #[automatically_derived]
    impl my_sdk::oidc::__private::OidcConfig for Settings {
        fn client_config(
            &self,
        ) -> ::core::result::Result<
            my_sdk::oidc::__private::ClientConfig,
            my_sdk::oidc::__private::ConfigError,
        > {
            my_sdk::oidc::__private::client_config(my_sdk::oidc::__private::Parts {
                issuer: my_sdk::oidc::__private::issuer(&self.provider),
                client_id: my_sdk::oidc::__private::client_id(&self.id),
                client_secret: my_sdk::oidc::__private::client_secret(&self.secret),
                redirect_uri: my_sdk::oidc::__private::redirect_uri(&self.callback),
                scopes: ::core::option::Option::None,
                response_mode: ::core::option::Option::None,
                auth_method: ::core::option::Option::None,
            })
        }
        fn default_prompt(
            &self,
        ) -> ::core::option::Option<my_sdk::oidc::__private::Prompt> {
            Self::DEFAULT_PROMPT
        }
    }
    #[allow(dead_code)]
    impl Settings {
        ///The `prompt` given to `#[oidc_client]` (none was given).
        const DEFAULT_PROMPT: ::core::option::Option<my_sdk::oidc::__private::Prompt> = ::core::option::Option::None;
        /** Reads the configuration from the environment: `OIDC_ISSUER` (default `http://localhost:8080`), `ID`, `SECRET` (optional), `TIMEOUT_SECS` (optional), `DATABASE_URL`.

 Every missing or malformed variable is reported in one `ConfigError::Environment`, naming each variable (never its value). An empty variable counts as not set.*/
        fn from_env() -> ::core::result::Result<
            Self,
            my_sdk::oidc::__private::ConfigError,
        > {
            my_sdk::oidc::__private::from_env(|lookup| Self::from_lookup(lookup))
        }
        /// Like `from_env`, with variables looked up by `lookup` (`None`: not
        /// set): for tests, or another source of settings.
        fn from_lookup(
            lookup: impl ::core::ops::Fn(
                &str,
            ) -> ::core::option::Option<::std::string::String>,
        ) -> ::core::result::Result<Self, my_sdk::oidc::__private::ConfigError> {
            let mut __oidc_env = my_sdk::oidc::__private::Env::new(&lookup);
            let __oidc_provider = __oidc_env
                .var::<
                    String,
                >("OIDC_ISSUER", ::core::option::Option::Some("http://localhost:8080"));
            let __oidc_id = __oidc_env.var::<String>("ID", ::core::option::Option::None);
            let __oidc_secret = __oidc_env
                .optional::<ClientSecret>("SECRET", ::core::option::Option::None);
            let __oidc_callback = __oidc_env
                .literal::<String>("callback", "http://127.0.0.1:3000/cb");
            let __oidc_timeout_secs = __oidc_env.var_or_default::<u64>("TIMEOUT_SECS");
            let __oidc_database_url = __oidc_env
                .var::<String>("DATABASE_URL", ::core::option::Option::None);
            let __oidc_greeting = ::core::option::Option::Some(
                ::core::option::Option::None,
            );
            let __oidc_retries = ::core::option::Option::Some(
                <u8 as ::core::default::Default>::default(),
            );
            __oidc_env
                .finish(|| ::core::option::Option::Some(Self {
                    provider: __oidc_provider?,
                    id: __oidc_id?,
                    secret: __oidc_secret?,
                    callback: __oidc_callback?,
                    timeout_secs: __oidc_timeout_secs?,
                    database_url: __oidc_database_url?,
                    greeting: __oidc_greeting?,
                    retries: __oidc_retries?,
                }))
        }
        /// Validates the configuration and discovers the provider: the
        /// ready-to-use client. Call it once at start-up and share the
        /// client (it is cheap to clone).
        async fn discover(
            &self,
        ) -> ::core::result::Result<
            my_sdk::oidc::__private::Client,
            my_sdk::oidc::__private::DiscoveryError,
        > {
            my_sdk::oidc::__private::discover(self).await
        }
    }
    #[automatically_derived]
    impl ::core::fmt::Debug for Settings {
        fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
            f.debug_struct("Settings")
                .field("provider", my_sdk::oidc::__private::debug(&self.provider))
                .field("id", my_sdk::oidc::__private::debug(&self.id))
                .field("secret", &my_sdk::oidc::__private::Redacted)
                .field("callback", my_sdk::oidc::__private::debug(&self.callback))
                .field(
                    "timeout_secs",
                    my_sdk::oidc::__private::debug(&self.timeout_secs),
                )
                .field("database_url", &my_sdk::oidc::__private::Redacted)
                .field("greeting", my_sdk::oidc::__private::debug(&self.greeting))
                .field("retries", my_sdk::oidc::__private::debug(&self.retries))
                .finish()
        }
    }
};
