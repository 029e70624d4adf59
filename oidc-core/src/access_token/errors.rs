//! Why an access token or an `Authorization` header was refused, and the
//! RFC 6750 answer for it.

use crate::error::{ClaimsError, JwsError, TransportError};

/// Why an access token was refused. [`error_code`](Self::error_code) and
/// [`error_description`](Self::error_description) are what an API sends
/// back (RFC 6750 section 3.1); `Display` has the details, for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessTokenError {
    /// Not a well-formed JWS, or its header, algorithm, key or signature
    /// was refused (the same checks as for every token). The provider's
    /// keys being unavailable is [`JwsError::KeysUnavailable`]: a server
    /// problem, not the caller's (HTTP 503).
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// A claim check shared with the other tokens failed (types, `iss`,
    /// times).
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    /// The JOSE `typ` is not `at+jwt` (RFC 9068 section 4).
    #[error(
        "the token's typ is {0:?}, not at+jwt: it is not an RFC 9068 access token (configure AccessTokenType::AllowUntyped for providers that do not type their access tokens)"
    )]
    WrongType(Option<String>),
    /// The token carries a claim only ID tokens have: an ID token was sent
    /// instead of an access token.
    #[error("the token carries `{0}`: it is an ID token, not an access token")]
    IdToken(&'static str),
    /// `aud` does not contain this API's audience.
    #[error("the audience {found:?} does not include this API ({expected})")]
    WrongAudience {
        /// This API's audience.
        expected: String,
        /// The token's `aud`.
        found: Vec<String>,
    },
    /// A required scope was not granted (HTTP 403).
    #[error("the token lacks a required scope (required: {})", required.join(" "))]
    InsufficientScope {
        /// Every scope the resource requires.
        required: Vec<String>,
    },
    /// The provider's introspection endpoint answered `"active": false`
    /// (RFC 7662 section 2.2): the token is revoked, expired, unknown, or
    /// not one this API may ask about.
    #[error("the provider says the token is not active (introspection)")]
    Inactive,
    /// The introspection answer has no `aud`. Some providers omit it for
    /// opaque tokens; accept that with
    /// [`ResourceServerConfig::introspection_accepts_missing_audience`](crate::ResourceServerConfig::introspection_accepts_missing_audience).
    #[error(
        "the introspected token has no audience, so it may be meant for another API (see ResourceServerConfig::introspection_accepts_missing_audience)"
    )]
    MissingAudience,
    /// The introspection answer's `token_type` says it is a refresh token.
    #[error("the introspected token is a refresh token, not an access token")]
    RefreshToken,
    /// The introspection endpoint could not be reached, timed out, or
    /// answered an HTTP error without an OAuth error body: the provider's
    /// outage, not the caller's fault (HTTP 503).
    #[error("the token could not be introspected: {0}")]
    IntrospectionUnavailable(TransportError),
    /// The introspection endpoint refused the API's request with an OAuth
    /// error (`invalid_client`: wrong introspection credentials or
    /// method): the API's configuration is wrong (HTTP 500).
    #[error(
        "the introspection endpoint refused this API's request: {error}{} (HTTP {status}); check the introspection client id, secret and method",
        .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
    )]
    IntrospectionRefused {
        /// The OAuth error code, e.g. `invalid_client`.
        error: String,
        /// The provider's `error_description`, if any.
        description: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// The introspection answer is not a JSON object, or its `active` is
    /// missing or not a boolean (HTTP 503: the provider misbehaves).
    #[error("the introspection response is invalid: {0}")]
    IntrospectionInvalidResponse(String),
    /// The introspection request's client authentication could not be
    /// built (HTTP 500).
    #[error("the introspection request's client authentication failed: {0}")]
    IntrospectionClientAuth(String),
}

impl AccessTokenError {
    /// Whether the token could not be checked because the provider's keys
    /// are unavailable (HTTP 503), rather than refused.
    pub fn is_keys_unavailable(&self) -> bool {
        matches!(self, Self::Jws(JwsError::KeysUnavailable(_)))
    }

    /// The HTTP status of a token that could not be checked through no
    /// fault of the caller: 503 when the provider's keys or its
    /// introspection endpoint are unavailable (or answer nonsense), 500
    /// when the API's own introspection configuration is refused. `None`
    /// for a refused token (the caller's problem: 401 or 403).
    pub fn server_status(&self) -> Option<u16> {
        match self {
            Self::Jws(JwsError::KeysUnavailable(_))
            | Self::IntrospectionUnavailable(_)
            | Self::IntrospectionInvalidResponse(_) => Some(503),
            Self::IntrospectionRefused { .. } | Self::IntrospectionClientAuth(_) => Some(500),
            _ => None,
        }
    }

