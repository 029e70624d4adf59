//! What the session holds for a signed-in user.

use crate::jose::id_token::IdTokenClaims;
use crate::provider::token_endpoint::TokenSet;
use crate::provider::userinfo::UserInfo;
use serde::{Deserialize, Serialize};

/// The signed-in user as stored in the session: claims and tokens. Tokens
/// are secrets: use a session store you trust (server-side stores keep them
/// off the browser; only the session id is in the cookie).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionRecord {
    /// The user's claims.
    pub user: UserInfo,
    /// The verified ID token claims (for refresh checks and logout).
    pub id_token: IdTokenClaims,
    /// The tokens.
    pub tokens: TokenSet,
    /// When the user signed in to the application, milliseconds since the
    /// epoch (back-channel logouts by `sub` end sessions begun before them).
    #[serde(default)]
    pub signed_in_at_ms: i64,
    /// The provider session (`sid` of the ID token at sign-in), if the
    /// provider sent one (back-channel logouts by `sid`).
    #[serde(default)]
    pub sid: Option<String>,
}

/// The session key for a client's record: one per issuer and client, so
/// one provider's extractor never reads another's login. A new login
/// starts an empty session (session fixation), so signing in with one
/// provider ends a login with another in the same browser.
pub(crate) fn session_key(issuer: &str, client_id: &str) -> String {
    format!("oidc:{issuer}:{client_id}")
}

/// The accessors [`SignedIn`](super::SignedIn) and
/// [`SignedInAny`](super::SignedInAny) share, over their `record` field.
macro_rules! record_accessors {
    () => {
        /// The user's stable id at the provider (ids of different providers
        /// may coincide: with several, key users by provider and `sub`).
        pub fn sub(&self) -> &str {
            &self.record.user.sub
        }

        /// The user's email, if shared.
        pub fn email(&self) -> Option<&str> {
            self.record.user.email.as_deref()
        }

        /// The user's claims.
        pub fn user(&self) -> &$crate::provider::userinfo::UserInfo {
            &self.record.user
        }

        /// The user's claims read as the application's type, for the
        /// provider's own claims (roles, groups, tenant). Like the login's
        /// [`claims`](crate::Login::claims): the ID token's claims with the
        /// user's claims laid over them (the user's win where both have a
        /// claim); after a refresh, those of the latest ID token. A claim
        /// the type refuses is a [`ClaimsTypeError`](crate::ClaimsTypeError)
        /// naming it, never showing its value.
        pub fn claims<T: serde::de::DeserializeOwned>(
            &self,
        ) -> Result<T, $crate::error::ClaimsTypeError> {
            self.record.user.merged_claims(&self.record.id_token)
        }

        /// The ID token's claims (`iss` names the provider's issuer).
        pub fn id_token_claims(&self) -> &$crate::jose::id_token::IdTokenClaims {
            &self.record.id_token
        }

        /// The current access token, to call the provider's APIs on the
        /// user's behalf.
        pub fn access_token(&self) -> &$crate::secret::AccessToken {
            &self.record.tokens.access_token
        }

        /// All tokens.
        pub fn tokens(&self) -> &$crate::provider::token_endpoint::TokenSet {
            &self.record.tokens
        }

        /// Whether the access token has expired: the provider could not be
        /// reached to refresh it (the user stays signed in meanwhile), or
        /// the login has no refresh token. APIs will refuse it; try again
        /// later, or send the user through the login route.
        pub fn access_token_expired(&self) -> bool {
            self.record
                .tokens
                .access_token_expired(std::time::Duration::ZERO)
        }
    };
}
pub(super) use record_accessors;
