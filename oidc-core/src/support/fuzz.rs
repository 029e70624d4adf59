//! Entry points for the fuzz targets in `fuzz/` (cargo feature `fuzzing`).
//!
//! Not an API: these functions exist so that libFuzzer can reach the
//! crate-private parsers. Each takes arbitrary bytes and must return without
//! panicking, whatever they are.

use crate::Client;
use crate::config::{ClientConfig, IssuerPolicy, ResponseMode, SigningAlgorithm};
use crate::flow::Callback;
use crate::flow::pending::{PendingLogin, SealingKey};
use crate::jose::id_token::{Expectations, IdTokenClaims, NonceCheck, token_hash};
use crate::jose::jwks::{JwksCache, KeySelection, KeySet};
use crate::jose::jws::CompactJws;
use crate::logout::backchannel::LogoutExpectations;
use crate::provider::discovery::ProviderMetadata;
use crate::provider::http::Response;
use crate::provider::userinfo::{ClaimsSource, UserInfo};
use crate::util::ExpiringSet;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

/// The fixed "now" of the claim checks, so that runs are reproducible.
const NOW: i64 = 1_700_000_000;

/// The callback parser, in both response modes, and the accessors; and the
/// `Authorization: Bearer` header parser.
pub fn callback(data: &[u8]) {
    if let Ok(callback) = Callback::from_form_post(data) {
        let _ = (callback.state(), callback.error(), callback.received_by());
        let _ = format!("{callback:?}");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // An `Authorization` header as an API receives it.
        let _ = crate::access_token::bearer_token(Some(text));
        let _ = Callback::from_query(text);
        if let Ok(url) = url::Url::parse(&format!("https://app.example/cb?{text}")) {
            let _ = Callback::from_url(&url);
        }
    }
}

/// A compact JWS: header checks against every algorithm, the claims
/// parsers (ID, access and logout tokens), every ID token claim check (as at a login with `max_age`, and as
/// at a refresh), and the UserInfo `sub` binding. The signature is not
/// checked, so the fuzzer reaches the claim checks.
///
/// The first byte picks the input's shape: even, the rest is a compact
/// token as received; odd, the rest is `header JSON 0x00 claims JSON`,
/// base64url-encoded here, so that mutations act on the JSON itself.
pub fn jws(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let token = if mode % 2 == 0 {
        let Ok(token) = std::str::from_utf8(rest) else {
            return;
        };
        token.to_owned()
    } else {
        let (header, claims) = match rest.iter().position(|b| *b == 0) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &b"{}"[..]),
        };
        format!(
            "{}.{}.c2lnbmF0dXJl",
            crate::util::b64url(header),
            crate::util::b64url(claims)
        )
    };
    let token = token.as_str();
    let Ok(jws) = CompactJws::parse(token, &SigningAlgorithm::ALL) else {
        return;
    };
    let Ok(raw) = jws.claims() else { return };
    // The same claims read as an access token and as a logout token.
    let _ = crate::access_token::AccessTokenClaims::from_map(raw.clone());
    let _ = crate::logout::LogoutToken::from_map(raw.clone());
    let _ = UserInfo::from_claims(raw.clone(), &sample_claims(), ClaimsSource::Endpoint);
    let Ok(claims) = IdTokenClaims::from_map(raw) else {
        return;
    };
    let trusted = ["api".to_owned()];
    let issuer = crate::jose::issuer::ExpectedIssuer::exact("https://op.example");
    let login = Expectations {
        issuer: &issuer,
        client_id: "cid",
        trusted_audiences: &trusted,
        algorithms: &SigningAlgorithm::ALL,
        nonce: NonceCheck::Equal("n-0S6_WzA2Mj"),
        max_age: Some(Duration::from_secs(300)),
        access_token: Some("access-token"),
        clock_tolerance: Duration::from_secs(60),
        max_token_age: Duration::from_secs(600),
        now: NOW,
    };
    let _ = claims.check(&login, jws.header.alg);
    let refresh = Expectations {
        nonce: NonceCheck::AbsentOr(Some("n-0S6_WzA2Mj")),
        max_age: None,
        access_token: None,
        ..login
    };
    let _ = claims.check(&refresh, jws.header.alg);
    let _ = crate::jose::id_token::check_same_login(&sample_claims(), &claims);
    let _ = token_hash(token, jws.header.alg);
}

