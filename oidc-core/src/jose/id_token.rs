//! ID token verification: OpenID Connect Core 1.0 section 3.1.3.7, plus
//! `at_hash` (3.1.3.8) and the refresh rules of section 12.2.

use crate::config::SigningAlgorithm;
use crate::error::{ClaimsError, ClaimsTypeError, IdTokenError};
use crate::jose::claims::{self, TimeRules};
use crate::jose::issuer::ExpectedIssuer;
use crate::jose::jwks::JwksCache;
use crate::jose::jws::CompactJws;
use crate::util::{ct_eq, ct_eq_bytes};
use serde_json::{Map, Value};
use std::fmt;
use std::time::Duration;

/// The verified claims of an ID token.
///
/// Its `Debug` leaves out the `nonce` (here and in `raw`): the login's
/// secret, which the claims only echo.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// `iss`: the provider.
    pub iss: String,
    /// `sub`: the user's stable identifier at the provider. Key your user
    /// records by this (with `iss`), never by email.
    pub sub: String,
    /// `aud`: the audiences (always includes this client).
    pub aud: Vec<String>,
    /// `exp`: expiry, seconds since the epoch.
    pub exp: i64,
    /// `iat`: issue time, seconds since the epoch.
    pub iat: i64,
    /// `auth_time`: when the user authenticated, if sent.
    pub auth_time: Option<i64>,
    /// `nonce`, if sent.
    pub nonce: Option<String>,
    /// `azp`: the authorized party, if sent.
    pub azp: Option<String>,
    /// `sid`: the provider's session id, if sent (back-channel logout).
    pub sid: Option<String>,
    /// `email`, if in the token.
    pub email: Option<String>,
    /// `email_verified`, if in the token.
    pub email_verified: Option<bool>,
    /// Every claim, as received.
    pub raw: Map<String, Value>,
}

impl fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdTokenClaims")
            .field("iss", &self.iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("auth_time", &self.auth_time)
            .field("nonce", &self.nonce.as_ref().map(|_| REDACTED))
            .field("azp", &self.azp)
            .field("sid", &self.sid)
            .field("email", &self.email)
            .field("email_verified", &self.email_verified)
            .field("raw", &RedactedClaims(&self.raw))
            .finish()
    }
}

/// What `Debug` shows instead of a secret claim.
const REDACTED: &str = "<redacted>";

/// Claims whose values must not be shown: the nonce.
const SECRET_CLAIMS: &[&str] = &["nonce"];

/// A claims object shown by `Debug` without its secret claims' values.
pub(crate) struct RedactedClaims<'a>(pub(crate) &'a Map<String, Value>);

impl fmt::Debug for RedactedClaims<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if SECRET_CLAIMS.contains(&name.as_str()) {
                map.entry(name, &REDACTED);
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// What a nonce check expects.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NonceCheck<'a> {
    /// The login's nonce must be present and equal.
    Equal(&'a str),
    /// Refresh (OIDC Core 12.2): no nonce expected, but if the original
    /// token had one, a repeated equal value is tolerated.
    AbsentOr(Option<&'a str>),
    /// Device sign-in (RFC 8628 has no nonce): none was sent, so none may
    /// come back; a token carrying one was minted for another request.
    NotSent,
}

/// The checks to apply, from the client and the login.
#[derive(Debug, Clone)]
pub(crate) struct Expectations<'a> {
    pub(crate) issuer: &'a ExpectedIssuer,
    pub(crate) client_id: &'a str,
    pub(crate) trusted_audiences: &'a [String],
    pub(crate) algorithms: &'a [SigningAlgorithm],
    pub(crate) nonce: NonceCheck<'a>,
    pub(crate) max_age: Option<Duration>,
    pub(crate) access_token: Option<&'a str>,
    pub(crate) clock_tolerance: Duration,
    pub(crate) max_token_age: Duration,
    pub(crate) now: i64,
}

/// Verifies an ID token: header, signature (key from the JWKS), claims.
pub(crate) async fn verify(
    token: &str,
    jwks: &JwksCache,
    expect: &Expectations<'_>,
) -> Result<IdTokenClaims, IdTokenError> {
    let jws = CompactJws::parse(token, expect.algorithms)?;
    if let Some(typ) = &jws.header.typ {
        // RFC 8725 3.11: an access or logout token must not pass as an ID token.
        if !typ.eq_ignore_ascii_case("JWT") && !typ.eq_ignore_ascii_case("application/jwt") {
            return Err(IdTokenError::WrongType(typ.clone()));
        }
    }
    jws.verify_signature(jwks).await?;
    let claims = IdTokenClaims::from_map(jws.claims()?)?;
    claims.check(expect, jws.header.alg)?;
    Ok(claims)
}

impl IdTokenClaims {
    /// `acr`: the authentication context class the user signed in with,
    /// if the token has one as a string (OpenID Connect Core 2).
    pub fn acr(&self) -> Option<&str> {
        self.raw.get("acr").and_then(Value::as_str)
    }

