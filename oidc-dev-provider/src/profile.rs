//! Provider profiles: make the dev provider look and behave, to a relying
//! party, like a well-known real provider.
//!
//! A profile changes the *published metadata* (which members the discovery
//! document has and what they list), where the endpoints live, the form of
//! the issuer and of the `iss` claim, and a few behaviours a client must
//! cope with (no inline `userinfo`, Apple's `user` form field, Entra's
//! audience-bound UserInfo, Auth0's `audience` parameter). It never relaxes
//! the provider's validation: redirect URIs, PKCE (S256 only), client
//! authentication, single-use codes and token checks are the same for every
//! profile. See the crate documentation's "Profiles" section for the table.

use std::fmt;
use std::str::FromStr;

/// Which real OpenID Provider the dev provider imitates. Choose one with
/// [`DevProviderBuilder::profile`](crate::DevProviderBuilder::profile) or
/// the binary's `--profile NAME` flag.
///
/// ```
/// use oidc_dev_provider::Profile;
///
/// assert_eq!("keycloak".parse::<Profile>(), Ok(Profile::Keycloak));
/// assert_eq!(Profile::default(), Profile::Guide);
/// assert_eq!(Profile::Entra.name(), "entra");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Profile {
    /// The integration guide's provider (the default): everything the crate
    /// documentation describes, unchanged.
    #[default]
    Guide,
    /// Google: no `response_modes_supported` (query is implied; `form_post`
    /// still works), no `iss` authorization response parameter, ID tokens
    /// whose `iss` is the issuer *without its scheme* (Google's
    /// `accounts.google.com` alias: `127.0.0.1:PORT` here), no inline
    /// `userinfo`, no end-session endpoint.
    Google,
    /// Microsoft Entra ID, multi-tenant (`common`) endpoint: the discovery
    /// `issuer` is the template `{issuer}/{tenantid}/v2.0`, ID tokens carry
    /// `tid` and `iss` with the template filled in, no
    /// `code_challenge_methods_supported`, and UserInfo refuses access
    /// tokens issued for another API (a resource scope such as
    /// `api://my-api/.default`).
    Entra,
    /// Auth0: the issuer ends with `/`, and the `audience` authorization
    /// request parameter yields an RFC 9068 JWT access token for that API
    /// (`aud` = `[audience, userinfo endpoint]`).
    Auth0,
    /// Keycloak: the issuer is `{origin}/realms/dev` and every endpoint
    /// lives under `/realms/dev/protocol/openid-connect/`; Keycloak's long
    /// metadata lists.
    Keycloak,
    /// Sign in with Apple: `client_secret_post` only, no UserInfo and no
    /// end-session endpoint, `form_post` required when `name` or `email` is
    /// requested, a `user` form field (the user's name and email as JSON) on
    /// a user's first sign-in to a client only, and string-typed
    /// `email_verified` / `is_private_email` claims.
    Apple,
}

impl Profile {
    /// Every profile, default first.
    pub const ALL: [Profile; 6] = [
        Profile::Guide,
        Profile::Google,
        Profile::Entra,
        Profile::Auth0,
        Profile::Keycloak,
        Profile::Apple,
    ];

