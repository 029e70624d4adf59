//! Typed reads of JWT claims, shared by ID tokens, access tokens and logout
//! tokens: each claim of the wrong type is an error naming it.

use crate::error::{ClaimsError, ClaimsTypeError};
use crate::jose::issuer::ExpectedIssuer;
use serde_json::{Map, Value};
use std::time::Duration;

/// Reads `claims` as the application's type (`claims::<T>()` everywhere):
/// a failure names the claim, not its value.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(
    claims: &Map<String, Value>,
) -> Result<T, ClaimsTypeError> {
    serde_path_to_error::deserialize(claims).map_err(|e| ClaimsTypeError::new(&e, claims))
}

/// `iss` is the provider's, by the client's issuer rule (which reads the
/// token's own `tid` under a tenant template).
pub(crate) fn check_issuer(
    iss: &str,
    raw: &Map<String, Value>,
    expected: &ExpectedIssuer,
) -> Result<(), ClaimsError> {
    // Only a tenant template reads `tid`: under the other rules the claim
    // is none of the client's business (and is not even type-checked).
    let tid = if expected.reads_tid() {
        string(raw, "tid")?
    } else {
        None
    };
    if expected.accepts(iss, tid.as_deref()) {
        Ok(())
    } else {
        Err(ClaimsError::WrongIssuer {
            expected: expected.describe().to_owned(),
            found: iss.to_owned(),
        })
    }
}

/// The time rules every token follows, each with the clock tolerance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeRules {
    /// The current time, seconds since the epoch.
    pub(crate) now: i64,
    /// The allowed clock difference with the provider.
    pub(crate) tolerance: Duration,
    /// How old `iat` may be, if the token type bounds it.
    pub(crate) max_age: Option<Duration>,
}

/// `exp` (when the token has one) has not passed, `iat` (when it has one)
/// is not in the future nor older than the maximum age, and `nbf` (when
/// present) has passed.
pub(crate) fn check_times(
    exp: Option<i64>,
    iat: Option<i64>,
    raw: &Map<String, Value>,
    rules: TimeRules,
) -> Result<(), ClaimsError> {
    let now = rules.now;
    let tolerance = secs(rules.tolerance);
    if let Some(exp) = exp
        && now.saturating_sub(tolerance) >= exp
    {
        return Err(ClaimsError::Expired {
            exp,
            now,
            tolerance_secs: rules.tolerance.as_secs(),
        });
    }
    if let Some(iat) = iat {
        if iat > now.saturating_add(tolerance) {
            return Err(ClaimsError::IssuedInFuture { iat, now });
        }
        if let Some(max_age) = rules.max_age
            && now.saturating_sub(iat) > secs(max_age).saturating_add(tolerance)
        {
            return Err(ClaimsError::TooOld {
                iat,
                now,
                max_age_secs: max_age.as_secs(),
            });
        }
    }
    if let Some(nbf) = time(raw, "nbf")?
        && nbf > now.saturating_add(tolerance)
    {
        return Err(ClaimsError::NotYetValid { nbf, now });
    }
    Ok(())
}

fn secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

fn wrong_type(name: &str, expected: &str) -> ClaimsError {
    ClaimsError::Invalid(format!("`{name}` must be {expected}"))
}

/// An optional string claim.
pub(crate) fn string(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, ClaimsError> {
    string_value(raw.get(name), name)
}

/// An optional string claim, borrowed.
pub(crate) fn str_claim<'a>(
    raw: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, ClaimsError> {
    match raw.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

/// [`string`] of a member already looked up.
pub(crate) fn string_value(
    value: Option<&Value>,
    name: &'static str,
) -> Result<Option<String>, ClaimsError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

/// A required string claim.
pub(crate) fn required_string(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<String, ClaimsError> {
    required_string_value(raw.get(name), name)
}

/// [`required_string`] of a member already looked up.
pub(crate) fn required_string_value(
    value: Option<&Value>,
    name: &'static str,
) -> Result<String, ClaimsError> {
    string_value(value, name)?.ok_or(ClaimsError::Missing(name))
}

/// An optional boolean claim. Some providers send booleans as strings;
/// exactly `"true"` and `"false"` are accepted too.
#[cfg(test)]
pub(crate) fn boolean(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<bool>, ClaimsError> {
    boolean_value(raw.get(name), name)
}

/// [`boolean`] of a member already looked up.
pub(crate) fn boolean_value(
    value: Option<&Value>,
    name: &'static str,
) -> Result<Option<bool>, ClaimsError> {
    match value {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(_) => Err(wrong_type(name, "a boolean")),
    }
}

/// An optional NumericDate (RFC 7519): a JSON number of seconds, possibly
/// fractional (rounded down).
pub(crate) fn time(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, ClaimsError> {
    time_value(raw.get(name), name)
}

/// [`time`] of a member already looked up.
pub(crate) fn time_value(
    value: Option<&Value>,
    name: &'static str,
) -> Result<Option<i64>, ClaimsError> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(Some(i))
            } else {
                match n.as_f64() {
                    Some(f) if f.is_finite() && f.abs() < 1e15 => Ok(Some(f.floor() as i64)),
                    _ => Err(wrong_type(name, "a NumericDate in range")),
                }
            }
        }
        Some(_) => Err(wrong_type(name, "a number")),
    }
}

/// A required NumericDate.
pub(crate) fn required_time(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<i64, ClaimsError> {
    required_time_value(raw.get(name), name)
}

/// [`required_time`] of a member already looked up.
pub(crate) fn required_time_value(
    value: Option<&Value>,
    name: &'static str,
) -> Result<i64, ClaimsError> {
    time_value(value, name)?.ok_or(ClaimsError::Missing(name))
}

/// `aud`: a string or a non-empty array of strings; required.
pub(crate) fn audiences(raw: &Map<String, Value>) -> Result<Vec<String>, ClaimsError> {
    audiences_value(raw.get("aud"))
}

/// [`audiences`] of the member already looked up.
pub(crate) fn audiences_value(value: Option<&Value>) -> Result<Vec<String>, ClaimsError> {
    match value {
        None => Err(ClaimsError::Missing("aud")),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| wrong_type("aud", "a string or an array of strings"))
            })
            .collect(),
        Some(_) => Err(wrong_type(
            "aud",
            "a string or a non-empty array of strings",
        )),
    }
}

#[cfg(test)]
mod tests;