    /// Every claim of the token (`raw`) read as the application's type, for
    /// the provider's own claims (roles, groups, tenant):
    /// `#[derive(Deserialize)] struct Custom { roles: Vec<String> }`. A
    /// claim the type refuses is a [`ClaimsTypeError`] naming it.
    pub fn claims<T: serde::de::DeserializeOwned>(&self) -> Result<T, ClaimsTypeError> {
        claims::typed(&self.raw)
    }

    /// The claims of an ID token this client verified before, read again
    /// from the token without checking anything: for a session record,
    /// which keeps the token and re-reads its claims rather than storing
    /// them twice (the session store is trusted; whatever wrote the record
    /// had verified the token). `None` if the token does not decode.
    #[cfg(feature = "axum")]
    pub(crate) fn of_verified_token(token: &str) -> Option<Self> {
        use base64::Engine;
        let payload = token.split('.').nth(1)?;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        let raw = serde_json::from_slice::<crate::jose::jws::StrictObject>(&json).ok()?;
        Self::from_map(raw.0).ok()
    }

    /// Reads the typed claims; a wrong type is an error naming the claim.
    pub(crate) fn from_map(raw: Map<String, Value>) -> Result<Self, IdTokenError> {
        // One pass over the members instead of a tree search per claim;
        // the claims are then read in the same order as before, so the
        // same claim is reported first.
        let mut found = Found::default();
        for (name, value) in &raw {
            let slot = match name.as_str() {
                "iss" => &mut found.iss,
                "sub" => &mut found.sub,
                "aud" => &mut found.aud,
                "exp" => &mut found.exp,
                "iat" => &mut found.iat,
                "auth_time" => &mut found.auth_time,
                "nonce" => &mut found.nonce,
                "azp" => &mut found.azp,
                "sid" => &mut found.sid,
                "email" => &mut found.email,
                "email_verified" => &mut found.email_verified,
                _ => continue,
            };
            *slot = Some(value);
        }
        let sub = claims::required_string_value(found.sub, "sub")?;
        if sub.is_empty() || sub.len() > 255 {
            return Err(ClaimsError::Invalid("`sub` must be 1 to 255 characters".into()).into());
        }
        Ok(Self {
            iss: claims::required_string_value(found.iss, "iss")?,
            sub,
            aud: claims::audiences_value(found.aud)?,
            exp: claims::required_time_value(found.exp, "exp")?,
            iat: claims::required_time_value(found.iat, "iat")?,
            auth_time: claims::time_value(found.auth_time, "auth_time")?,
            nonce: claims::string_value(found.nonce, "nonce")?,
            azp: claims::string_value(found.azp, "azp")?,
            sid: claims::string_value(found.sid, "sid")?,
            email: claims::string_value(found.email, "email")?,
            email_verified: claims::boolean_value(found.email_verified, "email_verified")?,
            raw,
        })
    }

