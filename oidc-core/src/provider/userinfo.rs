//! Claims about the user: from the guide's inline `userinfo`, the UserInfo
//! endpoint, or the ID token, always tied to the ID token's `sub`.

use crate::error::{ClaimsTypeError, TokenError};
use crate::jose::id_token::{IdTokenClaims, RedactedClaims};
use crate::jose::jws::StrictObject;
use crate::provider::http::{Http, Response};
use crate::provider::trace::{self, step_span};
use serde_json::{Map, Value};
use std::fmt;
use url::Url;

/// What the application learns about the signed-in user.
///
/// Its `Debug` leaves out the `nonce` of claims taken from the ID token.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct UserInfo {
    /// The stable user id at the provider (from the verified ID token).
    pub sub: String,
    /// The email address, if the provider shared it. It may change over
    /// time: key your records by `sub`.
    pub email: Option<String>,
    /// Whether the provider verified the email address: always about
    /// `email` above (`None` when the source of `email` did not say).
    pub email_verified: Option<bool>,
    /// The display name, if shared.
    pub name: Option<String>,
    /// Every claim, as received.
    pub claims: Map<String, Value>,
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfo")
            .field("sub", &self.sub)
            .field("email", &self.email)
            .field("email_verified", &self.email_verified)
            .field("name", &self.name)
            .field("claims", &RedactedClaims(&self.claims))
            .finish()
    }
}

/// Where the user claims came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimsSource {
    Inline,
    Endpoint,
}

impl ClaimsSource {
    fn name(self) -> &'static str {
        match self {
            Self::Inline => "the token response's userinfo",
            Self::Endpoint => "the UserInfo endpoint",
        }
    }
}

impl UserInfo {
    /// Every claim of this object (`claims`) read as the application's
    /// type, for the provider's own claims (roles, groups, tenant). These
    /// are the claims of one source only (inline `userinfo`, the UserInfo
    /// endpoint, or the ID token when neither was used); the login's and
    /// `SignedIn`'s `claims::<T>()` read the ID token's claims too.
    pub fn claims<T: serde::de::DeserializeOwned>(&self) -> Result<T, ClaimsTypeError> {
        crate::jose::claims::typed(&self.claims)
    }

    /// The ID token's claims with these laid over them: what the
    /// login's and `SignedIn`'s `claims::<T>()` read.
    pub(crate) fn merged_claims<T: serde::de::DeserializeOwned>(
        &self,
        id_token: &IdTokenClaims,
    ) -> Result<T, ClaimsTypeError> {
        let mut merged = id_token.raw.clone();
        merged.extend(self.claims.iter().map(|(k, v)| (k.clone(), v.clone())));
        crate::jose::claims::typed(&merged)
    }

    /// From the ID token alone.
    pub(crate) fn from_id_token(claims: &IdTokenClaims) -> Self {
        Self {
            sub: claims.sub.clone(),
            email: claims.email.clone(),
            email_verified: claims.email_verified,
            name: claims
                .raw
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            claims: claims.raw.clone(),
        }
    }

    /// From a claims object whose `sub` must equal the ID token's (OIDC Core
    /// 5.3.2: otherwise the response must not be used). Claims the object
    /// lacks are taken from the ID token, except that `email_verified` is
    /// only taken with the same email.
    pub(crate) fn from_claims(
        claims: Map<String, Value>,
        id_token: &IdTokenClaims,
        source: ClaimsSource,
    ) -> Result<Self, TokenError> {
        let invalid = |what: &str| TokenError::UserInfo(format!("{}: {what}", source.name()));
        let sub = match claims.get("sub") {
            Some(Value::String(sub)) => sub.clone(),
            Some(_) => return Err(invalid("`sub` is not a string")),
            None => return Err(invalid("`sub` is missing")),
        };
        if sub != id_token.sub {
            return Err(TokenError::SubjectMismatch {
                source_name: source.name(),
                expected: id_token.sub.clone(),
                found: sub,
            });
        }
        let own_email = match claims.get("email") {
            None | Some(Value::Null) => None,
            Some(Value::String(email)) => Some(email.clone()),
            Some(_) => return Err(invalid("`email` is not a string")),
        };
        let own_verified = match claims.get("email_verified") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if s == "true" => Some(true),
            Some(Value::String(s)) if s == "false" => Some(false),
            Some(_) => return Err(invalid("`email_verified` is not a boolean")),
        };
        // `email_verified` is about one address: it stays with the email it
        // came with. The ID token's flag may describe the object's email
        // only if it is the same address; otherwise an unverified address
        // would pass as verified (account takeover by email).
        let (email, email_verified) = match own_email {
            Some(email) => {
                let verified = own_verified.or_else(|| {
                    id_token
                        .email_verified
                        .filter(|_| id_token.email.as_deref() == Some(email.as_str()))
                });
                (Some(email), verified)
            }
            // No address here: the ID token's, with its own flag (a flag
            // alone says nothing about which address it verified).
            None => (id_token.email.clone(), id_token.email_verified),
        };
        let name = match claims.get("name") {
            Some(Value::String(name)) => Some(name.clone()),
            _ => id_token
                .raw
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        Ok(Self {
            sub,
            email,
            email_verified,
            name,
            claims,
        })
    }
}

/// Calls the UserInfo endpoint with the access token.
pub(crate) async fn fetch(
    http: &Http,
    endpoint: &Url,
    access_token: &str,
) -> Result<Map<String, Value>, TokenError> {
    let span = step_span!("oidc.userinfo", trace::host(endpoint));
    trace::timed(span, async {
        parse(&http.get(endpoint, Some(access_token)).await?)
    })
    .await
}

/// Reads a UserInfo response: 200 with a JSON object (duplicate member
/// names refused). Signed or encrypted responses are refused by name.
pub(crate) fn parse(response: &Response) -> Result<Map<String, Value>, TokenError> {
    if response.status != 200 {
        return Err(TokenError::UserInfo(format!(
            "HTTP status {}",
            response.status
        )));
    }
    if response
        .content_type()
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/jwt"))
    {
        return Err(TokenError::UserInfo(
            "signed or encrypted UserInfo responses are not supported; configure the client for JSON".into(),
        ));
    }
    if !response.is_json() {
        return Err(TokenError::UserInfo("the response is not JSON".into()));
    }
    serde_json::from_slice::<StrictObject>(&response.body)
        .map(|o| o.0)
        .map_err(|e| TokenError::UserInfo(format!("not a JSON object: {e}")))
}

#[cfg(test)]
mod tests;
