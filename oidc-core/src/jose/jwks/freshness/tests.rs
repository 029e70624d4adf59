use super::*;
use crate::access_token::ResourceServerConfig;
use crate::config::ClientConfig;
use crate::error::ConfigError;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The default lifetime for a response with these headers.
fn lifetime(headers: &[(&str, &[u8])]) -> Duration {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    JwksPolicy::default().lifetime(&map)
}

fn cache_control(value: &str) -> Duration {
    lifetime(&[("cache-control", value.as_bytes())])
}

#[test]
fn max_age_is_honoured_within_the_range() {
    assert_eq!(cache_control("max-age=600"), Duration::from_secs(600));
    // Google's JWKS header.
    assert_eq!(
        cache_control("public, max-age=19204, must-revalidate, no-transform"),
        Duration::from_secs(19204)
    );
    // Directives are case-insensitive (RFC 9111 section 5.2).
    assert_eq!(
        cache_control("Public, Max-Age=600"),
        Duration::from_secs(600)
    );
    // Several header lines are one list.
    assert_eq!(
        lifetime(&[
            ("cache-control", b"public"),
            ("cache-control", b"max-age=300")
        ]),
        Duration::from_secs(300)
    );
}

#[test]
fn max_age_is_clamped() {
    assert_eq!(cache_control("max-age=5"), MINUTE, "at least a minute");
    assert_eq!(cache_control("max-age=0"), MINUTE);
    assert_eq!(cache_control("max-age=999999999"), DAY, "at most a day");
    assert_eq!(cache_control("max-age=18446744073709551615"), DAY);
}

#[test]
fn no_store_and_no_cache_mean_the_minimum() {
    assert_eq!(cache_control("no-store"), MINUTE);
    assert_eq!(cache_control("no-cache"), MINUTE);
    assert_eq!(cache_control("max-age=3600, no-cache"), MINUTE);
    assert_eq!(cache_control("private, no-store, max-age=86400"), MINUTE);
}

#[test]
fn the_age_header_is_subtracted() {
    // Served by a CDN that held it for 1000 s of its 3600.
    assert_eq!(
        lifetime(&[("cache-control", b"max-age=3600"), ("age", b"1000")]),
        Duration::from_secs(2600)
    );
    assert_eq!(
        lifetime(&[("cache-control", b"max-age=600"), ("age", b"7200")]),
        MINUTE
    );
    // A malformed Age is ignored.
    assert_eq!(
        lifetime(&[("cache-control", b"max-age=600"), ("age", b"-5")]),
        Duration::from_secs(600)
    );
}

#[test]
fn without_a_usable_max_age_the_default_applies() {
    assert_eq!(lifetime(&[]), HOUR);
    assert_eq!(cache_control("public"), HOUR);
    assert_eq!(cache_control("s-maxage=60"), HOUR, "for shared caches only");
    assert_eq!(cache_control("max-age=abc"), HOUR);
    assert_eq!(cache_control("max-age=-1"), HOUR);
    assert_eq!(cache_control("max-age="), HOUR);
    assert_eq!(lifetime(&[("cache-control", b"max-age=\xff")]), HOUR);
}

#[test]
fn the_configured_range_applies() {
    let policy = JwksPolicy {
        default_max_age: Duration::from_secs(5),
        min_max_age: Duration::from_secs(1),
        max_max_age: Duration::from_secs(10),
        ..JwksPolicy::default()
    };
    let mut headers = HeaderMap::new();
    assert_eq!(policy.lifetime(&headers), Duration::from_secs(5));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=2"));
    assert_eq!(policy.lifetime(&headers), Duration::from_secs(2));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=60"),
    );
    assert_eq!(policy.lifetime(&headers), Duration::from_secs(10));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    assert_eq!(policy.lifetime(&headers), Duration::from_secs(1));
}

fn client_with(default: Duration, min: Duration, max: Duration) -> Result<(), ConfigError> {
    ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .client_secret("s")
        .jwks_max_age(default, min..=max)
        .validate()
}

fn api_with(default: Duration, min: Duration, max: Duration) -> Result<(), ConfigError> {
    ResourceServerConfig::new("https://op.example", "https://api.example")
        .jwks_max_age(default, min..=max)
        .validate()
}

#[test]
fn the_range_is_validated() {
    let second = Duration::from_secs(1);
    let week = Duration::from_secs(7 * 24 * 3600);
    for check in [client_with, api_with] {
        assert_eq!(check(HOUR, MINUTE, DAY), Ok(()));
        assert_eq!(check(second, second, week), Ok(()));
        let out_of_range = |reason| {
            Err(ConfigError::InvalidDuration {
                field: "jwks_max_age",
                reason,
            })
        };
        assert_eq!(
            check(HOUR, Duration::ZERO, DAY),
            out_of_range("the minimum must be at least 1 second")
        );
        assert_eq!(
            check(HOUR, MINUTE, week + second),
            out_of_range("the maximum must be at most 7 days")
        );
        let outside = out_of_range("the default must lie between the minimum and the maximum");
        assert_eq!(check(2 * DAY, MINUTE, DAY), outside);
        assert_eq!(check(second, MINUTE, DAY), outside);
        assert_eq!(check(HOUR, DAY, MINUTE), outside, "an empty range");
    }
}

#[test]
fn the_test_clock_moves_forward() {
    let clock = Clock::default();
    let before = clock.now();
    clock.advance(HOUR);
    assert!(clock.now() >= before + HOUR);
}