    /// The claim checks of OIDC Core 3.1.3.7 (steps 2-4, 9-13) and 3.1.3.8.
    pub(crate) fn check(
        &self,
        expect: &Expectations<'_>,
        alg: SigningAlgorithm,
    ) -> Result<(), IdTokenError> {
        claims::check_issuer(&self.iss, &self.raw, expect.issuer)?;
        if !self.aud.iter().any(|a| a == expect.client_id) {
            return Err(IdTokenError::WrongAudience);
        }
        if let Some(untrusted) = self
            .aud
            .iter()
            .find(|a| *a != expect.client_id && !expect.trusted_audiences.contains(a))
        {
            return Err(IdTokenError::UntrustedAudience(untrusted.clone()));
        }
        match &self.azp {
            Some(azp) if azp != expect.client_id => return Err(IdTokenError::WrongAuthorizedParty),
            None if self.aud.len() > 1 => return Err(IdTokenError::WrongAuthorizedParty),
            _ => {}
        }
        let now = expect.now;
        let tolerance = i64::try_from(expect.clock_tolerance.as_secs()).unwrap_or(i64::MAX);
        let rules = TimeRules {
            now,
            tolerance: expect.clock_tolerance,
            max_age: Some(expect.max_token_age),
        };
        claims::check_times(Some(self.exp), Some(self.iat), &self.raw, rules)?;
        match (expect.nonce, self.nonce.as_deref()) {
            (NonceCheck::Equal(expected), Some(found)) if ct_eq(expected, found) => {}
            (NonceCheck::Equal(_), _) => return Err(IdTokenError::NonceMismatch),
            (NonceCheck::AbsentOr(_), None) => {}
            (NonceCheck::AbsentOr(Some(original)), Some(found)) if ct_eq(original, found) => {}
            (NonceCheck::AbsentOr(_), Some(_)) => return Err(IdTokenError::UnexpectedNonce),
            (NonceCheck::NotSent, None) => {}
            (NonceCheck::NotSent, Some(_)) => return Err(IdTokenError::UnexpectedNonce),
        }
        if let Some(auth_time) = self.auth_time
            && auth_time > now.saturating_add(tolerance)
        {
            // A future authentication time would satisfy any `max_age`.
            return Err(IdTokenError::AuthTimeInFuture { auth_time, now });
        }
        if let Some(max_age) = expect.max_age {
            let auth_time = self.auth_time.ok_or(ClaimsError::Missing("auth_time"))?;
            let max_age_secs = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
            if now.saturating_sub(auth_time) > max_age_secs.saturating_add(tolerance) {
                return Err(IdTokenError::AuthTooOld {
                    auth_time,
                    max_age_secs: max_age.as_secs(),
                });
            }
        }
        if let (Some(access_token), Some(at_hash)) = (
            expect.access_token,
            claims::str_claim(&self.raw, "at_hash")?,
        ) && !token_hash_matches(access_token, alg, at_hash)
        {
            return Err(IdTokenError::AccessTokenHashMismatch);
        }
        Ok(())
    }
}

/// The members [`IdTokenClaims::from_map`] reads, found in one pass.
#[derive(Default)]
struct Found<'a> {
    iss: Option<&'a Value>,
    sub: Option<&'a Value>,
    aud: Option<&'a Value>,
    exp: Option<&'a Value>,
    iat: Option<&'a Value>,
    auth_time: Option<&'a Value>,
    nonce: Option<&'a Value>,
    azp: Option<&'a Value>,
    sid: Option<&'a Value>,
    email: Option<&'a Value>,
    email_verified: Option<&'a Value>,
}

/// OIDC Core 12.2: a refreshed ID token is about the same login as the
/// original: same `iss`, `sub`, `aud` and `azp` (present in both or in
/// neither), and `auth_time`, if sent, still the original authentication.
pub(crate) fn check_same_login(
    previous: &IdTokenClaims,
    new: &IdTokenClaims,
) -> Result<(), IdTokenError> {
    if new.iss != previous.iss {
        return Err(IdTokenError::RefreshChanged("iss"));
    }
    if new.sub != previous.sub {
        return Err(IdTokenError::RefreshChanged("sub"));
    }
    if new.aud != previous.aud {
        return Err(IdTokenError::RefreshChanged("aud"));
    }
    if new.azp != previous.azp {
        return Err(IdTokenError::RefreshChanged("azp"));
    }
    if new.auth_time.is_some() && new.auth_time != previous.auth_time {
        return Err(IdTokenError::RefreshChanged("auth_time"));
    }
    Ok(())
}

/// The hash [`token_hash`] uses for `alg`.
fn token_hash_algorithm(alg: SigningAlgorithm) -> &'static aws_lc_rs::digest::Algorithm {
    use SigningAlgorithm as A;
    use aws_lc_rs::digest;
    match alg {
        A::RS256 | A::PS256 | A::ES256 => &digest::SHA256,
        A::RS384 | A::PS384 | A::ES384 => &digest::SHA384,
        A::RS512 | A::PS512 | A::EdDSA => &digest::SHA512,
    }
}

/// `at_hash`/`c_hash`: the left half of the hash of the token's ASCII, with
/// the hash of the signing algorithm (SHA-512 for Ed25519). Verification
/// compares with [`token_hash_matches`], which does not allocate.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn token_hash(token: &str, alg: SigningAlgorithm) -> String {
    let hash = aws_lc_rs::digest::digest(token_hash_algorithm(alg), token.as_bytes());
    let bytes = hash.as_ref();
    crate::util::b64url(&bytes[..bytes.len() / 2])
}

/// Whether `expected` is [`token_hash`] of `token`, compared in constant
/// time, without allocating (the hash is encoded on the stack).
pub(crate) fn token_hash_matches(token: &str, alg: SigningAlgorithm, expected: &str) -> bool {
    use base64::Engine;
    let hash = aws_lc_rs::digest::digest(token_hash_algorithm(alg), token.as_bytes());
    let bytes = hash.as_ref();
    // Half of SHA-512 (32 bytes) is 43 characters.
    let mut encoded = [0u8; 44];
    match base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode_slice(&bytes[..bytes.len() / 2], &mut encoded)
    {
        Ok(len) => ct_eq_bytes(&encoded[..len], expected.as_bytes()),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests;