/// The JWKS parser and key selection for every algorithm, with and without
/// a `kid`.
pub fn jwks(data: &[u8]) {
    let Ok(keys) = KeySet::parse(data) else {
        return;
    };
    for alg in SigningAlgorithm::ALL {
        let _ = keys.select(None, alg);
        let _ = keys.select(Some("k1"), alg);
    }
}

/// The token response parser. The first byte picks the HTTP status and
/// the content type; the rest is the body.
pub fn token_response(data: &[u8]) {
    let Some((selector, body)) = data.split_first() else {
        return;
    };
    let status = match selector % 4 {
        0 => 200,
        1 => 400,
        2 => 401,
        _ => 500,
    };
    let content_type = match (selector / 4) % 3 {
        0 => "application/json",
        1 => "application/json; charset=utf-8",
        _ => "text/html",
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    let response = Response {
        status,
        headers,
        body: bytes::Bytes::copy_from_slice(body),
    };
    if let Ok(parsed) = crate::provider::token_endpoint::parse(&response)
        && let Some(inline) = parsed.userinfo
    {
        let _ = UserInfo::from_claims(inline, &sample_claims(), ClaimsSource::Inline);
    }
}

/// The introspection response parser (RFC 7662) and the claims read from
/// an active answer, with and without an accepted missing audience. The
/// first byte picks the HTTP status and the content type; the rest is the
/// body.
pub fn introspection_response(data: &[u8]) {
    let Some((selector, body)) = data.split_first() else {
        return;
    };
    let status = match selector % 4 {
        0 | 1 => 200,
        2 => 401,
        _ => 503,
    };
    let content_type = match (selector / 4) % 3 {
        0 => "application/json",
        1 => "application/token-introspection+json",
        _ => "text/plain",
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    let response = Response {
        status,
        headers,
        body: bytes::Bytes::copy_from_slice(body),
    };
    let Ok(endpoint) = url::Url::parse("https://op.example/introspect") else {
        return;
    };
    if let Ok(object) = crate::access_token::introspection::parse(&response, &endpoint) {
        for accept_missing_audience in [false, true] {
            if let Ok(claims) = crate::AccessTokenClaims::from_introspection(
                object.clone(),
                "https://op.example",
                accept_missing_audience,
                NOW + 60,
            ) {
                let _ = claims.require_scopes(&["api"]);
                let _ = format!("{claims:?}");
            }
        }
    }
}

/// The device authorization response parser (RFC 8628 section 3.2): the
/// first byte picks the HTTP status, the content type and whether the
/// issuer is https or loopback; the rest is the body.
pub fn device_authorization(data: &[u8]) {
    let Some((selector, body)) = data.split_first() else {
        return;
    };
    let status = match selector % 3 {
        0 => 200,
        1 => 400,
        _ => 503,
    };
    let content_type = if (selector / 3) % 2 == 0 {
        "application/json"
    } else {
        "text/plain"
    };
    let issuer = if (selector / 6) % 2 == 0 {
        "https://op.example"
    } else {
        "http://127.0.0.1:9000"
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    let response = Response {
        status,
        headers,
        body: bytes::Bytes::copy_from_slice(body),
    };
    if let (Ok(endpoint), Ok(issuer)) = (
        url::Url::parse("https://op.example/device/code"),
        url::Url::parse(issuer),
    ) {
        let _ = crate::device::fuzz_parse(&response, &endpoint, &issuer);
    }
}

/// A UserInfo response as the login reads it after a verified ID token:
/// the first byte picks the status and content type, the rest is the body;
/// a parsed object is then bound to the ID token (its `sub`, its `email`
/// and `email_verified`).
pub fn userinfo(data: &[u8]) {
    let Some((selector, body)) = data.split_first() else {
        return;
    };
    let status = if selector % 4 == 3 { 401 } else { 200 };
    let content_type = match (selector / 4) % 4 {
        0 => "application/json",
        1 => "application/json; charset=UTF-8",
        2 => "application/jwt",
        _ => "text/plain",
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    let response = Response {
        status,
        headers,
        body: bytes::Bytes::copy_from_slice(body),
    };
    if let Ok(claims) = crate::provider::userinfo::parse(&response)
        && let Ok(user) = UserInfo::from_claims(claims, &sample_claims(), ClaimsSource::Endpoint)
    {
        let _ = format!("{user:?}");
    }
}

/// A back-channel logout request body, read and verified as the endpoint
/// does, against a JWKS holding one Ed25519 key. The first byte picks the
/// shape: even, the rest is the request body as received; odd, the rest is
/// the token's claims JSON, signed here with that key (header `EdDSA`,
/// `logout+jwt`) and posted as `logout_token`, so that the fuzzer reaches
/// every claim check, the `jti` replay set and the registry's logout time.
pub fn backchannel_logout(data: &[u8]) {
    static KEY: OnceLock<Option<(Ed25519KeyPair, JwksCache)>> = OnceLock::new();
    static REPLAY: OnceLock<ExpiringSet> = OnceLock::new();
    let Some((signer, jwks)) = KEY.get_or_init(logout_signer) else {
        return;
    };
    let replay = REPLAY.get_or_init(|| ExpiringSet::with_capacity(1024));
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let body = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let header = br#"{"alg":"EdDSA","kid":"k1","typ":"logout+jwt"}"#;
        let input = format!(
            "{}.{}",
            crate::util::b64url(header),
            crate::util::b64url(rest)
        );
        let signature = signer.sign(input.as_bytes());
        let token = format!("{input}.{}", crate::util::b64url(signature.as_ref()));
        format!("logout_token={token}").into_bytes()
    };
    let content_type = if mode & 2 == 0 {
        "application/x-www-form-urlencoded"
    } else {
        "application/x-www-form-urlencoded; charset=UTF-8"
    };
    let Ok(token) = crate::logout::logout_token_from_request(Some(content_type), &body) else {
        return;
    };
    let issuer = crate::jose::issuer::ExpectedIssuer::exact("https://op.example");
    let trusted = ["api".to_owned()];
    let expect = LogoutExpectations {
        issuer: &issuer,
        client_id: "cid",
        trusted_audiences: &trusted,
        algorithms: &SigningAlgorithm::ALL,
        clock_tolerance: Duration::from_secs(60),
        max_token_age: Duration::from_secs(600),
        now: NOW,
    };
    // The keys are preloaded: verification completes without waiting.
    let verify = crate::logout::backchannel::verify(&token, jwks, &expect, replay);
    let mut verify = std::pin::pin!(verify);
    let waker = std::task::Waker::noop();
    if let std::task::Poll::Ready(Ok(verified)) = verify
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker))
    {
        let _ = crate::logout::LoggedOut::from_token(&verified);
    }
}

/// The Ed25519 key of [`backchannel_logout`] (fixed, so runs are
/// reproducible) and a key cache holding its public half.
fn logout_signer() -> Option<(Ed25519KeyPair, JwksCache)> {
    let pair = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).ok()?;
    let jwks = serde_json::json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "kid": "k1", "alg": "EdDSA", "use": "sig",
        "x": crate::util::b64url(pair.public_key().as_ref()),
    }]});
    let keys = KeySet::parse(jwks.to_string().as_bytes()).ok()?;
    Some((pair, JwksCache::preloaded(keys)))
}

