//! `Login<CodeReceived>` → `Login<Authenticated>`: the token exchange and the
//! verification of everything it returns.

use super::{Authenticated, CallbackChecked, CodeReceived, Login, LoginState};
use crate::client::Client;
use crate::config::UserInfoPolicy;
use crate::error::{IdTokenError, TokenError};
use crate::jose::id_token::{self, Expectations, IdTokenClaims, NonceCheck};
use crate::provider::token_endpoint::{self, TokenResponse, TokenSet, token_request};
use crate::provider::trace::{self, step_span};
use crate::provider::userinfo::{self, ClaimsSource, UserInfo};
use crate::util::unix_now;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

impl<S: LoginState> Login<S> {
    /// Exchanges the code at the token endpoint and verifies the result.
    ///
    /// With a shared [`ReplayStore`](crate::replay::ReplayStore)
    /// ([`Client::with_replay_store`](crate::Client::with_replay_store)),
    /// first records the login's `state` there: a callback already used on
    /// another instance fails with [`TokenError::Callback`] and its code is
    /// never sent.
    ///
    /// Sends `grant_type=authorization_code`, `code`, `redirect_uri` and the
    /// PKCE `code_verifier`, authenticated by the configured method. Then
    /// verifies the ID token (signature, `iss`, `aud`, `azp`, `exp`, `iat`,
    /// `nbf`, `nonce`, `auth_time` against `max_age`, `at_hash`, and `acr`
    /// against the requested [`acr_values`](Login::acr_values)), and takes
    /// the user's claims from the inline `userinfo`, the UserInfo endpoint,
    /// or the ID token, in that order, refusing any whose `sub` differs from
    /// the ID token's. No UserInfo request is made if the ID token fails.
    ///
    /// Traced as the `oidc.login` span around `oidc.token_request`,
    /// `oidc.jwks_fetch` (when the keys are fetched) and `oidc.userinfo`; a
    /// failure is logged as one `warn` "login refused" event naming the
    /// check ([`TokenError::check_name`]).
    ///
    /// The returned [`Exchange`] is a future: `.await` it.
    pub fn exchange(self) -> Exchange
    where
        S: CallbackChecked,
    {
        let Login { client, state } = self;
        let received = state.into_code_received();
        let span = step_span!("oidc.login", trace::issuer_host(client.config().issuer()));
        Exchange(Box::pin(trace::timed(span, async move {
            // Inside the span, so that the refusal is tied to its steps.
            exchange(client, received)
                .await
                .inspect_err(trace::login_refused)
        })))
    }
}

/// The future of [`Login::exchange`]. A named type rather than an `async fn`
/// so that calling `exchange` on a login in the wrong state reports one
/// error, at the call, instead of one more per `.await`.
#[must_use = "the exchange does nothing unless `.await`ed"]
pub struct Exchange(Pin<Box<dyn Future<Output = Result<Login<Authenticated>, TokenError>> + Send>>);

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Exchange")
    }
}

impl Future for Exchange {
    type Output = Result<Login<Authenticated>, TokenError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

async fn exchange(
    client: Client,
    received: CodeReceived,
) -> Result<Login<Authenticated>, TokenError> {
    {
        let CodeReceived { pending, code } = received;
        // Before the code is spent: a callback already used on another
        // instance is refused here (see `crate::replay`).
        client
            .consume_state_shared(pending.state.secret(), pending.expires_at)
            .await
            .map_err(TokenError::Callback)?;

        let (body, authorization) = token_request(
            &client,
            &[
                ("grant_type", "authorization_code"),
                ("code", code.secret()),
                ("redirect_uri", &pending.redirect_uri),
                ("code_verifier", pending.pkce_verifier.secret()),
            ],
        )?;
        let parsed =
            token_endpoint::request(&client, "authorization_code", body, authorization).await?;
        let checks = LoginChecks {
            nonce: NonceCheck::Equal(pending.nonce.secret()),
            max_age: pending.max_age.map(Duration::from_secs),
            acr_values: &pending.acr_values,
        };
        let (tokens, claims, user) = verify_login(&client, parsed, checks).await?;
        Ok(Login {
            client,
            state: Authenticated::new(tokens, claims, user, pending.app_data),
        })
    }
}

/// What a login's token response is checked against besides the client's
/// settings: what the login itself sent.
pub(crate) struct LoginChecks<'a> {
    /// The code flow's nonce; [`NonceCheck::NotSent`] for device sign-in.
    pub(crate) nonce: NonceCheck<'a>,
    /// The login's `max_age`, checked against `auth_time`.
    pub(crate) max_age: Option<Duration>,
    /// The login's `acr_values`, one of which the `acr` must be.
    pub(crate) acr_values: &'a [String],
}

/// Verifies a login's token response: the ID token (signature, `iss`,
/// `aud`, `azp`, `exp`, `iat`, `nbf`, the nonce rule, `auth_time`,
/// `at_hash`, `acr`), then the user's claims from the inline `userinfo`,
/// the UserInfo endpoint (per [`UserInfoPolicy`]) or the ID token, refusing
/// any whose `sub` differs. No UserInfo request is made if the ID token
/// fails. Shared by the code flow and device sign-in, so both verify alike.
pub(crate) async fn verify_login(
    client: &Client,
    parsed: TokenResponse,
    checks: LoginChecks<'_>,
) -> Result<(TokenSet, IdTokenClaims, UserInfo), TokenError> {
    let config = client.config();
    let id_token_jwt = parsed
        .tokens
        .id_token
        .clone()
        .ok_or(TokenError::MissingIdToken)?;
    let expect = Expectations {
        issuer: client.expected_issuer(),
        client_id: &config.client_id,
        trusted_audiences: &config.trusted_audiences,
        algorithms: client.allowed_algorithms(),
        nonce: checks.nonce,
        max_age: checks.max_age,
        access_token: Some(parsed.tokens.access_token.secret()),
        clock_tolerance: config.limits.clock_tolerance,
        max_token_age: config.limits.max_id_token_age,
        now: unix_now(),
    };
    let claims = id_token::verify(id_token_jwt.secret(), client.jwks(), &expect).await?;
    check_acr(checks.acr_values, claims.acr())?;

    let user = match (
        parsed.userinfo,
        client.metadata().userinfo_endpoint.as_ref(),
        config.userinfo,
    ) {
        (Some(inline), _, _) => UserInfo::from_claims(inline, &claims, ClaimsSource::Inline)?,
        (None, Some(endpoint), UserInfoPolicy::WhenNeeded) => {
            let fetched =
                userinfo::fetch(client.http(), endpoint, parsed.tokens.access_token.secret())
                    .await?;
            UserInfo::from_claims(fetched, &claims, ClaimsSource::Endpoint)?
        }
        (None, _, _) => UserInfo::from_id_token(&claims),
    };
    Ok((parsed.tokens, claims, user))
}

/// When the login asked for `acr_values`, the ID token's `acr` must be one
/// of them (OpenID Connect Core 3.1.3.7 step 12): a provider may
/// authenticate the user at a lower level than asked, and say so only there.
fn check_acr(requested: &[String], acr: Option<&str>) -> Result<(), IdTokenError> {
    if requested.is_empty() || acr.is_some_and(|acr| requested.iter().any(|r| r == acr)) {
        return Ok(());
    }
    Err(IdTokenError::AcrNotSatisfied {
        requested: requested.to_vec(),
        received: acr.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests;
