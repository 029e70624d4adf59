//! What the session holds for a signed-in user.

use crate::jose::id_token::IdTokenClaims;
use crate::provider::token_endpoint::TokenSet;
use crate::provider::userinfo::UserInfo;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use tower_sessions::Session;

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

/// Reads the record under `key`.
pub(crate) async fn read(
    session: &Session,
    key: &str,
) -> Result<Option<SessionRecord>, tower_sessions::session::Error> {
    Ok(session.get::<Stored>(key).await?.map(|stored| stored.0))
}

/// Writes `record` under `key`.
pub(crate) async fn write(
    session: &Session,
    key: &str,
    record: &SessionRecord,
) -> Result<(), tower_sessions::session::Error> {
    session.insert(key, ToStore::checked(record)).await
}

/// Writes the record of a login that just completed: its claims are those
/// of the ID token it keeps (the flow verified that very token), so the
/// check [`write`] makes is skipped (it costs a decode and a parse).
pub(crate) async fn write_signed_in(
    session: &Session,
    key: &str,
    record: &SessionRecord,
) -> Result<(), tower_sessions::session::Error> {
    debug_assert!(ToStore::checked(record).claims_in_token);
    let to_store = ToStore {
        record,
        claims_in_token: record.tokens.id_token.is_some(),
    };
    session.insert(key, to_store).await
}

/// Removes the record under `key`, returning it if it was there and
/// readable.
pub(crate) async fn take(
    session: &Session,
    key: &str,
) -> Result<Option<SessionRecord>, tower_sessions::session::Error> {
    Ok(session.remove::<Stored>(key).await?.map(|stored| stored.0))
}

/// A record as the session keeps it: one JSON string rather than a tree of
/// JSON values, and without the ID token's claims when they can be read
/// again from the ID token it keeps. `tower-sessions` holds values as
/// `serde_json::Value` and copies them on every load and read: as a tree,
/// a record was about a hundred allocations and ~10 KiB of heap in an
/// in-memory store; as one string it is one allocation of ~2.2 KB (the
/// tokens are most of it).
struct ToStore<'a> {
    record: &'a SessionRecord,
    /// Whether `record.tokens.id_token` holds exactly `record.id_token`.
    claims_in_token: bool,
}

impl<'a> ToStore<'a> {
    /// Leaves the claims out only if reading the token gives exactly them.
    fn checked(record: &'a SessionRecord) -> Self {
        let claims_in_token = record
            .tokens
            .id_token
            .as_ref()
            .and_then(|jwt| IdTokenClaims::of_verified_token(jwt.secret()))
            .is_some_and(|claims| claims == record.id_token);
        Self {
            record,
            claims_in_token,
        }
    }
}

/// The stored form's fields (`id_token` only when the claims cannot be read
/// back from `tokens.id_token`).
#[derive(Serialize)]
struct StoredFields<'a> {
    user: &'a UserInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<&'a IdTokenClaims>,
    tokens: &'a TokenSet,
    signed_in_at_ms: i64,
    sid: &'a Option<String>,
}

impl Serialize for ToStore<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let record = self.record;
        let fields = StoredFields {
            user: &record.user,
            id_token: (!self.claims_in_token).then_some(&record.id_token),
            tokens: &record.tokens,
            signed_in_at_ms: record.signed_in_at_ms,
            sid: &record.sid,
        };
        let json = serde_json::to_string(&fields).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&json)
    }
}

/// What [`ToStore`] wrote, read back.
#[derive(Deserialize)]
struct StoredRecord {
    user: UserInfo,
    id_token: Option<IdTokenClaims>,
    tokens: TokenSet,
    #[serde(default)]
    signed_in_at_ms: i64,
    #[serde(default)]
    sid: Option<String>,
}

impl StoredRecord {
    fn into_record<E: de::Error>(self) -> Result<SessionRecord, E> {
        let id_token = match self.id_token {
            Some(claims) => claims,
            None => self
                .tokens
                .id_token
                .as_ref()
                .and_then(|jwt| IdTokenClaims::of_verified_token(jwt.secret()))
                .ok_or_else(|| E::custom("the session record has no readable ID token"))?,
        };
        Ok(SessionRecord {
            user: self.user,
            id_token,
            tokens: self.tokens,
            signed_in_at_ms: self.signed_in_at_ms,
            sid: self.sid,
        })
    }
}

/// A record read back: the JSON string [`ToStore`] writes, or the JSON
/// object that versions before it wrote (sessions in a shared store
/// survive an upgrade).
struct Stored(SessionRecord);

impl<'de> Deserialize<'de> for Stored {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StoredVisitor;
        impl<'de> Visitor<'de> for StoredVisitor {
            type Value = Stored;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a session record (a JSON string or object)")
            }
            fn visit_str<E: de::Error>(self, json: &str) -> Result<Stored, E> {
                serde_json::from_str::<StoredRecord>(json)
                    .map_err(E::custom)?
                    .into_record()
                    .map(Stored)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Stored, A::Error> {
                SessionRecord::deserialize(de::value::MapAccessDeserializer::new(map)).map(Stored)
            }
        }
        deserializer.deserialize_any(StoredVisitor)
    }
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

#[cfg(test)]
mod tests;