/// The discovery document parser and its checks, for an https issuer and
/// for a loopback http issuer.
pub fn discovery(data: &[u8]) {
    let https = ClientConfig::for_issuer("https://op.example")
        .client_id("cid")
        .redirect_uri("https://app.example/cb")
        .client_secret("secret");
    if let Ok(metadata) = ProviderMetadata::from_document(data, &https) {
        let _ = metadata.supports_response_mode(ResponseMode::Query);
        let _ = crate::provider::negotiated::Negotiated::resolve(&https, &metadata);
    }
    let loopback = ClientConfig::for_issuer("http://127.0.0.1:8080")
        .client_id("cid")
        .redirect_uri("http://127.0.0.1/cb")
        .auth_method(crate::config::AuthMethod::None)
        .response_mode(ResponseMode::Query);
    let _ = ProviderMetadata::from_document(data, &loopback);
}

/// Unsealing a pending login. The first byte picks the mode: the rest is
/// either a sealed string as it would arrive in a cookie, or a plaintext
/// that is sealed with the right key first (so the fuzzer reaches the
/// deserialization and expiry checks behind the AEAD).
pub fn pending(data: &[u8]) {
    let Ok(key) = SealingKey::from_bytes(&[7; 32]) else {
        return;
    };
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(sealed) = std::str::from_utf8(rest) {
            let _ = PendingLogin::unseal(sealed, &key);
        }
    } else if let Ok(sealed) = crate::flow::pending::seal_bytes(rest, &key) {
        let _ = PendingLogin::unseal(&sealed, &key);
    }
}