    /// The RFC 6750 error code: `insufficient_scope` or `invalid_token`.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::InsufficientScope { .. } => "insufficient_scope",
            _ => "invalid_token",
        }
    }

    /// A short description for the caller (RFC 6750 `error_description`):
    /// says what is wrong without echoing the token's content.
    pub fn error_description(&self) -> &'static str {
        match self {
            Self::Jws(JwsError::Malformed(_) | JwsError::InvalidHeader(_)) => {
                "the access token is not a well-formed JWT"
            }
            Self::Jws(JwsError::Encrypted) => "encrypted access tokens are not accepted",
            Self::Jws(JwsError::AlgorithmNotAllowed(_)) => {
                "the access token is signed with an algorithm this API does not accept"
            }
            Self::Jws(JwsError::CriticalHeader(_) | JwsError::EmbeddedKey(_)) => {
                "the access token header is not accepted"
            }
            Self::Jws(JwsError::KeysUnavailable(_)) => "the provider's keys are unavailable",
            Self::Jws(_) => "the access token signature does not verify",
            Self::WrongType(_) => "the token is not an access token (typ must be at+jwt)",
            Self::IdToken(_) => "an ID token is not an access token",
            Self::Claims(ClaimsError::WrongIssuer { .. }) => {
                "the access token is from another issuer"
            }
            Self::Claims(ClaimsError::Expired { .. }) => "the access token expired",
            Self::Claims(ClaimsError::NotYetValid { .. } | ClaimsError::IssuedInFuture { .. }) => {
                "the access token is not valid yet"
            }
            Self::Claims(_) => "the access token's claims are invalid",
            Self::WrongAudience { .. } => "the access token is not meant for this API",
            Self::InsufficientScope { .. } => "the access token lacks a required scope",
            Self::Inactive => "the access token is not active",
            Self::MissingAudience => "the access token is not meant for this API",
            Self::RefreshToken => "a refresh token is not an access token",
            Self::IntrospectionUnavailable(_) | Self::IntrospectionInvalidResponse(_) => {
                "the provider cannot check access tokens right now"
            }
            Self::IntrospectionRefused { .. } | Self::IntrospectionClientAuth(_) => {
                "this API cannot check access tokens"
            }
        }
    }
}

/// A request's bearer credentials were missing or refused: an HTTP status
/// and an RFC 6750 `WWW-Authenticate` challenge.
///
/// | Variant | Status | `WWW-Authenticate` |
/// | --- | --- | --- |
/// | [`MissingToken`](Self::MissingToken) (no header, or another scheme) | 401 | `Bearer realm="R"` |
/// | [`InvalidRequest`](Self::InvalidRequest) (malformed header) | 400 | `Bearer realm="R", error="invalid_request", error_description="..."` |
/// | [`Token`](Self::Token) (refused token) | 401 | `Bearer realm="R", error="invalid_token", error_description="..."` |
/// | [`Token`](Self::Token) with [`AccessTokenError::InsufficientScope`] | 403 | `Bearer realm="R", error="insufficient_scope", error_description="...", scope="a b"` |
/// | [`Token`](Self::Token) with [`JwsError::KeysUnavailable`], [`AccessTokenError::IntrospectionUnavailable`] or [`AccessTokenError::IntrospectionInvalidResponse`] | 503 | none |
/// | [`Token`](Self::Token) with [`AccessTokenError::IntrospectionRefused`] or [`AccessTokenError::IntrospectionClientAuth`] | 500 | none |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BearerError {
    /// The request has no bearer credentials: no `Authorization` header, or
    /// one with another scheme. The challenge has no error code (RFC 6750
    /// section 3.1).
    #[error("no bearer token: send `Authorization: Bearer <access token>`")]
    MissingToken,
    /// The `Authorization` header is malformed.
    #[error("malformed Authorization header: {0}")]
    InvalidRequest(&'static str),
    /// The token was refused.
    #[error("the access token was refused: {0}")]
    Token(#[from] AccessTokenError),
}

impl BearerError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::MissingToken => 401,
            Self::InvalidRequest(_) => 400,
            Self::Token(AccessTokenError::InsufficientScope { .. }) => 403,
            Self::Token(error) => error.server_status().unwrap_or(401),
        }
    }

    /// The `WWW-Authenticate` header value, or `None` when the failure is
    /// the server's (503, 500). Attribute values are quoted and limited to the
    /// characters RFC 6750 allows.
    pub fn www_authenticate(&self, realm: &str) -> Option<String> {
        let mut challenge = format!("Bearer realm=\"{}\"", quoted(realm));
        match self {
            Self::MissingToken => {}
            Self::InvalidRequest(description) => {
                challenge.push_str(&format!(
                    ", error=\"invalid_request\", error_description=\"{}\"",
                    quoted(description)
                ));
            }
            Self::Token(error) if error.server_status().is_some() => return None,
            Self::Token(error) => {
                challenge.push_str(&format!(
                    ", error=\"{}\", error_description=\"{}\"",
                    error.error_code(),
                    quoted(error.error_description())
                ));
                if let AccessTokenError::InsufficientScope { required } = error {
                    challenge.push_str(&format!(", scope=\"{}\"", quoted(&required.join(" "))));
                }
            }
        }
        Some(challenge)
    }
}

/// Keeps the characters RFC 6750 allows in attribute values (%x20-21 /
/// %x23-5B / %x5D-7E: printable ASCII without `"` and `\`).
pub(super) fn quoted(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

/// The token of an `Authorization: Bearer <token>` header value (RFC 6750
/// section 2.1). `None`, or another scheme, is [`BearerError::MissingToken`];
/// a `Bearer` header without exactly one well-formed token is
/// [`BearerError::InvalidRequest`].
///
/// ```
/// use oidc_core::access_token::{BearerError, bearer_token};
/// assert_eq!(bearer_token(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
/// assert_eq!(bearer_token(Some("bearer  abc")), Ok("abc"));
/// assert_eq!(bearer_token(None), Err(BearerError::MissingToken));
/// assert_eq!(bearer_token(Some("Basic dXNlcjpwYXNz")), Err(BearerError::MissingToken));
/// assert!(matches!(bearer_token(Some("Bearer")), Err(BearerError::InvalidRequest(_))));
/// assert!(matches!(bearer_token(Some("Bearer a b")), Err(BearerError::InvalidRequest(_))));
/// ```
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, BearerError> {
    let value = authorization.ok_or(BearerError::MissingToken)?.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(BearerError::MissingToken);
    }
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Err(BearerError::InvalidRequest(
            "the Authorization header has no token after `Bearer`",
        ));
    }
    // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_end_matches('=');
    let well_formed = !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    if !well_formed {
        return Err(BearerError::InvalidRequest(
            "the bearer token must be a single token of base64url characters",
        ));
    }
    Ok(token)
}
