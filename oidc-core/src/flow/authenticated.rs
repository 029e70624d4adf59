//! `Login<Authenticated>`: the verified result of a login.

use super::Login;
use crate::error::ClaimsTypeError;
use crate::jose::id_token::IdTokenClaims;
pub use crate::provider::token_endpoint::TokenSet;
pub use crate::provider::userinfo::UserInfo;

/// A completed login: verified ID token claims, the user's claims and the
/// tokens. Start the application's session from here, keyed by
/// [`Login::sub`] (with the issuer), not by email.
#[derive(Debug, Clone)]
pub struct Authenticated {
    tokens: TokenSet,
    id_token: IdTokenClaims,
    user: UserInfo,
    app_data: Option<String>,
}

impl Authenticated {
    pub(crate) fn new(
        tokens: TokenSet,
        id_token: IdTokenClaims,
        user: UserInfo,
        app_data: Option<String>,
    ) -> Self {
        Self {
            tokens,
            id_token,
            user,
            app_data,
        }
    }

    pub(crate) fn into_inner(self) -> (UserInfo, IdTokenClaims, TokenSet, Option<String>) {
        (self.user, self.id_token, self.tokens, self.app_data)
    }
}

impl Login<Authenticated> {
    /// A completed login of `client`, for flows outside this module
    /// (device sign-in) that verified their tokens as
    /// [`Login::exchange`] does.
    pub(crate) fn authenticated(client: crate::Client, state: Authenticated) -> Self {
        Login { client, state }
    }

    /// The user's stable identifier at the provider (`sub` of the verified ID token).
    pub fn sub(&self) -> &str {
        &self.state.id_token.sub
    }

    /// The user's email, if shared (may change over time).
    pub fn email(&self) -> Option<&str> {
        self.state.user.email.as_deref()
    }

    /// Whether the provider verified the email.
    pub fn email_verified(&self) -> Option<bool> {
        self.state.user.email_verified
    }

    /// The user's claims (inline `userinfo`, UserInfo endpoint, or ID token).
    pub fn user(&self) -> &UserInfo {
        &self.state.user
    }

    /// The user's claims read as the application's type, for the
    /// provider's own claims (roles, groups, tenant):
    /// `#[derive(Deserialize)] struct Custom { roles: Vec<String> }`.
    ///
    /// It reads the verified ID token's claims with the user's claims
    /// ([`user`](Self::user): inline `userinfo` or the UserInfo endpoint)
    /// laid over them, so a claim is found whichever of the two the
    /// provider puts it in; where both have it, the user's claims win (the
    /// later answer; `sub` is the same in both, checked). To read one
    /// source only, use `id_token_claims().claims::<T>()` or
    /// `user().claims::<T>()`. A claim the type refuses is a
    /// [`ClaimsTypeError`] naming it, never showing its value.
    pub fn claims<T: serde::de::DeserializeOwned>(&self) -> Result<T, ClaimsTypeError> {
        self.state.user.merged_claims(&self.state.id_token)
    }

    /// The authentication context class the provider says the user signed
    /// in with (the ID token's `acr`), if it says. When the login asked for
    /// [`acr_values`](Login::acr_values), it is one of them.
    pub fn acr(&self) -> Option<&str> {
        self.state.id_token.acr()
    }

    /// The verified ID token claims.
    pub fn id_token_claims(&self) -> &IdTokenClaims {
        &self.state.id_token
    }

    /// The tokens (access, refresh, raw ID token).
    pub fn tokens(&self) -> &TokenSet {
        &self.state.tokens
    }

    /// The application value attached when the login started (e.g. a return path).
    pub fn app_data(&self) -> Option<&str> {
        self.state.app_data.as_deref()
    }

    /// Takes the parts, e.g. to store them in a session.
    pub fn into_parts(self) -> (UserInfo, IdTokenClaims, TokenSet) {
        (self.state.user, self.state.id_token, self.state.tokens)
    }
}
