//! Tokens minted for a test: the claims the provider would issue, changed
//! as the test says, signed with the provider's current keys.

use crate::DevProvider;
use crate::faults::TokenKind;
use crate::state::AppState;
use crate::tokens::{
    self, AccessTokenInput, IdTokenInput, JsonMap, TYP_ACCESS_TOKEN, TYP_ID_TOKEN, TYP_LOGOUT_TOKEN,
};
use crate::util::{now_secs, random_token};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Minting a token failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MintError {
    /// No client with this `client_id` is registered at the provider.
    #[error("no client {0:?} is registered at the dev provider")]
    UnknownClient(String),
    /// No account has this email or `sub`.
    #[error("no account {0:?} at the dev provider")]
    UnknownUser(String),
    /// Signing failed (no key for the algorithm, or the signer failed).
    #[error("signing the token failed: {0}")]
    Sign(String),
}

/// A token about to be signed: start it with
/// [`DevProvider::mint_id_token`], [`DevProvider::mint_access_token`] or
/// [`DevProvider::mint_logout_token`], change claims, then [`sign`](Self::sign).
///
/// Its claims start as the provider's own (`iss`, `sub`, `aud`, `iat`,
/// `exp`, ...), so the SDK accepts the signed token unless a claim is
/// changed to make it fail.
#[must_use = "a minted token does nothing until it is signed"]
pub struct MintToken {
    state: Arc<AppState>,
    kind: TokenKind,
    client_id: String,
    claims: JsonMap,
}

impl std::fmt::Debug for MintToken {
    // Claims only: the state holds keys, which stay out of test logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MintToken")
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

impl MintToken {
    /// Sets (or replaces) a claim, e.g. `.claim("roles", json!(["admin"]))`.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a claim the provider would have set.
    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Makes the token expire `ttl` after now (`exp`).
    pub fn expires_in(self, ttl: Duration) -> Self {
        let exp = now_secs().saturating_add(ttl.as_secs());
        self.claim("exp", exp)
    }

    /// The claims as they will be signed.
    pub fn claims(&self) -> &serde_json::Map<String, Value> {
        &self.claims
    }

    /// Signs the token with the provider's current key for the client
    /// (the key of its ID token algorithm; access tokens use the provider's
    /// algorithm, as the token endpoint does). Injected token faults apply,
    /// as they do to tokens the provider issues.
    pub fn sign(self) -> Result<String, MintError> {
        let (alg, typ) = match self.kind {
            TokenKind::AccessToken => (self.state.settings.signing_alg, TYP_ACCESS_TOKEN),
            kind => {
                let client = self
                    .state
                    .client(&self.client_id)
                    .ok_or_else(|| MintError::UnknownClient(self.client_id.clone()))?;
                let typ = if kind == TokenKind::LogoutToken {
                    TYP_LOGOUT_TOKEN
                } else {
                    TYP_ID_TOKEN
                };
                (self.state.id_token_alg(&client), typ)
            }
        };
        let header = tokens::header(&self.state, alg, typ);
        self.state
            .mint(self.kind, &self.client_id, header, self.claims)
            .map_err(|e| MintError::Sign(e.to_string()))
    }
}

impl DevProvider {
    /// An ID token for `user` (an email or a `sub`) and `client_id`, with
    /// the claims the provider would put in it (without `nonce` and
    /// `at_hash`, which belong to one login). See [`MintToken`].
    pub fn mint_id_token(&self, client_id: &str, user: &str) -> Result<MintToken, MintError> {
        let (state, client) = self.mint_parts(client_id)?;
        let user = self.find_user(user)?;
        let mut claims = tokens::id_token_claims(
            &state,
            &IdTokenInput {
                sub: &user.sub,
                client_id: &client.id,
                auth_time: now_secs(),
                nonce: None,
                email: &user.email,
                email_verified: user.email_verified,
                name: None,
                at_hash: "",
                sid: &random_token(16),
                acr: None,
                ttl: state.settings.token_ttl.as_secs(),
            },
        );
        claims.remove("at_hash");
        Ok(self.minting(TokenKind::IdToken, client_id, claims))
    }

    /// An RFC 9068 access token for `user` (an email or a `sub`), issued to
    /// `client_id` with `scope` and the audience the provider gives that
    /// client's tokens (change it with `.claim("aud", ...)`). See
    /// [`MintToken`].
    pub fn mint_access_token(
        &self,
        client_id: &str,
        user: &str,
        scope: &str,
    ) -> Result<MintToken, MintError> {
        let (state, client) = self.mint_parts(client_id)?;
        let user = self.find_user(user)?;
        let (claims, _jti) = tokens::access_token_claims(
            &state,
            &AccessTokenInput {
                sub: &user.sub,
                audience: json!(state.access_token_audience(&client)),
                client_id: &client.id,
                scope,
                auth_time: now_secs(),
                ttl: state.settings.token_ttl.as_secs(),
            },
        );
        Ok(self.minting(TokenKind::AccessToken, client_id, claims))
    }

    /// A back-channel logout token for `user` (an email or a `sub`) and
    /// `client_id`, naming the session `sid` (the `sid` of the user's ID
    /// token); remove it with `.without("sid")` to end every session of the
    /// user. See [`MintToken`].
    pub fn mint_logout_token(
        &self,
        client_id: &str,
        user: &str,
        sid: &str,
    ) -> Result<MintToken, MintError> {
        let (state, client) = self.mint_parts(client_id)?;
        let user = self.find_user(user)?;
        let claims = tokens::logout_token_claims(&state, &client.id, &user.sub, sid);
        Ok(self.minting(TokenKind::LogoutToken, client_id, claims))
    }

    fn mint_parts(&self, client_id: &str) -> Result<(Arc<AppState>, crate::DevClient), MintError> {
        let state = Arc::clone(self.state());
        let client = state
            .client(client_id)
            .ok_or_else(|| MintError::UnknownClient(client_id.to_owned()))?;
        Ok((state, client))
    }

    fn find_user(&self, user: &str) -> Result<crate::DevUser, MintError> {
        self.users()
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(user) || u.sub == user)
            .ok_or_else(|| MintError::UnknownUser(user.to_owned()))
    }

    fn minting(&self, kind: TokenKind, client_id: &str, claims: JsonMap) -> MintToken {
        MintToken {
            state: Arc::clone(self.state()),
            kind,
            client_id: client_id.to_owned(),
            claims,
        }
    }
}
