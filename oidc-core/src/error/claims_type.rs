//! The error of a typed claims read (`claims::<T>()`): which claim, and
//! what is wrong with it, never with the claim's value.

use serde_json::{Map, Value};
use std::fmt;

/// Why the claims could not be read as the application's type `T`
/// (`claims::<T>()` on a login, `SignedIn`, [`UserInfo`](crate::UserInfo),
/// ID token or access token claims).
///
/// It names the failing claim by its path (`roles`, `roles[1]`,
/// `address.country`) and says what is wrong in terms of JSON types and
/// the type's expectations. It never shows the claim's value, which may be
/// personal data: neither in `Display` nor in `Debug`. A custom
/// `Deserialize` impl's own message is left out for the same reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimsTypeError {
    /// The path of the failing claim (`roles[1]`, `address.country`), or
    /// `.` for the claims object as a whole.
    pub path: String,
    /// What is wrong with it.
    pub problem: ClaimProblem,
}

/// What is wrong with the claim a [`ClaimsTypeError`] names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimProblem {
    /// The type needs the claim and the claims lack it (make the field an
    /// `Option` or give it `#[serde(default)]` if the provider may omit it).
    Missing,
    /// The claim has another JSON type than the field's.
    WrongType {
        /// The claim's JSON type (`string`, `array`...), when known.
        found: Option<&'static str>,
        /// What the type expected, in serde's words (`a sequence`).
        expected: Option<String>,
    },
    /// The claim has the right JSON type but a value the type refuses (an
    /// unknown enum variant, a number out of range, a wrong length).
    InvalidValue {
        /// What the type expected, in serde's words (``one of `a`, `b`, `c` ``).
        expected: Option<String>,
    },
    /// The type does not accept this claim (`#[serde(deny_unknown_fields)]`).
    Unknown,
    /// The type's own `Deserialize` refused the claim (its message is not
    /// kept: it may quote the value).
    Refused,
}

impl fmt::Display for ClaimsTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = if self.path == "." {
            "the claims object".to_owned()
        } else {
            format!("the claim `{}`", self.path)
        };
        match &self.problem {
            ClaimProblem::Missing => write!(f, "{subject} is missing"),
            ClaimProblem::WrongType { found, expected } => {
                write!(f, "{subject} has the wrong type")?;
                if let Some(found) = found {
                    write!(f, " ({found})")?;
                }
                if let Some(expected) = expected {
                    write!(f, ", expected {expected}")?;
                }
                Ok(())
            }
            ClaimProblem::InvalidValue { expected } => {
                write!(f, "{subject} has a value the type refuses")?;
                if let Some(expected) = expected {
                    write!(f, ", expected {expected}")?;
                }
                Ok(())
            }
            ClaimProblem::Unknown => write!(f, "{subject} is not one the type accepts"),
            ClaimProblem::Refused => write!(f, "{subject} was refused by the type's Deserialize"),
        }
    }
}

impl std::error::Error for ClaimsTypeError {}

impl ClaimsTypeError {
    /// `claims.type`: the claims are not what the application's type says.
    pub fn check_name(&self) -> &'static str {
        "claims.type"
    }

    /// Classifies serde's error by the fixed forms of `serde::de::Error`'s
    /// messages, keeping the parts that come from the type (field names,
    /// `expected ...`) and dropping the parts that quote the value.
    pub(crate) fn new(
        error: &serde_path_to_error::Error<serde_json::Error>,
        claims: &Map<String, Value>,
    ) -> Self {
        let path = error.path();
        let message = error.inner().to_string();
        let expected = || {
            message
                .rfind(", expected ")
                .map(|at| message[at + ", expected ".len()..].to_owned())
        };
        let (child, problem) = if let Some(rest) = message.strip_prefix("missing field `") {
            (rest.strip_suffix('`'), ClaimProblem::Missing)
        } else if let Some(rest) = message.strip_prefix("unknown field `") {
            let name = rest
                .rfind("`, ")
                .map(|end| &rest[..end])
                .filter(|name| !ends_with_key(path, name));
            (name, ClaimProblem::Unknown)
        } else if message.starts_with("invalid type: ") {
            let found = value_at(path, claims).map(json_type);
            let expected = expected();
            (None, ClaimProblem::WrongType { found, expected })
        } else if message.starts_with("invalid value: ")
            || message.starts_with("invalid length ")
            || message.starts_with("unknown variant `")
        {
            let expected = expected();
            (None, ClaimProblem::InvalidValue { expected })
        } else {
            (None, ClaimProblem::Refused)
        };
        let path = match (path.to_string(), child) {
            (_, None) => path.to_string(),
            (parent, Some(child)) if parent == "." => child.to_owned(),
            (parent, Some(child)) => format!("{parent}.{child}"),
        };
        Self { path, problem }
    }
}

/// Whether the path already ends with the member `name`.
fn ends_with_key(path: &serde_path_to_error::Path, name: &str) -> bool {
    matches!(
        path.iter().next_back(),
        Some(serde_path_to_error::Segment::Map { key }) if key == name
    )
}

/// The value the path leads to, if it can be followed.
fn value_at<'a>(
    path: &serde_path_to_error::Path,
    claims: &'a Map<String, Value>,
) -> Option<&'a Value> {
    use serde_path_to_error::Segment;
    let mut segments = path.iter();
    let mut value = match segments.next() {
        Some(Segment::Map { key }) => claims.get(key)?,
        _ => return None,
    };
    for segment in segments {
        value = match (segment, value) {
            (Segment::Map { key }, Value::Object(map)) => map.get(key)?,
            (Segment::Seq { index }, Value::Array(items)) => items.get(*index)?,
            _ => return None,
        };
    }
    Some(value)
}

/// The JSON type's name (RFC 8259), never the value.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests;
