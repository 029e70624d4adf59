//! The verified claims of an access token and their checks.

use super::{AccessTokenError, AccessTokenType, Inner};
use crate::error::{ClaimsError, ClaimsTypeError};
use crate::jose::claims::{self, TimeRules};
use serde_json::{Map, Value};

/// The verified claims of an access token: of a JWT access token, or of
/// the provider's introspection answer for an opaque one (RFC 7662). For
/// an introspected token, `iss` defaults to the configured issuer (the
/// answer comes from the issuer's own endpoint), `sub` to `client_id` (a
/// client-credentials token, as RFC 9068 section 2.2 says), and `exp` as
/// documented on the field; `raw` is the answer as received.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct AccessTokenClaims {
    /// `iss`: the provider.
    pub iss: String,
    /// `sub`: the user (or, for a client-credentials token, the client).
    pub sub: String,
    /// `aud`: the audiences (always includes this API, except for an
    /// introspected token without `aud` when the API accepts those:
    /// then empty).
    pub aud: Vec<String>,
    /// `exp`: expiry, seconds since the epoch. For an introspected token
    /// without `exp`: the time until which the verifier relies on the
    /// answer (when it was received plus the introspection cache bound).
    pub exp: i64,
    /// `iat`: issue time, if sent (always, in RFC 9068 mode).
    pub iat: Option<i64>,
    /// `client_id`: the application the token was issued to (always, in
    /// RFC 9068 mode).
    pub client_id: Option<String>,
    /// `jti`: the token's id (always, in RFC 9068 mode).
    pub jti: Option<String>,
    /// `auth_time`: when the user authenticated, if sent.
    pub auth_time: Option<i64>,
    /// The granted scopes, from `scope` (or `scp`).
    pub scopes: Vec<String>,
    /// Every claim, as received.
    pub raw: Map<String, Value>,
}

/// Claims that only ID tokens carry (OpenID Connect Core 1.0 section 2 and
/// 3.3.2.11): a token with one of them is an ID token.
const ID_TOKEN_ONLY_CLAIMS: [&str; 3] = ["nonce", "at_hash", "c_hash"];

impl AccessTokenClaims {
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, AccessTokenError> {
        let aud = claims::audiences(&raw)?;
        let scopes = scopes(&raw)?;
        Ok(Self {
            iss: claims::required_string(&raw, "iss")?,
            sub: claims::required_string(&raw, "sub")?,
            aud,
            exp: claims::required_time(&raw, "exp")?,
            iat: claims::time(&raw, "iat")?,
            client_id: claims::string(&raw, "client_id")?,
            jti: claims::string(&raw, "jti")?,
            auth_time: claims::time(&raw, "auth_time")?,
            scopes,
            raw,
        })
    }

    /// The claims of an introspection answer (RFC 7662 section 2.2) whose
    /// `active` was `true`: `iss` defaults to the configured `issuer` (the
    /// answer comes from the issuer's own endpoint), `sub` to `client_id`
    /// (a client-credentials token, as RFC 9068 section 2.2 says), `exp`
    /// to `exp_bound`; an absent `aud` is refused unless
    /// `accept_missing_audience`; a `token_type` of `refresh_token` is
    /// refused. Times and audience are checked on each use, by
    /// `check_introspected`.
    pub(crate) fn from_introspection(
        raw: Map<String, Value>,
        issuer: &str,
        accept_missing_audience: bool,
        exp_bound: i64,
    ) -> Result<Self, AccessTokenError> {
        if claims::string(&raw, "token_type")?
            .is_some_and(|t| t.eq_ignore_ascii_case("refresh_token"))
        {
            return Err(AccessTokenError::RefreshToken);
        }
        let aud = match raw.get("aud") {
            None | Some(Value::Null) if accept_missing_audience => Vec::new(),
            None | Some(Value::Null) => return Err(AccessTokenError::MissingAudience),
            Some(_) => claims::audiences(&raw)?,
        };
        let client_id = claims::string(&raw, "client_id")?;
        let sub = match (claims::string(&raw, "sub")?, &client_id) {
            (Some(sub), _) => sub,
            (None, Some(client)) => client.clone(),
            (None, None) => return Err(ClaimsError::Missing("sub").into()),
        };
        Ok(Self {
            iss: claims::string(&raw, "iss")?.unwrap_or_else(|| issuer.to_owned()),
            sub,
            aud,
            exp: claims::time(&raw, "exp")?.unwrap_or(exp_bound),
            iat: claims::time(&raw, "iat")?,
            client_id,
            jti: claims::string(&raw, "jti")?,
            auth_time: claims::time(&raw, "auth_time")?,
            scopes: scopes(&raw)?,
            raw,
        })
    }

