//! The URL policy: https everywhere, plain http only on loopback hosts
//! (development and native apps). Discovery applies the same rule to the
//! provider's endpoints; the macro crate checks literals at compile time
//! with its own copy, tested against the same table (`tests.rs`).

use crate::error::ConfigError;
use url::Url;

/// Parses a URL and requires https unless the host is loopback.
pub(crate) fn parse_url(field: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError::InvalidUrl {
        field,
        reason: e.to_string(),
    })?;
    require_secure(field, &url)?;
    Ok(url)
}

/// https everywhere; http only for loopback hosts (development and native apps).
fn require_secure(field: &'static str, url: &Url) -> Result<(), ConfigError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ConfigError::InsecureUrl {
            field,
            host: url.host_str().unwrap_or_default().to_owned(),
        }),
        other => Err(ConfigError::InvalidUrl {
            field,
            reason: format!("scheme `{other}` is not http(s)"),
        }),
    }
}

/// Whether the URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
