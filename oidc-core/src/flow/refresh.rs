//! Refreshing tokens (RFC 6749 section 6) and verifying the refreshed ID
//! token against the original (OpenID Connect Core 1.0 section 12.2).

use super::{Authenticated, Login};
use crate::client::Client;
use crate::error::TokenError;
use crate::jose::id_token::{self, Expectations, IdTokenClaims, NonceCheck};
use crate::provider::token_endpoint::{self, TokenSet, token_request};
use crate::provider::trace::{self, step_span};
use crate::provider::userinfo::{ClaimsSource, UserInfo};
use crate::util::unix_now;

/// The result of a refresh.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Refreshed {
    /// The new tokens. The refresh token is the rotated one if the provider
    /// rotated it, the previous one otherwise.
    pub tokens: TokenSet,
    /// The new ID token's claims if the provider sent one (verified, and
    /// with the same `iss`, `sub`, `aud`, `azp` and `auth_time` as before),
    /// the previous claims otherwise.
    pub id_token: IdTokenClaims,
    /// Fresh user claims if the provider sent inline `userinfo`.
    pub user: Option<UserInfo>,
}

impl Client {
    /// Uses the refresh token in `tokens` to obtain new tokens. `previous`
    /// is the ID token of the login being refreshed. Traced as the
    /// `oidc.refresh` span, whose `outcome` names a failure's check
    /// (`token.invalid_grant` when the provider ended the grant).
    pub async fn refresh(
        &self,
        tokens: &TokenSet,
        previous: &IdTokenClaims,
    ) -> Result<Refreshed, TokenError> {
        let span = step_span!("oidc.refresh", trace::issuer_host(self.config().issuer()));
        trace::timed(span, self.refresh_untimed(tokens, previous)).await
    }

    async fn refresh_untimed(
        &self,
        tokens: &TokenSet,
        previous: &IdTokenClaims,
    ) -> Result<Refreshed, TokenError> {
        let refresh_token = tokens
            .refresh_token
            .as_ref()
            .ok_or(TokenError::NoRefreshToken)?;
        let config = self.config();
        let (body, authorization) = token_request(
            self,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.secret()),
            ],
        )?;
        let parsed = token_endpoint::request(self, "refresh_token", body, authorization).await?;
        let mut new_tokens = parsed.tokens;
        if new_tokens.refresh_token.is_none() {
            new_tokens.refresh_token = Some(refresh_token.clone());
        }
        if new_tokens.scope.is_none() {
            new_tokens.scope.clone_from(&tokens.scope);
        }
        let id_token = match &new_tokens.id_token {
            Some(jwt) => {
                let expect = Expectations {
                    issuer: self.expected_issuer(),
                    client_id: &config.client_id,
                    trusted_audiences: &config.trusted_audiences,
                    algorithms: self.allowed_algorithms(),
                    nonce: NonceCheck::AbsentOr(previous.nonce.as_deref()),
                    max_age: None,
                    access_token: Some(new_tokens.access_token.secret()),
                    clock_tolerance: config.limits.clock_tolerance,
                    max_token_age: config.limits.max_id_token_age,
                    now: unix_now(),
                };
                let claims = id_token::verify(jwt.secret(), self.jwks(), &expect).await?;
                id_token::check_same_login(previous, &claims)?;
                claims
            }
            None => {
                new_tokens.id_token.clone_from(&tokens.id_token);
                previous.clone()
            }
        };
        let user = parsed
            .userinfo
            .map(|inline| UserInfo::from_claims(inline, &id_token, ClaimsSource::Inline))
            .transpose()?;
        Ok(Refreshed {
            tokens: new_tokens,
            id_token,
            user,
        })
    }
}

impl Login<Authenticated> {
    /// Refreshes this login's tokens (see [`Client::refresh`]).
    pub async fn refresh(self) -> Result<Login<Authenticated>, TokenError> {
        let refreshed = self
            .client
            .refresh(self.tokens(), self.id_token_claims())
            .await?;
        let Login { client, state } = self;
        let (user, _, _, app_data) = state.into_inner();
        Ok(Login {
            client,
            state: Authenticated::new(
                refreshed.tokens,
                refreshed.id_token,
                refreshed.user.unwrap_or(user),
                app_data,
            ),
        })
    }
}
