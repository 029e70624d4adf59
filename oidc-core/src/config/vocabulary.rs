//! The protocol's vocabulary as types: response modes, client
//! authentication methods, prompts, signature algorithms, and the
//! client's policies. Each value has one spelling, written once below and
//! used for `as_str`, `Display` and `FromStr` (configuration strings,
//! environment variables).

use crate::error::ConfigError;
use std::str::FromStr;

/// `as_str`, `Display` and (unless a custom one is given) `FromStr` from one
/// table of variants and their protocol names.
macro_rules! protocol_names {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        $crate::config::protocol_names!(@names $ty, { $($variant => $name),+ });
        impl ::std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Self::$variant),)+
                    other => Err(format!(
                        concat!("unknown ", $what, " `{}`: expected one of", $(" `", $name, "`"),+),
                        other
                    )),
                }
            }
        }
    };
    (@names $ty:ident, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The protocol (or configuration) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use protocol_names;

/// How the provider sends the authorization response to the redirect URI.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseMode {
    /// A `POST` of an HTML form to the redirect URI (`response_mode=form_post`).
    /// Keeps the code out of URLs, logs and `Referer`; the guide recommends it
    /// for applications with a server.
    #[default]
    FormPost,
    /// A `GET` with the response in the query string (`response_mode=query`).
    Query,
}

/// How the client authenticates at the token endpoint. When the
/// configuration names none, the client chooses from the provider's
/// `token_endpoint_auth_methods_supported` (see [`ClientConfig::auth_method`](crate::ClientConfig::auth_method)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthMethod {
    /// `client_id` and `client_secret` as form fields (the guide's way).
    ClientSecretPost,
    /// HTTP Basic authentication with the client id and secret.
    ClientSecretBasic,
    /// A public client (native or CLI app): `client_id` only, PKCE protects the code.
    None,
    /// A JWT signed with the client's private key (RFC 7523, OpenID Connect
    /// Core 1.0 section 9): needs [`ClientConfig::private_key`](crate::ClientConfig::private_key).
    PrivateKeyJwt,
    /// A JWT signed with the client secret (HMAC SHA-256; OpenID Connect
    /// Core 1.0 section 9): the secret itself never leaves the client.
    ClientSecretJwt,
}

impl AuthMethod {
    /// Whether the method proves the client with its secret (statically
    /// configured or from [`ClientConfig::client_secret_fn`](crate::ClientConfig::client_secret_fn)).
    pub fn uses_secret(self) -> bool {
        matches!(
            self,
            Self::ClientSecretPost | Self::ClientSecretBasic | Self::ClientSecretJwt
        )
    }
}

/// The `aud` of the client assertions of `private_key_jwt` and
/// `client_secret_jwt` (see [`ClientConfig::client_assertion_audience`](crate::ClientConfig::client_assertion_audience)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AssertionAudience {
    /// The token endpoint URL, for every endpoint (OpenID Connect Core 1.0
    /// section 9; what most providers accept).
    #[default]
    TokenEndpoint,
    /// The issuer identifier, for providers that require it (RFC 7523
    /// section 3 allows either; some providers accept only the issuer).
    Issuer,
}

/// A `prompt` value of the authorization request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Prompt {
    /// Show no UI; fail with `login_required` if the user is not signed in.
    None,
    /// Ask the user to sign in again.
    Login,
    /// Ask the user to consent again.
    Consent,
    /// Let the user choose an account.
    SelectAccount,
    /// Show the "create an account" UI (only if the provider advertises it).
    Create,
}

/// A JWS algorithm the client accepts for ID tokens. Only asymmetric
/// algorithms exist here: `none` and HMAC cannot even be named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (the OpenID Connect default).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
}

impl SigningAlgorithm {
    /// Every algorithm this client can verify.
    pub const ALL: [SigningAlgorithm; 9] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::EdDSA,
    ];

    /// Looks up a JOSE name; `None` for anything not accepted (`none`, `HS256`, typos).
    pub fn from_jose(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl FromStr for SigningAlgorithm {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_jose(s).ok_or_else(|| ConfigError::AlgorithmNotAllowed(s.to_owned()))
    }
}

/// Whether the client may send `prompt=create` (OpenID Connect Prompt
/// Create 1.0), the "create an account" page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PromptCreate {
    /// From the provider's metadata: refused only when the provider
    /// publishes `prompt_values_supported` without `create`; sent when it
    /// publishes no list (the guide's provider documents `prompt=create`
    /// without necessarily publishing the list).
    #[default]
    FromMetadata,
    /// Always send it: the provider supports it whatever its metadata says.
    Supported,
    /// Never send it: a login asking for it fails with
    /// [`AuthorizeError::PromptNotSupported`](crate::AuthorizeError::PromptNotSupported).
    Unsupported,
}

/// When the client calls the UserInfo endpoint after the token exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UserInfoPolicy {
    /// Call it when the token response has no inline `userinfo` and the
    /// provider has a UserInfo endpoint (the default: standard providers
    /// serve `email` there).
    #[default]
    WhenNeeded,
    /// Never call it: claims come from the inline `userinfo` or the ID token.
    /// Needed where the access token is for another API than the provider's
    /// UserInfo endpoint, e.g. Microsoft Entra ID with a resource scope
    /// (`api://.../.default`): Entra's UserInfo (Microsoft Graph) refuses
    /// such a token, and the ID token carries the claims.
    Never,
}

protocol_names!(ResponseMode, "response mode", {
    FormPost => "form_post",
    Query => "query",
});

protocol_names!(AuthMethod, "auth method", {
    ClientSecretPost => "client_secret_post",
    ClientSecretBasic => "client_secret_basic",
    None => "none",
    PrivateKeyJwt => "private_key_jwt",
    ClientSecretJwt => "client_secret_jwt",
});

protocol_names!(Prompt, "prompt", {
    None => "none",
    Login => "login",
    Consent => "consent",
    SelectAccount => "select_account",
    Create => "create",
});

protocol_names!(UserInfoPolicy, "UserInfo policy", {
    WhenNeeded => "when_needed",
    Never => "never",
});

/// A scope value (RFC 6749 section 3.3: `%x21 / %x23-5B / %x5D-7E`, at
/// least one character): what a client requests and an API requires.
pub(crate) fn check_scope(scope: &str) -> Result<(), ConfigError> {
    let valid = !scope.is_empty()
        && scope
            .chars()
            .all(|c| ('!'..='~').contains(&c) && c != '"' && c != '\\');
    if valid {
        Ok(())
    } else {
        Err(ConfigError::InvalidScope(scope.to_owned()))
    }
}

// Signature algorithms parse into a `ConfigError`, from their JOSE names.
protocol_names!(@names SigningAlgorithm, {
    RS256 => "RS256",
    RS384 => "RS384",
    RS512 => "RS512",
    PS256 => "PS256",
    PS384 => "PS384",
    PS512 => "PS512",
    ES256 => "ES256",
    ES384 => "ES384",
    EdDSA => "EdDSA",
});