    /// The checks of an introspected token, on every use of a (possibly
    /// cached) answer: `iss` by the issuer rule, the audience (unless the
    /// API accepts none), and the times with the clock tolerance.
    pub(super) fn check_introspected(
        &self,
        expect: &Inner,
        now: i64,
    ) -> Result<(), AccessTokenError> {
        claims::check_issuer(&self.iss, &self.raw, &expect.expected_issuer)?;
        if !self.aud.is_empty() && !self.aud.contains(&expect.audience) {
            return Err(AccessTokenError::WrongAudience {
                expected: expect.audience.clone(),
                found: self.aud.clone(),
            });
        }
        let rules = TimeRules {
            now,
            tolerance: expect.clock_tolerance,
            max_age: None,
        };
        claims::check_times(Some(self.exp), self.iat, &self.raw, rules)?;
        Ok(())
    }

    pub(super) fn check(&self, expect: &Inner, now: i64) -> Result<(), AccessTokenError> {
        claims::check_issuer(&self.iss, &self.raw, &expect.expected_issuer)?;
        if !self.aud.contains(&expect.audience) {
            return Err(AccessTokenError::WrongAudience {
                expected: expect.audience.clone(),
                found: self.aud.clone(),
            });
        }
        let rules = TimeRules {
            now,
            tolerance: expect.clock_tolerance,
            max_age: None,
        };
        claims::check_times(Some(self.exp), self.iat, &self.raw, rules)?;
        if let Some(claim) = ID_TOKEN_ONLY_CLAIMS
            .iter()
            .find(|c| self.raw.contains_key(**c))
        {
            return Err(AccessTokenError::IdToken(claim));
        }
        if expect.token_type == AccessTokenType::Rfc9068 {
            if self.client_id.is_none() {
                return Err(ClaimsError::Missing("client_id").into());
            }
            if self.iat.is_none() {
                return Err(ClaimsError::Missing("iat").into());
            }
            if self.jti.is_none() {
                return Err(ClaimsError::Missing("jti").into());
            }
        }
        Ok(())
    }

    /// Whether `scope` was granted.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Checks that every scope in `required` was granted;
    /// [`AccessTokenError::InsufficientScope`] (HTTP 403) otherwise.
    pub fn require_scopes(&self, required: &[&str]) -> Result<(), AccessTokenError> {
        if required.iter().all(|s| self.has_scope(s)) {
            Ok(())
        } else {
            Err(AccessTokenError::InsufficientScope {
                required: required.iter().map(|s| (*s).to_owned()).collect(),
            })
        }
    }

    /// Any claim, as received.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }

    /// Every claim of the verified token (`raw`) read as the application's
    /// type, for the provider's own claims (roles, groups, tenant). Works
    /// on the web glue's `Bearer` too (it derefs to these claims).
    /// A claim the type refuses is a [`ClaimsTypeError`] naming it; answer
    /// it like a refused token (the token is not one this API can use).
    pub fn claims<T: serde::de::DeserializeOwned>(&self) -> Result<T, ClaimsTypeError> {
        claims::typed(&self.raw)
    }
}

/// The granted scopes: `scope` (a space-separated string) or, as some
/// providers send, `scp` (an array or a space-separated string).
fn scopes(raw: &Map<String, Value>) -> Result<Vec<String>, AccessTokenError> {
    Ok(match (raw.get("scope"), raw.get("scp")) {
        (Some(Value::String(s)), _) | (None, Some(Value::String(s))) => s
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        (None, Some(Value::Array(items))) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                AccessTokenError::Claims(ClaimsError::Invalid(
                    "`scp` must be an array of strings".into(),
                ))
            })?,
        (None, None) => Vec::new(),
        (Some(_), _) => {
            return Err(AccessTokenError::Claims(ClaimsError::Invalid(
                "`scope` must be a space-separated string".into(),
            )));
        }
        (None, Some(_)) => {
            return Err(AccessTokenError::Claims(ClaimsError::Invalid(
                "`scp` must be an array of strings or a string".into(),
            )));
        }
    })
}
