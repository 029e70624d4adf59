//! Stable, machine-readable names for errors: the `check` field of the
//! "login refused" event and the `outcome` field of the provider spans.
//!
//! A name says which check failed, never with what value: it is safe to
//! log, to count and to alert on. Names are part of the API: once
//! published, a name keeps its meaning (new variants get new names).

use super::{
    AuthorizeError, CallbackError, ClaimsError, ConfigError, DeviceError, DiscoveryError, Error,
    IdTokenError, JwsError, PendingLoginError, StoreError, TokenError, TransportError,
};

/// What the tracing helpers need of an error: its stable name.
pub(crate) trait CheckName {
    /// See the inherent `check_name` methods.
    fn check_name(&self) -> &'static str;
}

macro_rules! check_name_trait {
    ($($ty:ty),* $(,)?) => {$(
        impl CheckName for $ty {
            fn check_name(&self) -> &'static str {
                <$ty>::check_name(self)
            }
        }
    )*};
}

check_name_trait!(
    crate::AccessTokenError,
    Error,
    DiscoveryError,
    PendingLoginError,
    CallbackError,
    TokenError,
    JwsError,
    TransportError,
    DeviceError,
);

impl Error {
    /// The failed check, e.g. `state_mismatch`, `id_token.signature`,
    /// `transport.timeout`: the name of the inner error's check (see the
    /// domain enums' `check_name`). Integrations other than the login
    /// (APIs, logout tokens, loopback) are named by their domain only.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Config(e) => e.check_name(),
            Self::Discovery(e) => e.check_name(),
            Self::Authorize(e) => e.check_name(),
            Self::PendingLogin(e) => e.check_name(),
            Self::Callback(e) => e.check_name(),
            Self::Token(e) => e.check_name(),
            Self::Transport(e) => e.check_name(),
            Self::Device(e) => e.check_name(),
            Self::AccessToken(_) => "access_token",
            Self::Bearer(_) => "bearer",
            Self::LogoutToken(_) => "logout_token",
            Self::Loopback(crate::loopback::LoopbackError::Callback(e)) => e.check_name(),
            Self::Loopback(_) => "loopback",
            Self::Store(e) => e.check_name(),
            Self::ClaimsType(e) => e.check_name(),
        }
    }
}

impl crate::AccessTokenError {
    /// `access_token.*` for the checks of an API's bearer tokens
    /// (`access_token.expired`, `access_token.aud`,
    /// `access_token.insufficient_scope`...), `jws.*` for the signature
    /// checks, `introspection.*` for token introspection
    /// (`introspection.inactive`, `introspection.refused`...), and
    /// `transport.*` when the introspection endpoint could not be reached.
    /// (Inside [`Error`] an API's errors keep the name `access_token`.)
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Jws(e) => e.check_name(),
            Self::Claims(e) => match e {
                ClaimsError::WrongIssuer { .. } => "access_token.iss",
                ClaimsError::Expired { .. } => "access_token.expired",
                ClaimsError::NotYetValid { .. } | ClaimsError::IssuedInFuture { .. } => {
                    "access_token.not_yet_valid"
                }
                ClaimsError::Missing(_) => "access_token.missing_claim",
                _ => "access_token.invalid_claims",
            },
            Self::WrongType(_) => "access_token.typ",
            Self::IdToken(_) => "access_token.id_token",
            Self::WrongAudience { .. } => "access_token.aud",
            Self::InsufficientScope { .. } => "access_token.insufficient_scope",
            Self::Inactive => "introspection.inactive",
            Self::MissingAudience => "introspection.missing_aud",
            Self::RefreshToken => "introspection.refresh_token",
            Self::IntrospectionUnavailable(e) => e.check_name(),
            Self::IntrospectionRefused { .. } => "introspection.refused",
            Self::IntrospectionInvalidResponse(_) => "introspection.invalid_response",
            Self::IntrospectionClientAuth(_) => "introspection.client_auth",
        }
    }
}

impl DiscoveryError {
    /// `discovery.*`, or the transport's name when the document could not
    /// be fetched.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Config(_) => "config",
            Self::Transport(e) => e.check_name(),
            Self::InvalidDocument(_) => "discovery.invalid_document",
            Self::IssuerMismatch { .. } => "discovery.issuer_mismatch",
            Self::MissingEndpoint(_) => "discovery.missing_endpoint",
            Self::InsecureEndpoint { .. } => "discovery.insecure_endpoint",
            Self::Unsupported { .. } => "discovery.unsupported",
        }
    }
}

