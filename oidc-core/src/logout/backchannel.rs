//! Verifying back-channel logout tokens (OpenID Connect Back-Channel
//! Logout 1.0 section 2.6).

use crate::client::Client;
use crate::config::SigningAlgorithm;
use crate::error::{ClaimsError, JwsError, StoreError};
use crate::jose::claims::{self, TimeRules};
use crate::jose::issuer::ExpectedIssuer;
use crate::jose::jwks::JwksCache;
use crate::jose::jws::CompactJws;
use crate::replay::{FirstUse, ReplayKind};
use crate::util::{ExpiringSet, unix_now};
#[cfg(any(feature = "axum", feature = "fuzzing"))]
use crate::{jose::jws::MAX_TOKEN_BYTES, util::is_form_urlencoded};
use serde_json::{Map, Value};
use std::time::Duration;

/// The member of `events` that makes a JWT a back-channel logout token.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A verified logout token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LogoutToken {
    /// `iss`: the provider.
    pub iss: String,
    /// `aud`: the audiences (always includes this client).
    pub aud: Vec<String>,
    /// `iat`: issue time, seconds since the epoch.
    pub iat: i64,
    /// `exp`: expiry, seconds since the epoch. Required (errata set 1 of
    /// Back-Channel Logout 1.0): without it a token would never expire.
    pub exp: i64,
    /// `jti`: the token's unique id.
    pub jti: String,
    /// `sub`: the user whose sessions ended, if sent. Without `sid`, every
    /// session of this user at this provider ends.
    pub sub: Option<String>,
    /// `sid`: the provider session that ended, if sent. The sessions that
    /// began in it end and, with `sub`, the user's sessions that recorded
    /// no `sid` (they cannot be matched by it).
    pub sid: Option<String>,
    /// Every claim, as received.
    pub raw: Map<String, Value>,
}

/// Why a logout token was refused. The endpoint answers `400` with
/// `{"error":"invalid_request"}` for all of them except
/// [`JwsError::KeysUnavailable`] (a server problem: 503).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogoutTokenError {
    /// Not a well-formed JWS, or its header, algorithm, key or signature
    /// was refused (the same checks as for every token).
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// A claim check shared with the other tokens failed (types, `iss`,
    /// times).
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    /// `typ` is present and is not `logout+jwt`.
    #[error("the token's typ is `{0}`, not logout+jwt")]
    WrongType(String),
    /// `aud` does not contain this client.
    #[error("the audience does not include this client")]
    WrongAudience,
    /// `aud` contains an audience this client does not trust.
    #[error("the audience includes `{0}`, which this client does not trust")]
    UntrustedAudience(String),
    /// `events` lacks the back-channel logout event (or it is not an object).
    #[error("`events` has no `{BACKCHANNEL_LOGOUT_EVENT}` object: this is not a logout token")]
    MissingEvent,
    /// Neither `sub` nor `sid` is present.
    #[error("the logout token has neither `sub` nor `sid`")]
    NoSubject,
    /// `nonce` is present, which logout tokens must not carry.
    #[error("the logout token carries a `nonce` (forbidden: it would be an ID token)")]
    NonceForbidden,
    /// This `jti` was already accepted: a replay.
    #[error("this logout token (jti) was already used")]
    Replayed,
    /// The shared [`ReplayStore`](crate::replay::ReplayStore) could not
    /// say whether this `jti` was used: not accepted (answer 503, so the
    /// provider retries).
    #[error("cannot check the logout token's jti against the other instances: {0}")]
    StoreUnavailable(StoreError),
}

impl LogoutTokenError {
    /// Whether the token could not be checked because the provider's keys
    /// are unavailable (answer 503), rather than refused.
    pub fn is_keys_unavailable(&self) -> bool {
        matches!(self, Self::Jws(JwsError::KeysUnavailable(_)))
    }

    /// Whether the token could not be checked because the shared replay
    /// store did not answer (answer 503), rather than refused.
    pub fn is_store_unavailable(&self) -> bool {
        matches!(self, Self::StoreUnavailable(_))
    }
}

/// The checks of one verification, from the client's configuration.
#[derive(Debug, Clone)]
pub(crate) struct LogoutExpectations<'a> {
    pub(crate) issuer: &'a ExpectedIssuer,
    pub(crate) client_id: &'a str,
    pub(crate) trusted_audiences: &'a [String],
    pub(crate) algorithms: &'a [SigningAlgorithm],
    pub(crate) clock_tolerance: Duration,
    pub(crate) max_token_age: Duration,
    pub(crate) now: i64,
}

impl Client {
    /// Verifies a back-channel logout token (the `logout_token` form field
    /// of the provider's POST): see the [module documentation](crate::logout)
    /// for every check. A token is accepted once: its `jti` is remembered,
    /// in the shared [`ReplayStore`](crate::replay::ReplayStore) if the
    /// client has one (then only there), else in this client's memory.
    pub async fn verify_logout_token(&self, token: &str) -> Result<LogoutToken, LogoutTokenError> {
        let config = self.config();
        let expect = LogoutExpectations {
            issuer: self.expected_issuer(),
            client_id: &config.client_id,
            trusted_audiences: &config.trusted_audiences,
            algorithms: self.allowed_algorithms(),
            clock_tolerance: config.limits.clock_tolerance,
            max_token_age: config.limits.max_id_token_age,
            now: unix_now(),
        };
        let Some(shared) = self.shared_replay() else {
            return verify(token, self.jwks(), &expect, self.logout_replay_cache()).await;
        };
        let (token, acceptable_until) = verify_except_replay(token, self.jwks(), &expect).await?;
        let key = self.replay_key(
            ReplayKind::LogoutJti,
            &[token.iss.as_bytes(), token.jti.as_bytes()],
        );
        match shared.first_use(&key, acceptable_until).await {
            Ok(FirstUse::Yes) => Ok(token),
            Ok(_) => Err(LogoutTokenError::Replayed),
            Err(error) => Err(LogoutTokenError::StoreUnavailable(error)),
        }
    }
}

