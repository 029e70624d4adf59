//! Client assertions at the token and revocation endpoints (RFC 7523
//! section 3, OpenID Connect Core 1.0 section 9): `private_key_jwt`,
//! checked with the client's registered public JWK, and
//! `client_secret_jwt`, HS256 with the client's secret.
//!
//! Checked like a careful provider: the type URN; the signature with the
//! registered key (the `alg` from the key's type only, never `none`, HMAC
//! only for a secret); `iss` = `sub` = the client; `aud` the token endpoint
//! or the issuer; `exp` present, in the future and at most five minutes
//! away; `jti` present and never seen before (remembered until `exp`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::config::{ClientAuthMethod, DevClient};
use crate::oauth_error::OAuthError;
use crate::params::Params;
use crate::state::AppState;
use crate::util::now_secs;

/// The only `client_assertion_type` (RFC 7523 section 2.2).
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The furthest `exp` accepted: a longer-lived assertion is a bearer
/// credential worth stealing.
const MAX_LIFETIME_SECS: u64 = 300;

/// The algorithms published in `token_endpoint_auth_signing_alg_values_supported`.
pub(crate) const ALGORITHMS: [&str; 6] = ["RS256", "PS256", "ES256", "ES384", "EdDSA", "HS256"];

/// The algorithms a public JWK verifies, from its type (and its `alg`,
/// when it has one).
pub(crate) fn algorithms(jwk: &Value) -> Result<Vec<Algorithm>, String> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    if jwk.get("d").is_some() {
        return Err("the registered JWK must be public (it has `d`)".into());
    }
    let by_type = match (member("kty"), member("crv")) {
        (Some("RSA"), _) => vec![Algorithm::RS256, Algorithm::PS256],
        (Some("EC"), Some("P-256")) => vec![Algorithm::ES256],
        (Some("EC"), Some("P-384")) => vec![Algorithm::ES384],
        (Some("OKP"), Some("Ed25519")) => vec![Algorithm::EdDSA],
        (kty, crv) => {
            return Err(format!(
                "unsupported JWK type {kty:?} (crv {crv:?}) for private_key_jwt"
            ));
        }
    };
    serde_json::from_value::<Jwk>(jwk.clone())
        .map_err(|e| format!("the JWK does not parse: {e}"))?;
    match member("alg") {
        None => Ok(by_type),
        Some(alg) => alg
            .parse::<Algorithm>()
            .ok()
            .filter(|a| by_type.contains(a))
            .map(|a| vec![a])
            .ok_or_else(|| format!("the JWK's alg {alg} does not fit its key type")),
    }
}

/// Authenticates the client of a request carrying `client_assertion`:
/// the client and the method it used.
pub(crate) fn authenticate(
    state: &AppState,
    params: &Params,
) -> Result<(DevClient, ClientAuthMethod), OAuthError> {
    if params.get("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(OAuthError::invalid_client(format!(
            "client_assertion_type must be {ASSERTION_TYPE}."
        )));
    }
    let assertion = params
        .get("client_assertion")
        .ok_or_else(|| OAuthError::invalid_client("client_assertion is missing."))?;
    let unverified = unverified_claims(assertion)?;
    let client_id = unverified
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| OAuthError::invalid_client("The client assertion has no iss."))?;
    if params.get("client_id").is_some_and(|id| id != client_id) {
        return Err(OAuthError::invalid_client(
            "client_id does not match the client assertion's iss.",
        ));
    }
    let client = state
        .client(client_id)
        .ok_or_else(|| OAuthError::invalid_client("Unknown client or wrong credentials."))?;
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| OAuthError::invalid_client("The client assertion's header is malformed."))?;
    let (method, key, allowed) = if header.alg == Algorithm::HS256 {
        let secret = client
            .secret
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                OAuthError::invalid_client(
                    "This client has no secret to sign an HS256 assertion with.",
                )
            })?;
        (
            ClientAuthMethod::ClientSecretJwt,
            DecodingKey::from_secret(secret.as_bytes()),
            vec![Algorithm::HS256],
        )
    } else {
        let jwk = client.jwk.as_ref().ok_or_else(|| {
            OAuthError::invalid_client("This client has no registered key for private_key_jwt.")
        })?;
        let allowed = algorithms(jwk).map_err(OAuthError::invalid_client)?;
        let key = serde_json::from_value::<Jwk>(jwk.clone())
            .ok()
            .and_then(|jwk| DecodingKey::from_jwk(&jwk).ok())
            .ok_or_else(|| OAuthError::server_error("The client's key cannot be used."))?;
        (ClientAuthMethod::PrivateKeyJwt, key, allowed)
    };
    if !allowed.contains(&header.alg) {
        return Err(OAuthError::invalid_client(format!(
            "The assertion's alg {:?} does not fit the client's key.",
            header.alg
        )));
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_aud = false;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(assertion, &key, &validation)
        .map_err(|e| OAuthError::invalid_client(format!("The client assertion is invalid: {e}.")))?
        .claims;
    check_claims(state, &client, &claims)?;
    Ok((client, method))
}

