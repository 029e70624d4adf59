//! Errors of signed tokens: the JWS, its claims, and the ID token's checks.

/// Why a JWT's form, header, key or signature was refused: the checks
/// every token from the provider shares (ID, access and logout tokens).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Not a compact JWS (three base64url parts).
    #[error("not a compact JWS: {0}")]
    Malformed(&'static str),
    /// An encrypted token (JWE), which this client does not decrypt.
    #[error(
        "the token is encrypted (JWE); configure the provider to send signed, unencrypted tokens"
    )]
    Encrypted,
    /// The header is not valid.
    #[error("invalid JOSE header: {0}")]
    InvalidHeader(String),
    /// The `alg` is not in the allow-list (this includes `none` and HMAC).
    #[error("algorithm `{0}` is not allowed")]
    AlgorithmNotAllowed(String),
    /// The header has `crit` extensions this client does not understand.
    #[error("the header lists critical extensions ({0}) this client does not understand")]
    CriticalHeader(String),
    /// The header carries or points at its own key; keys come only from the provider's JWKS.
    #[error(
        "the header carries its own key material (`{0}`); keys are only taken from the provider's JWKS"
    )]
    EmbeddedKey(&'static str),
    /// No key in the JWKS matches (after one refetch).
    #[error("no key in the provider's JWKS matches kid {kid:?} and alg {alg}")]
    UnknownKey {
        /// The header's `kid`.
        kid: Option<String>,
        /// The header's `alg`.
        alg: String,
    },
    /// Several keys match and the header has no `kid` to choose.
    #[error("several keys in the JWKS fit and the token has no kid to choose between them")]
    AmbiguousKey,
    /// The provider's JWKS could not be fetched or parsed: the token cannot
    /// be checked now (a server problem, not the token's).
    #[error("the provider's JWKS is unavailable: {0}")]
    KeysUnavailable(String),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
}

/// Why a JWT's claims were refused, for the checks ID, access and logout
/// tokens share: claim types, `iss`, and the times.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsError {
    /// The payload is not a JSON object, or a claim has the wrong type.
    #[error("invalid claims: {0}")]
    Invalid(String),
    /// A required claim is missing.
    #[error("the required claim `{0}` is missing")]
    Missing(&'static str),
    /// `iss` is not the provider's issuer.
    #[error("issuer `{found}` is not `{expected}`")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// The token has expired.
    #[error("the token expired at {exp} (now {now}, tolerance {tolerance_secs}s)")]
    Expired {
        /// `exp`.
        exp: i64,
        /// The current time.
        now: i64,
        /// The clock tolerance applied.
        tolerance_secs: u64,
    },
    /// `iat` is in the future.
    #[error("the token was issued in the future (iat {iat}, now {now})")]
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
    },
    /// `iat` is older than the maximum token age.
    #[error("the token was issued too long ago (iat {iat}, now {now}, max age {max_age_secs}s)")]
    TooOld {
        /// `iat`.
        iat: i64,
        /// The current time.
        now: i64,
        /// The maximum age.
        max_age_secs: u64,
    },
    /// `nbf` is in the future.
    #[error("the token is not valid yet (nbf {nbf}, now {now})")]
    NotYetValid {
        /// `nbf`.
        nbf: i64,
        /// The current time.
        now: i64,
    },
}

/// Why an ID token was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The token's form, header, key or signature was refused.
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// A claim check shared with the other tokens failed.
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    /// The `typ` header names another kind of token.
    #[error("the header's typ is `{0}`, which is not an ID token")]
    WrongType(String),
    /// `aud` does not contain this client.
    #[error("the audience does not include this client")]
    WrongAudience,
    /// `aud` contains audiences this client does not trust.
    #[error("the audience includes `{0}`, which this client does not trust")]
    UntrustedAudience(String),
    /// `azp` is present and not this client, or missing with several audiences.
    #[error("the authorized party (azp) is not this client")]
    WrongAuthorizedParty,
    /// `nonce` is missing or differs from the login's nonce (replay defence).
    #[error("the nonce does not match this login")]
    NonceMismatch,
    /// `nonce` is present where none was sent (refresh).
    #[error("the token carries a nonce although none was expected")]
    UnexpectedNonce,
    /// `auth_time` is older than the requested `max_age`.
    #[error("the user authenticated too long ago (auth_time {auth_time}, max_age {max_age_secs}s)")]
    AuthTooOld {
        /// `auth_time`.
        auth_time: i64,
        /// The requested max age.
        max_age_secs: u64,
    },
    /// `auth_time` is in the future (it would satisfy any `max_age`).
    #[error("the user authenticated in the future (auth_time {auth_time}, now {now})")]
    AuthTimeInFuture {
        /// `auth_time`.
        auth_time: i64,
        /// The current time.
        now: i64,
    },
    /// `at_hash` does not match the access token.
    #[error("at_hash does not match the access token")]
    AccessTokenHashMismatch,
    /// A refreshed ID token changed a claim that must stay the same (OIDC Core 12.2).
    #[error("the refreshed ID token changed `{0}`")]
    RefreshChanged(&'static str),
    /// The login asked for `acr_values` and the ID token's `acr` is none of
    /// them, or absent (OpenID Connect Core 3.1.3.7 step 12, 5.5.1.1): the
    /// provider authenticated the user at another level than requested.
    #[error(
        "the ID token's acr is {}, not one of the requested acr_values ({})",
        .received.as_deref().map_or_else(|| "absent".to_owned(), |acr| format!("`{acr}`")),
        .requested.join(" ")
    )]
    AcrNotSatisfied {
        /// The `acr_values` the login sent.
        requested: Vec<String>,
        /// The token's `acr`; `None` when it has none.
        received: Option<String>,
    },
}