impl AuthorizeError {
    /// `authorize.*`: a login that could not start.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::PromptNotSupported { .. } => "authorize.prompt_not_supported",
            Self::PromptNoneCombined => "authorize.prompt_none_combined",
            Self::ReservedParameter(_) => "authorize.reserved_parameter",
            Self::Random => "authorize.random",
            Self::DuplicateParameter(_) => "authorize.duplicate_parameter",
        }
    }
}

impl PendingLoginError {
    /// `pending_login.*`: the login's cookie did not restore.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Malformed => "pending_login.malformed",
            Self::BadSeal => "pending_login.bad_seal",
            Self::Expired(_) => "pending_login.expired",
            Self::WrongClient => "pending_login.wrong_client",
            Self::Seal => "pending_login.seal",
        }
    }
}

impl CallbackError {
    /// The authorization response's check: `state_mismatch`,
    /// `state_replayed`, `iss_mismatch`, `access_denied` (the user
    /// cancelled), `provider_error` (any other error the provider sent),
    /// `callback.malformed`...
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Provider { error, .. } if error == "access_denied" => "access_denied",
            Self::Provider { .. } => "provider_error",
            Self::Malformed(_) => "callback.malformed",
            Self::DuplicateParameter(_) => "callback.duplicate_parameter",
            Self::UnexpectedParameter(_) => "callback.unexpected_parameter",
            Self::MissingState => "state_missing",
            Self::StateMismatch => "state_mismatch",
            Self::MissingCode => "code_missing",
            Self::IssuerMismatch { .. } => "iss_mismatch",
            Self::MissingIssuer => "iss_missing",
            Self::ResponseModeMismatch { .. } => "response_mode_mismatch",
            Self::LoginExpired => "login_expired",
            Self::AlreadyUsed => "state_replayed",
            Self::ReplayUnverifiable => "state_replay_unverifiable",
            Self::StoreUnavailable(_) => "store_unavailable",
        }
    }
}

impl TokenError {
    /// `token.*` for the token endpoint's answer (`token.invalid_grant`
    /// when the provider refused the code or refresh token), `id_token.*`
    /// for the ID token, `userinfo.*`, `revocation.*` (token revocation),
    /// `client_auth.*` (the client's secret callback or assertion failed),
    /// `transport.*`, and the callback's names for a callback refused by the
    /// shared store.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Transport(e) => e.check_name(),
            Self::Provider { error, .. } if error == "invalid_grant" => "token.invalid_grant",
            // The device flow's poll answers (RFC 8628 3.5): normal while
            // the user has not approved yet, so not a provider error.
            Self::Provider { error, .. } if error == "authorization_pending" => {
                "token.authorization_pending"
            }
            Self::Provider { error, .. } if error == "slow_down" => "token.slow_down",
            Self::Provider { .. } => "token.provider_error",
            Self::InvalidResponse(_) => "token.invalid_response",
            Self::MissingIdToken => "token.missing_id_token",
            Self::UnsupportedTokenType(_) => "token.unsupported_type",
            Self::IdToken(e) => e.check_name(),
            Self::UserInfo(_) => "userinfo.invalid",
            Self::SubjectMismatch { .. } => "userinfo.sub_mismatch",
            Self::Callback(e) => e.check_name(),
            Self::NoRefreshToken => "token.no_refresh_token",
            Self::RevocationUnsupported => "revocation.unsupported",
            Self::RevocationRefused { error, .. } if error == "unsupported_token_type" => {
                "revocation.unsupported_token_type"
            }
            Self::RevocationRefused { .. } => "revocation.refused",
            Self::ClientSecretUnavailable(_) => "client_auth.secret_unavailable",
            Self::ClientAssertion(_) => "client_auth.assertion",
        }
    }
}

impl DeviceError {
    /// `device.*` (`device.unsupported`, `device.access_denied`,
    /// `device.expired`...), the transport's name when the device
    /// authorization request failed, and the token's names (`token.*`,
    /// `id_token.*`, `userinfo.*`, `transport.*`) when polling or
    /// verification failed.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Unsupported => "device.unsupported",
            Self::Config(e) => e.check_name(),
            Self::ReservedParameter(_) => "device.reserved_parameter",
            Self::Transport(e) => e.check_name(),
            Self::Refused { .. } => "device.refused",
            Self::InvalidResponse(_) => "device.invalid_response",
            Self::AccessDenied { .. } => "device.access_denied",
            Self::Expired => "device.expired",
            Self::Token(e) => e.check_name(),
        }
    }
}

