//! The option names, in one place.

/// Container options: `#[oidc_client(...)]`.
pub(crate) const ISSUER: &str = "issuer";
pub(crate) const SCOPES: &str = "scopes";
pub(crate) const RESPONSE_MODE: &str = "response_mode";
pub(crate) const PROMPT: &str = "prompt";
pub(crate) const AUTH_METHOD: &str = "auth_method";
pub(crate) const CRATE: &str = "crate";

pub(crate) const CONTAINER_OPTIONS: &[&str] =
    &[ISSUER, SCOPES, RESPONSE_MODE, PROMPT, AUTH_METHOD, CRATE];

/// Field options: `#[oidc(...)]`.
pub(crate) const CLIENT_ID: &str = "client_id";
pub(crate) const CLIENT_SECRET: &str = "client_secret";
pub(crate) const REDIRECT_URI: &str = "redirect_uri";
pub(crate) const ENV: &str = "env";
pub(crate) const DEFAULT: &str = "default";
pub(crate) const REDACT: &str = "redact";

pub(crate) const FIELD_OPTIONS: &[&str] = &[
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    ISSUER,
    ENV,
    DEFAULT,
    REDACT,
];

/// The field helper attribute.
pub(crate) const OIDC: &str = "oidc";
/// The attribute itself.
pub(crate) const OIDC_CLIENT: &str = "oidc_client";

/// `(value, variant of oidc_core::ResponseMode)`.
pub(crate) const RESPONSE_MODES: &[(&str, &str)] = &[("form_post", "FormPost"), ("query", "Query")];

/// `(value, variant of oidc_core::Prompt)`.
pub(crate) const PROMPTS: &[(&str, &str)] = &[
    ("none", "None"),
    ("login", "Login"),
    ("consent", "Consent"),
    ("select_account", "SelectAccount"),
    ("create", "Create"),
];

/// `(value, variant of oidc_core::AuthMethod)`.
pub(crate) const AUTH_METHODS: &[(&str, &str)] = &[
    ("client_secret_post", "ClientSecretPost"),
    ("client_secret_basic", "ClientSecretBasic"),
    ("none", "None"),
    ("private_key_jwt", "PrivateKeyJwt"),
    ("client_secret_jwt", "ClientSecretJwt"),
];

/// Standard values this SDK deliberately does not support, with the reason:
/// `(option, value, message)`.
pub(crate) const UNSUPPORTED: &[(&str, &str, &str)] = &[
    (
        AUTH_METHOD,
        "tls_client_auth",
        "(mutual TLS) is not supported by oidc-core: use \"private_key_jwt\" for a client without a shared secret",
    ),
    (
        AUTH_METHOD,
        "self_signed_tls_client_auth",
        "(mutual TLS) is not supported by oidc-core: use \"private_key_jwt\" for a client without a shared secret",
    ),
    (
        RESPONSE_MODE,
        "fragment",
        "puts the response in the URL fragment, which never reaches a server: use \"form_post\" or \"query\"",
    ),
    (
        RESPONSE_MODE,
        "form_post.jwt",
        "(JARM) is not supported by oidc-core: use \"form_post\"",
    ),
    (
        RESPONSE_MODE,
        "query.jwt",
        "(JARM) is not supported by oidc-core: use \"query\"",
    ),
];
