//! The device authorization response (RFC 8628 section 3.2), read
//! strictly: nothing in it is used before every member checks out.

use crate::config::endpoint_is_secure;
use crate::error::{DeviceError, TransportError};
use crate::jose::jws::StrictObject;
use crate::provider::http::{Response, display_url};
use serde_json::{Map, Value};
use std::time::Duration;
use url::Url;

/// Longest accepted `user_code`: it is shown to a person who types it.
const MAX_USER_CODE_LEN: usize = 64;

/// A checked device authorization response.
#[derive(Debug)]
pub(crate) struct Authorization {
    pub(crate) device_code: String,
    pub(crate) user_code: String,
    pub(crate) verification_uri: Url,
    pub(crate) verification_uri_complete: Option<Url>,
    pub(crate) expires_in: Duration,
    pub(crate) interval: Option<Duration>,
}

/// Reads the answer of the device authorization endpoint at `endpoint`:
/// a `200` JSON response, an OAuth error ([`DeviceError::Refused`]), or
/// another status ([`TransportError::Status`]). `issuer` decides whether
/// `http` verification URIs are acceptable (only on a loopback issuer,
/// like endpoints).
pub(crate) fn parse(
    response: &Response,
    endpoint: &Url,
    issuer: &Url,
) -> Result<Authorization, DeviceError> {
    let object = response
        .is_json()
        .then(|| serde_json::from_slice::<StrictObject>(&response.body))
        .map(|parsed| parsed.map(|o| o.0));
    if response.status != 200 {
        if let Some(refusal) = response.oauth_error() {
            return Err(DeviceError::Refused {
                error: refusal.error,
                description: refusal.description,
                status: response.status,
            });
        }
        return Err(TransportError::Status {
            url: display_url(endpoint),
            status: response.status,
        }
        .into());
    }
    let object = match object {
        Some(Ok(object)) => object,
        Some(Err(e)) => return Err(invalid(format!("not a JSON object: {e}"))),
        None => {
            return Err(invalid(format!(
                "expected JSON, got content type `{}`",
                response.content_type().unwrap_or("none")
            )));
        }
    };
    let device_code = required_string(&object, "device_code")?;
    let user_code = required_string(&object, "user_code")?;
    if user_code.chars().count() > MAX_USER_CODE_LEN || user_code.chars().any(char::is_control) {
        return Err(invalid(
            "`user_code` is not a code a person can type".into(),
        ));
    }
    // Google spells it `verification_url`; the RFC's name wins if both are sent.
    let verification_uri = match string(&object, "verification_uri")? {
        Some(uri) => uri,
        None => string(&object, "verification_url")?
            .ok_or_else(|| invalid("`verification_uri` is missing".into()))?,
    };
    let verification_uri = page_url("verification_uri", &verification_uri, issuer)?;
    let verification_uri_complete = string(&object, "verification_uri_complete")?
        .map(|uri| page_url("verification_uri_complete", &uri, issuer))
        .transpose()?;
    let expires_in = seconds(&object, "expires_in")?
        .filter(|secs| *secs > 0)
        .ok_or_else(|| invalid("`expires_in` must be a positive integer".into()))?;
    let interval = seconds(&object, "interval")?;
    Ok(Authorization {
        device_code,
        user_code,
        verification_uri,
        verification_uri_complete,
        expires_in: Duration::from_secs(expires_in),
        interval: interval.map(Duration::from_secs),
    })
}

/// A page the user is sent to: an absolute URL, `https` (or `http` on a
/// loopback issuer, for development), without credentials.
fn page_url(name: &str, value: &str, issuer: &Url) -> Result<Url, DeviceError> {
    let url = Url::parse(value).map_err(|e| invalid(format!("`{name}` is not a URL: {e}")))?;
    if !endpoint_is_secure(&url, issuer) {
        return Err(invalid(format!("`{name}` must be an https URL")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(format!("`{name}` must not carry credentials")));
    }
    Ok(url)
}

fn required_string(object: &Map<String, Value>, name: &str) -> Result<String, DeviceError> {
    string(object, name)?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(format!("`{name}` is missing")))
}

fn string(object: &Map<String, Value>, name: &str) -> Result<Option<String>, DeviceError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("`{name}` must be a string"))),
    }
}

/// A number of seconds: a non-negative integer (as a string too, as some
/// providers send `expires_in`).
fn seconds(object: &Map<String, Value>, name: &str) -> Result<Option<u64>, DeviceError> {
    let wrong = || invalid(format!("`{name}` must be a non-negative integer"));
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(wrong),
        Some(Value::String(s)) => s.parse::<u64>().map(Some).map_err(|_| wrong()),
        Some(_) => Err(wrong()),
    }
}

fn invalid(message: String) -> DeviceError {
    DeviceError::InvalidResponse(message)
}

#[cfg(test)]
mod tests;