    /// The profile's name, as the binary's `--profile` flag takes it:
    /// `guide`, `google`, `entra`, `auth0`, `keycloak`, `apple`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Guide => "guide",
            Profile::Google => "google",
            Profile::Entra => "entra",
            Profile::Auth0 => "auth0",
            Profile::Keycloak => "keycloak",
            Profile::Apple => "apple",
        }
    }

    /// Parse a profile name (case-insensitive; see [`name`](Self::name)).
    pub fn from_name(name: &str) -> Option<Self> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The path every endpoint lives under (`/realms/dev` for Keycloak).
    pub(crate) fn base_path(self) -> &'static str {
        match self {
            Profile::Keycloak => "/realms/dev",
            _ => "",
        }
    }

    /// The issuer identifier for a provider at `origin` (`http://IP:PORT`).
    pub(crate) fn issuer(self, origin: &str) -> String {
        match self {
            Profile::Auth0 => format!("{origin}/"),
            _ => format!("{origin}{}", self.base_path()),
        }
    }

    /// The `iss` of the JWTs the provider mints.
    pub(crate) fn token_issuer(self, issuer: &str, tenant_id: Option<&str>) -> String {
        match self {
            Profile::Google => issuer
                .split_once("://")
                .map_or(issuer, |(_, rest)| rest)
                .to_owned(),
            Profile::Entra => entra_issuer(issuer, tenant_id.unwrap_or(ENTRA_TENANT_PLACEHOLDER)),
            _ => issuer.to_owned(),
        }
    }

    /// Where each endpoint is served.
    pub(crate) fn paths(self) -> Paths {
        match self {
            Profile::Keycloak => Paths {
                discovery: "/realms/dev/.well-known/openid-configuration",
                authorize: "/realms/dev/protocol/openid-connect/auth",
                token: "/realms/dev/protocol/openid-connect/token",
                userinfo: Some("/realms/dev/protocol/openid-connect/userinfo"),
                jwks: "/realms/dev/protocol/openid-connect/certs",
                logout: Some("/realms/dev/protocol/openid-connect/logout"),
                revocation: "/realms/dev/protocol/openid-connect/revoke",
                introspection: "/realms/dev/protocol/openid-connect/token/introspect",
                device_authorization: "/realms/dev/protocol/openid-connect/auth/device",
            },
            _ => Paths {
                discovery: "/.well-known/openid-configuration",
                authorize: "/authorize",
                token: "/token",
                userinfo: (self != Profile::Apple).then_some("/userinfo"),
                jwks: "/jwks",
                logout: matches!(
                    self,
                    Profile::Guide | Profile::Entra | Profile::Auth0 | Profile::Keycloak
                )
                .then_some("/logout"),
                revocation: "/revoke",
                introspection: "/introspect",
                device_authorization: "/device/code",
            },
        }
    }

    /// Whether the token response carries the guide's inline `userinfo`.
    pub(crate) fn inline_userinfo(self) -> bool {
        self == Profile::Guide
    }

    /// Whether authorization responses carry `iss` (RFC 9207), i.e. the
    /// metadata says `authorization_response_iss_parameter_supported: true`.
    pub(crate) fn sends_iss(self) -> bool {
        matches!(self, Profile::Guide | Profile::Keycloak)
    }

    /// Whether `response_mode=fragment` is accepted.
    pub(crate) fn supports_fragment(self) -> bool {
        matches!(
            self,
            Profile::Entra | Profile::Auth0 | Profile::Keycloak | Profile::Apple
        )
    }

    /// The published `token_endpoint_auth_methods_supported` (`None`: the
    /// member is absent).
    pub(crate) fn token_endpoint_auth_methods(self) -> Option<Vec<String>> {
        let list: &[&str] = match self {
            Profile::Guide => &[
                "client_secret_post",
                "client_secret_basic",
                "none",
                "private_key_jwt",
                "client_secret_jwt",
            ],
            Profile::Google => &["client_secret_post", "client_secret_basic"],
            Profile::Entra => &[
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            Profile::Auth0 => &[
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
            ],
            Profile::Keycloak => &[
                "private_key_jwt",
                "client_secret_basic",
                "client_secret_post",
                "tls_client_auth",
                "client_secret_jwt",
            ],
            Profile::Apple => &["client_secret_post"],
        };
        Some(strings(list))
    }

    /// The published `code_challenge_methods_supported` (`None`: absent).
    pub(crate) fn code_challenge_methods(self) -> Option<Vec<String>> {
        match self {
            Profile::Guide => Some(strings(&["S256"])),
            Profile::Google | Profile::Keycloak => Some(strings(&["plain", "S256"])),
            Profile::Auth0 => Some(strings(&["S256", "plain"])),
            Profile::Entra | Profile::Apple => None,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile name that [`Profile::from_name`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {0:?}: use guide, google, entra, auth0, keycloak or apple")]
pub struct UnknownProfile(
    /// The name that was given.
    pub String,
);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::from_name(s).ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

/// The literal placeholder in Entra's multi-tenant issuer template.
pub(crate) const ENTRA_TENANT_PLACEHOLDER: &str = "{tenantid}";

/// The access token audience Entra's UserInfo accepts: Microsoft Graph's
/// application id, which Entra puts in `aud` of tokens for Graph.
pub(crate) const ENTRA_GRAPH_AUDIENCE: &str = "00000003-0000-0000-c000-000000000000";

/// `{issuer}/{tenant}/v2.0`.
pub(crate) fn entra_issuer(issuer: &str, tenant: &str) -> String {
    format!("{}/{tenant}/v2.0", issuer.trim_end_matches('/'))
}

/// Whether an Entra scope names another API's permission
/// (`api://my-api/.default`, `https://api.example/read`).
pub(crate) fn is_resource_scope(scope: &str) -> bool {
    scope.contains("://") || scope.ends_with("/.default")
}

/// The resource (audience) of an Entra resource scope: the part before the
/// last `/` (`api://my-api/.default` gives `api://my-api`), or the whole
/// scope when it has no path (`api://my-api`).
pub(crate) fn resource_of(scope: &str) -> &str {
    let path_start = scope.find("://").map_or(0, |i| i + 3);
    match scope[path_start..].rfind('/') {
        Some(i) => &scope[..path_start + i],
        None => scope,
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The paths of the protocol endpoints (the sign-in pages stay at
/// `/authorize/sign-in`, `/authorize/create` and `/authorize/decision`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paths {
    pub(crate) discovery: &'static str,
    pub(crate) authorize: &'static str,
    pub(crate) token: &'static str,
    pub(crate) userinfo: Option<&'static str>,
    pub(crate) jwks: &'static str,
    pub(crate) logout: Option<&'static str>,
    /// Where RFC 7009 revocation is served when it is enabled
    /// (`Settings::revocation`).
    pub(crate) revocation: &'static str,
    /// Where RFC 7662 introspection is served when it is enabled
    /// (`Settings::introspection`).
    pub(crate) introspection: &'static str,
    /// Where the device authorization endpoint (RFC 8628) is served when
    /// it is enabled (`Settings::device_flow`).
    pub(crate) device_authorization: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(Profile::from_name(profile.name()), Some(profile));
            assert_eq!(profile.to_string().parse::<Profile>(), Ok(profile));
        }
        assert_eq!(Profile::from_name("KeyCloak"), Some(Profile::Keycloak));
        assert!("okta".parse::<Profile>().is_err());
    }

    #[test]
    fn issuers() {
        let origin = "http://127.0.0.1:9000";
        assert_eq!(Profile::Guide.issuer(origin), origin);
        assert_eq!(Profile::Auth0.issuer(origin), "http://127.0.0.1:9000/");
        assert_eq!(
            Profile::Keycloak.issuer(origin),
            "http://127.0.0.1:9000/realms/dev"
        );
        assert_eq!(Profile::Google.token_issuer(origin, None), "127.0.0.1:9000");
        assert_eq!(
            Profile::Entra.token_issuer(origin, Some("t-1")),
            "http://127.0.0.1:9000/t-1/v2.0"
        );
        assert_eq!(Profile::Guide.token_issuer(origin, None), origin);
    }

    #[test]
    fn resource_scopes() {
        assert!(is_resource_scope("api://my-api/.default"));
        assert!(is_resource_scope("https://api.example/read"));
        assert!(is_resource_scope("my-api/.default"));
        assert!(!is_resource_scope("openid"));
        assert!(!is_resource_scope("User.Read"));
        assert_eq!(resource_of("api://my-api/.default"), "api://my-api");
        assert_eq!(
            resource_of("https://api.example/read"),
            "https://api.example"
        );
        assert_eq!(resource_of("api://my-api"), "api://my-api");
        assert_eq!(resource_of("my-api/.default"), "my-api");
        assert_eq!(
            resource_of("https://api.example/v1/read"),
            "https://api.example/v1"
        );
    }
}