impl IdTokenError {
    /// `id_token.*` (`id_token.signature`, `id_token.nonce`,
    /// `id_token.expired`, `id_token.keys_unavailable`...), and
    /// `acr_not_satisfied`.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Jws(e) => match e {
                JwsError::Malformed(_) => "id_token.malformed",
                JwsError::Encrypted => "id_token.encrypted",
                JwsError::InvalidHeader(_) => "id_token.header",
                JwsError::AlgorithmNotAllowed(_) => "id_token.alg",
                JwsError::CriticalHeader(_) => "id_token.crit",
                JwsError::EmbeddedKey(_) => "id_token.embedded_key",
                JwsError::UnknownKey { .. } => "id_token.unknown_key",
                JwsError::AmbiguousKey => "id_token.ambiguous_key",
                JwsError::KeysUnavailable(_) => "id_token.keys_unavailable",
                JwsError::BadSignature => "id_token.signature",
            },
            Self::Claims(e) => match e {
                ClaimsError::Invalid(_) => "id_token.invalid_claims",
                ClaimsError::Missing(_) => "id_token.missing_claim",
                ClaimsError::WrongIssuer { .. } => "id_token.iss",
                ClaimsError::Expired { .. } => "id_token.expired",
                ClaimsError::IssuedInFuture { .. } => "id_token.iat_in_future",
                ClaimsError::TooOld { .. } => "id_token.too_old",
                ClaimsError::NotYetValid { .. } => "id_token.nbf",
            },
            Self::WrongType(_) => "id_token.typ",
            Self::WrongAudience => "id_token.aud",
            Self::UntrustedAudience(_) => "id_token.untrusted_aud",
            Self::WrongAuthorizedParty => "id_token.azp",
            Self::NonceMismatch => "id_token.nonce",
            Self::UnexpectedNonce => "id_token.unexpected_nonce",
            Self::AuthTooOld { .. } => "id_token.auth_time_too_old",
            Self::AuthTimeInFuture { .. } => "id_token.auth_time_in_future",
            Self::AccessTokenHashMismatch => "id_token.at_hash",
            Self::RefreshChanged(_) => "id_token.refresh_changed",
            Self::AcrNotSatisfied { .. } => "acr_not_satisfied",
        }
    }
}

impl JwsError {
    /// `jws.*`: the checks every token shares (`jws.signature`,
    /// `jws.keys_unavailable`...). Inside an ID token's error they are
    /// named `id_token.*` instead.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "jws.malformed",
            Self::Encrypted => "jws.encrypted",
            Self::InvalidHeader(_) => "jws.header",
            Self::AlgorithmNotAllowed(_) => "jws.alg",
            Self::CriticalHeader(_) => "jws.crit",
            Self::EmbeddedKey(_) => "jws.embedded_key",
            Self::UnknownKey { .. } => "jws.unknown_key",
            Self::AmbiguousKey => "jws.ambiguous_key",
            Self::KeysUnavailable(_) => "jws.keys_unavailable",
            Self::BadSignature => "jws.signature",
        }
    }
}

impl TransportError {
    /// `transport.*`: `timeout`, `connect`, `body_too_large`, `redirect`,
    /// `status`, `not_json`.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Timeout { .. } => "transport.timeout",
            Self::Connect { .. } => "transport.connect",
            Self::BodyTooLarge { .. } => "transport.body_too_large",
            Self::Redirect { .. } => "transport.redirect",
            Self::Status { .. } => "transport.status",
            Self::NotJson { .. } => "transport.not_json",
        }
    }
}

impl StoreError {
    /// `store.*`: `timeout`, `unavailable`, `invalid_url`, `corrupt`.
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::Timeout(_) => "store.timeout",
            Self::Unavailable(_) => "store.unavailable",
            Self::InvalidUrl(_) => "store.invalid_url",
            Self::Corrupt(_) => "store.corrupt",
        }
    }
}

impl ConfigError {
    /// Always `config`: a configuration error is the application's to fix,
    /// its message says what.
    pub fn check_name(&self) -> &'static str {
        "config"
    }
}

#[cfg(test)]
mod tests;