/// Reads the `logout_token` of a back-channel logout request (section 2.5):
/// an `application/x-www-form-urlencoded` body with exactly one
/// `logout_token`. The error says what is wrong, for a 400 answer.
#[cfg(any(feature = "axum", feature = "fuzzing"))]
pub(crate) fn logout_token_from_request(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<String, &'static str> {
    if !is_form_urlencoded(content_type) {
        return Err("the request must be an application/x-www-form-urlencoded POST");
    }
    // The token plus its field name and a few other parameters.
    if body.len() > MAX_TOKEN_BYTES + 64 {
        return Err("the request is too large");
    }
    let mut token = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        if name == "logout_token" {
            if token.is_some() {
                return Err("logout_token is repeated");
            }
            token = Some(value.into_owned());
        }
    }
    token.ok_or("logout_token is missing")
}

/// Verifies a logout token; on success its `jti` is recorded in `replay`.
pub(crate) async fn verify(
    token: &str,
    jwks: &JwksCache,
    expect: &LogoutExpectations<'_>,
    replay: &ExpiringSet,
) -> Result<LogoutToken, LogoutTokenError> {
    let (token, acceptable_until) = verify_except_replay(token, jwks, expect).await?;
    if !replay.insert(
        &[token.iss.as_bytes(), token.jti.as_bytes()],
        acceptable_until,
        expect.now,
    ) {
        return Err(LogoutTokenError::Replayed);
    }
    Ok(token)
}

/// Every check but the replay one; returns the token and the last second
/// it is acceptable (how long its `jti` must be remembered).
async fn verify_except_replay(
    token: &str,
    jwks: &JwksCache,
    expect: &LogoutExpectations<'_>,
) -> Result<(LogoutToken, i64), LogoutTokenError> {
    let jws = CompactJws::parse(token, expect.algorithms)?;
    if let Some(typ) = &jws.header.typ {
        let lower = typ.to_ascii_lowercase();
        if lower != "logout+jwt" && lower != "application/logout+jwt" {
            return Err(LogoutTokenError::WrongType(typ.clone()));
        }
    }
    jws.verify_signature(jwks).await?;
    let claims = jws.claims()?;
    let token = LogoutToken::from_map(claims)?;
    token.check(expect)?;
    // The last second the token passes `check_times`: the earlier of its
    // maximum age and its expiry, plus the tolerance. Keeping the `jti` any
    // longer (a distant `exp`) would crowd out, in the bounded set, entries
    // whose tokens can still be replayed.
    let acceptable_until = token
        .iat
        .saturating_add(secs(expect.max_token_age))
        .min(token.exp)
        .saturating_add(secs(expect.clock_tolerance));
    Ok((token, acceptable_until))
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

impl LogoutToken {
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, LogoutTokenError> {
        Ok(Self {
            iss: claims::required_string(&raw, "iss")?,
            aud: claims::audiences(&raw)?,
            iat: claims::required_time(&raw, "iat")?,
            exp: claims::required_time(&raw, "exp")?,
            jti: claims::required_string(&raw, "jti")?,
            sub: claims::string(&raw, "sub")?,
            sid: claims::string(&raw, "sid")?,
            raw,
        })
    }

    fn check(&self, expect: &LogoutExpectations<'_>) -> Result<(), LogoutTokenError> {
        claims::check_issuer(&self.iss, &self.raw, expect.issuer)?;
        if !self.aud.iter().any(|a| a == expect.client_id) {
            return Err(LogoutTokenError::WrongAudience);
        }
        if let Some(untrusted) = self
            .aud
            .iter()
            .find(|a| *a != expect.client_id && !expect.trusted_audiences.contains(a))
        {
            return Err(LogoutTokenError::UntrustedAudience(untrusted.clone()));
        }
        let rules = TimeRules {
            now: expect.now,
            tolerance: expect.clock_tolerance,
            max_age: Some(expect.max_token_age),
        };
        claims::check_times(Some(self.exp), Some(self.iat), &self.raw, rules)?;
        match self.raw.get("events") {
            Some(Value::Object(events)) => match events.get(BACKCHANNEL_LOGOUT_EVENT) {
                Some(Value::Object(_)) => {}
                _ => return Err(LogoutTokenError::MissingEvent),
            },
            None => return Err(LogoutTokenError::MissingEvent),
            Some(_) => {
                return Err(LogoutTokenError::Claims(ClaimsError::Invalid(
                    "`events` must be an object".into(),
                )));
            }
        }
        if self.sub.is_none() && self.sid.is_none() {
            return Err(LogoutTokenError::NoSubject);
        }
        if self.raw.contains_key("nonce") {
            return Err(LogoutTokenError::NonceForbidden);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
