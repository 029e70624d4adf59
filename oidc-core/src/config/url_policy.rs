//! The URL policy: https everywhere, plain http only on loopback hosts
//! (development and native apps). Discovery applies the same rule to the
//! provider's endpoints; the macro crate checks literals at compile time
//! with its own copy; both are tested against one table,
//! `url_policy/issuer_cases.txt`.

use crate::error::ConfigError;
use url::Url;

/// Parses a URL and requires https unless the host is loopback.
pub(crate) fn parse_url(field: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError::InvalidUrl {
        field,
        reason: e.to_string(),
    })?;
    require_secure(field, &url)?;
    if let Some(url::Host::Domain(host)) = url.host() {
        // The URL parser takes any WHATWG host; a provider or app is at a
        // DNS name (`exa$mple.com` or `a..b` is a typo, not a host).
        let labels = host.strip_suffix('.').unwrap_or(host);
        let valid = labels.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
        if !valid {
            return Err(ConfigError::InvalidUrl {
                field,
                reason: format!("the host `{host}` is not a host name"),
            });
        }
    }
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

/// An issuer: a secure URL without query, fragment (OpenID Connect
/// Discovery 1.0 section 2) or credentials, exactly as the provider states it.
pub(crate) fn parse_issuer(value: &str) -> Result<Url, ConfigError> {
    let issuer = parse_url("issuer", value)?;
    for (present, part) in [
        (issuer.query().is_some(), "a query"),
        (issuer.fragment().is_some(), "a fragment"),
        (
            !issuer.username().is_empty() || issuer.password().is_some(),
            "a user name or password",
        ),
    ] {
        if present {
            return Err(ConfigError::UrlPartNotAllowed {
                field: "issuer",
                part,
            });
        }
    }
    Ok(issuer)
}

/// Whether a provider endpoint may be used with this issuer: https, or
/// http when both the issuer and the endpoint are loopback (a loopback
/// issuer is no excuse for a remote http endpoint).
pub(crate) fn endpoint_is_secure(endpoint: &Url, issuer: &Url) -> bool {
    endpoint.scheme() == "https"
        || (endpoint.scheme() == "http" && is_loopback(issuer) && is_loopback(endpoint))
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

#[cfg(test)]
mod tests;