/// The claims' checks after the signature: subject, audience, lifetime,
/// single use.
fn check_claims(
    state: &AppState,
    client: &DevClient,
    claims: &Map<String, Value>,
) -> Result<(), OAuthError> {
    let string = |name: &str| claims.get(name).and_then(Value::as_str);
    if string("iss") != Some(client.id.as_str()) || string("sub") != Some(client.id.as_str()) {
        return Err(OAuthError::invalid_client(
            "The client assertion's iss and sub must both be the client id.",
        ));
    }
    let token_endpoint = state.endpoint(state.paths.token);
    let acceptable = |aud: &str| aud == token_endpoint || aud == state.issuer;
    let aud_ok = match claims.get("aud") {
        Some(Value::String(aud)) => acceptable(aud),
        Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(acceptable),
        _ => false,
    };
    if !aud_ok {
        return Err(OAuthError::invalid_client(format!(
            "The client assertion's aud must be {token_endpoint} or {}.",
            state.issuer
        )));
    }
    let now = now_secs();
    let exp = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
    if exp <= now {
        return Err(OAuthError::invalid_client(
            "The client assertion has expired.",
        ));
    }
    if exp > now + MAX_LIFETIME_SECS {
        return Err(OAuthError::invalid_client(format!(
            "The client assertion's exp is more than {MAX_LIFETIME_SECS} seconds away."
        )));
    }
    let jti = string("jti")
        .filter(|j| !j.is_empty())
        .ok_or_else(|| OAuthError::invalid_client("The client assertion has no jti."))?;
    if !state.first_use_of_assertion(&client.id, jti, exp) {
        return Err(OAuthError::invalid_client(
            "The client assertion was already used (jti replayed).",
        ));
    }
    Ok(())
}

/// The claims before the signature is checked: only to find the client
/// whose key checks it.
fn unverified_claims(assertion: &str) -> Result<Map<String, Value>, OAuthError> {
    let malformed = || OAuthError::invalid_client("The client assertion is not a JWS.");
    let mut parts = assertion.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
    serde_json::from_slice(&bytes).map_err(|_| malformed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_algorithm_follows_the_key_type() {
        let rsa = json!({ "kty": "RSA", "n": "sXch", "e": "AQAB" });
        assert_eq!(
            algorithms(&rsa).expect("rsa"),
            [Algorithm::RS256, Algorithm::PS256]
        );
        let ec = json!({ "kty": "EC", "crv": "P-384", "x": "AA", "y": "AA" });
        assert_eq!(algorithms(&ec).expect("ec"), [Algorithm::ES384]);
        let mut pinned = rsa.clone();
        pinned["alg"] = "PS256".into();
        assert_eq!(algorithms(&pinned).expect("pinned"), [Algorithm::PS256]);
        pinned["alg"] = "HS256".into();
        assert!(algorithms(&pinned).is_err());
        let mut private = ec;
        private["d"] = "AA".into();
        assert!(algorithms(&private).is_err());
        assert!(algorithms(&json!({ "kty": "oct", "k": "AA" })).is_err());
    }

    #[test]
    fn an_assertion_must_be_three_parts() {
        for bad in ["a.b", "a.b.c.d", "a.!!.c", "a.bm90IGpzb24.c"] {
            assert!(unverified_claims(bad).is_err(), "{bad}");
        }
    }
}
