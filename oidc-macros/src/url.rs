//! A small URL check for literals (issuer, URL defaults). It does not pull
//! the `url` crate into the macro's build: it checks the parts a config
//! needs (scheme, host, port, no credentials) and leaves the full parse to
//! `ClientConfig::validate` at run time.

use std::net::{Ipv4Addr, Ipv6Addr};

/// What a URL literal is used for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlKind {
    /// No query or fragment.
    Issuer,
    /// No fragment.
    RedirectUri,
}

/// `Err` with a message for the user if the literal is not an absolute
/// https URL (or http for a loopback host).
pub(crate) fn check(value: &str, kind: UrlKind) -> Result<(), String> {
    const EXAMPLE: &str = "give an absolute URL such as \"https://login.example.com\"";
    if value.is_empty() {
        return Err(format!("the URL is empty: {EXAMPLE}"));
    }
    if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("the URL contains {c:?}: {EXAMPLE}"));
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(format!("`{value}` is not an absolute URL: {EXAMPLE}"));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!("the scheme `{scheme}` is not https: {EXAMPLE}"));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err("the URL must not contain a user name or password".to_owned());
    }
    let (host, port) = split_port(authority)?;
    check_host(host)?;
    if let Some(port) = port
        && (port.is_empty()
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u16>().is_err())
    {
        return Err(format!("the port `{port}` is not a number from 0 to 65535"));
    }
    if tail.contains('#') {
        return Err("the URL must not contain a fragment (`#...`)".to_owned());
    }
    if kind == UrlKind::Issuer && tail.contains('?') {
        return Err(
            "the issuer must not contain a query (`?...`): use the provider's issuer exactly as its discovery document states it".to_owned(),
        );
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(format!(
            "http:// is only allowed for loopback hosts (localhost, 127.0.0.1, [::1]): use https://{}",
            &value[value.find("://").map_or(0, |i| i + 3)..]
        ));
    }
    Ok(())
}

/// `host[:port]` or `[v6][:port]`.
fn split_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err("the IPv6 address is missing its closing `]`".to_owned());
        };
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(format!("unexpected `{rest}` after the host")),
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err(
            "the URL has no host: give an absolute URL such as \"https://login.example.com\""
                .to_owned(),
        );
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .map(|_| ())
            .map_err(|_| format!("`{inner}` is not an IPv6 address"));
    }
    let bad = host
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '.' || *c == '_' || !c.is_ascii()));
    if let Some(c) = bad {
        return Err(format!(
            "the host `{host}` contains `{c}`, which a host name cannot contain"
        ));
    }
    let labels = host.strip_suffix('.').unwrap_or(host);
    if labels.split('.').any(str::is_empty) {
        return Err(format!("the host `{host}` has an empty label"));
    }
    Ok(())
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The issuer table oidc-core's run-time check is tested against too
    /// (`oidc-core/src/config/url_policy/issuer_cases.txt`): the two
    /// copies of the rule cannot drift apart.
    #[test]
    fn issuers_follow_the_shared_table() {
        let table = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../oidc-core/src/config/url_policy/issuer_cases.txt"
        ));
        let mut rows = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (verdict, url) = line.split_once(' ').unwrap_or((line, ""));
            assert_eq!(
                check(url, UrlKind::Issuer).is_ok(),
                verdict == "accept",
                "{url:?}"
            );
            rows += 1;
        }
        assert!(rows > 10);
    }

    #[test]
    fn redirect_uris_may_have_a_query() {
        assert_eq!(
            check("http://localhost:3000/callback?x=1", UrlKind::RedirectUri),
            Ok(())
        );
        assert!(check("http://localhost:3000/callback#x", UrlKind::RedirectUri).is_err());
    }

    #[test]
    fn http_message_suggests_https() {
        let err = check("http://login.example.com/x", UrlKind::Issuer).unwrap_err();
        assert!(err.ends_with("use https://login.example.com/x"), "{err}");
    }
}
