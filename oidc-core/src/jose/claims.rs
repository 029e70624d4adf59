//! Typed reads of JWT claims, shared by ID tokens, access tokens and logout
//! tokens: each claim of the wrong type is an error naming it.

use serde_json::{Map, Value};

/// Why a claim could not be read. Each token type turns it into its own
/// error enum (`MissingClaim` / `InvalidClaims`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClaimError {
    /// A required claim is absent.
    Missing(&'static str),
    /// A claim has the wrong type or value.
    Invalid(String),
}

fn wrong_type(name: &str, expected: &str) -> ClaimError {
    ClaimError::Invalid(format!("`{name}` must be {expected}"))
}

/// An optional string claim.
pub(crate) fn string(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, ClaimError> {
    match raw.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

/// A required string claim.
pub(crate) fn required_string(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<String, ClaimError> {
    string(raw, name)?.ok_or(ClaimError::Missing(name))
}

/// An optional boolean claim. Some providers send booleans as strings;
/// exactly `"true"` and `"false"` are accepted too.
pub(crate) fn boolean(
    raw: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<bool>, ClaimError> {
    match raw.get(name) {
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
) -> Result<Option<i64>, ClaimError> {
    match raw.get(name) {
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
) -> Result<i64, ClaimError> {
    time(raw, name)?.ok_or(ClaimError::Missing(name))
}

/// `aud`: a string or a non-empty array of strings; required.
pub(crate) fn audiences(raw: &Map<String, Value>) -> Result<Vec<String>, ClaimError> {
    match raw.get("aud") {
        None => Err(ClaimError::Missing("aud")),
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

/// `From<ClaimError>` for a token's error enum with `MissingClaim` and
/// `InvalidClaims` variants.
macro_rules! claim_errors_into {
    ($error:ty) => {
        impl From<$crate::jose::claims::ClaimError> for $error {
            fn from(error: $crate::jose::claims::ClaimError) -> Self {
                match error {
                    $crate::jose::claims::ClaimError::Missing(name) => Self::MissingClaim(name),
                    $crate::jose::claims::ClaimError::Invalid(message) => {
                        Self::InvalidClaims(message)
                    }
                }
            }
        }
    };
}
pub(crate) use claim_errors_into;

#[cfg(test)]
mod tests;