/// `Login::receive`: the callback checks of a login started by a real
/// client (response mode, `state`, expiry, single use, RFC 9207 `iss`, the
/// error and `code` parameters). The first byte picks the client (exact
/// issuer that publishes `authorization_response_iss_parameter_supported`,
/// or Google's issuer rule without it) and whether the rest arrives as a
/// form_post body or a query. Every `STATE` in the rest is replaced by the
/// login's real `state`, so the fuzzer gets past the state check.
pub fn login_receive(data: &[u8]) {
    static CLIENTS: OnceLock<Option<[Client; 2]>> = OnceLock::new();
    let Some(clients) = CLIENTS.get_or_init(receiving_clients) else {
        return;
    };
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let client = &clients[usize::from(mode % 2)];
    let Ok((_request, login)) = client.login().redirect() else {
        return;
    };
    let state = login.pending().state().secret().as_bytes();
    let mut input = Vec::with_capacity(rest.len() + state.len());
    let mut tail = rest;
    while let Some(at) = tail.windows(5).position(|w| w == b"STATE") {
        input.extend_from_slice(&tail[..at]);
        input.extend_from_slice(state);
        tail = &tail[at + 5..];
    }
    input.extend_from_slice(tail);
    let callback = if mode & 2 == 0 {
        Callback::from_form_post(&input)
    } else {
        match std::str::from_utf8(&input) {
            Ok(query) => Callback::from_query(query),
            Err(_) => return,
        }
    };
    if let Ok(callback) = callback
        && let Ok(received) = login.receive(callback)
    {
        let _ = format!("{received:?}");
    }
}

/// The two clients of [`login_receive`], built without a network from a
/// fixed discovery document.
fn receiving_clients() -> Option<[Client; 2]> {
    let client = |policy: IssuerPolicy, iss_parameter: bool| {
        let config = ClientConfig::for_issuer("https://op.example")
            .client_id("cid")
            .redirect_uri("https://app.example/cb")
            .client_secret("secret")
            .issuer_policy(policy);
        let document = serde_json::json!({
            "issuer": "https://op.example",
            "authorization_endpoint": "https://op.example/authorize",
            "token_endpoint": "https://op.example/token",
            "jwks_uri": "https://op.example/jwks",
            "response_types_supported": ["code"],
            "authorization_response_iss_parameter_supported": iss_parameter,
        });
        let metadata =
            ProviderMetadata::from_document(document.to_string().as_bytes(), &config).ok()?;
        let negotiated =
            crate::provider::negotiated::Negotiated::resolve(&config, &metadata).ok()?;
        let http = crate::provider::http::Http::from_limits(&config.limits).ok()?;
        Some(Client::with_metadata(config, metadata, negotiated, http))
    };
    Some([
        client(IssuerPolicy::Exact, true)?,
        client(IssuerPolicy::Google, false)?,
    ])
}

/// JWK parsing with signature verification: the rest after the first zero
/// byte is a compact JWS, the part before it a JWKS. Every key that fits
/// the token's algorithm (and each of the nine) parses its material and
/// verifies the signature, so malformed moduli, exponents and curve points
/// reach aws-lc-rs. The seeds pair real keys with tokens they signed.
pub fn jwk_verify(data: &[u8]) {
    let (jwks, token) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(keys) = KeySet::parse(jwks) else {
        return;
    };
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    let Some((signing_input, signature)) = token.rsplit_once('.') else {
        return;
    };
    if let Ok(jws) = CompactJws::parse(token, &SigningAlgorithm::ALL)
        && let KeySelection::Found(key) = keys.select(jws.header.kid.as_deref(), jws.header.alg)
    {
        let _ = key.verify(signing_input.as_bytes(), signature, jws.header.alg);
    }
    for alg in SigningAlgorithm::ALL {
        if let KeySelection::Found(key) = keys.select(None, alg) {
            let _ = key.verify(signing_input.as_bytes(), signature, alg);
        }
    }
}

/// The claims of a plausible earlier ID token (for `sub` binding and the
/// refresh comparison).
fn sample_claims() -> IdTokenClaims {
    IdTokenClaims {
        iss: "https://op.example".into(),
        sub: "user-1".into(),
        aud: vec!["cid".into()],
        exp: NOW + 300,
        iat: NOW,
        auth_time: Some(NOW - 10),
        nonce: Some("n-0S6_WzA2Mj".into()),
        azp: None,
        sid: None,
        email: Some("a@example.com".into()),
        email_verified: Some(true),
        raw: serde_json::Map::new(),
    }
}
