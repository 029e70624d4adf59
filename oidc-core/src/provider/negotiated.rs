//! What the client uses with one provider, decided once at discovery: the
//! application's explicit choice where it made one, otherwise what the
//! provider's metadata says (OpenID Connect Discovery 1.0 defaults where
//! the metadata is silent). Strict only where a specification says MUST.

use crate::config::{AuthMethod, ClientConfig, SigningAlgorithm};
use crate::error::DiscoveryError;
use crate::jose::issuer::ExpectedIssuer;
use crate::provider::discovery::ProviderMetadata;

/// The settings a [`Client`](crate::Client) runs with.
#[derive(Debug, Clone)]
pub(crate) struct Negotiated {
    /// How the client authenticates at the token endpoint.
    pub(crate) auth_method: AuthMethod,
    /// The algorithm of `private_key_jwt` assertions: the first the
    /// client's key signs that the provider lists (`None` without a key,
    /// or when none fits and the key is not the token endpoint's method).
    pub(crate) key_algorithm: Option<SigningAlgorithm>,
    /// The signature algorithms accepted for ID and logout tokens.
    pub(crate) algorithms: Vec<SigningAlgorithm>,
    /// The `iss` rule of tokens and authorization responses.
    pub(crate) issuer: ExpectedIssuer,
}

impl Negotiated {
    pub(crate) fn resolve(
        config: &ClientConfig,
        metadata: &ProviderMetadata,
    ) -> Result<Self, DiscoveryError> {
        let issuer =
            ExpectedIssuer::from_discovery(config.issuer_policy, &config.issuer, &metadata.issuer)?;
        let auth_method = auth_method(config, metadata)?;
        let key_algorithm = assertion_algorithm(config, metadata, auth_method)?;
        let algorithms = match &config.algorithms {
            Some(explicit) => explicit.clone(),
            None => algorithms_from_metadata(&metadata.id_token_signing_alg_values_supported),
        };
        if let Some(methods) = &metadata.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            // RFC 9700 2.1.1: S256 is always the right challenge; a provider
            // that cannot check it answers at its token endpoint.
            tracing::warn!(
                advertised = %methods.join(", "),
                "the provider does not list S256 in code_challenge_methods_supported; sending S256 anyway (RFC 9700)"
            );
        }
        tracing::info!(
            issuer = %config.issuer,
            client_id = %config.client_id,
            auth_method = %auth_method,
            assertion_alg = ?key_algorithm.map(SigningAlgorithm::as_str),
            chosen_by = if config.auth_method.is_some() { "configuration" } else { "provider metadata" },
            algorithms = ?algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            "OpenID Connect client ready"
        );
        Ok(Self {
            auth_method,
            key_algorithm,
            algorithms,
            issuer,
        })
    }
}

/// The provider's advertised ID-token algorithms that this crate verifies
/// (never `none` or HMAC, which cannot be named here); RS256, which every
/// provider must support (Discovery 1.0 section 3), when it lists none of them.
pub(crate) fn algorithms_from_metadata(advertised: &[String]) -> Vec<SigningAlgorithm> {
    let usable: Vec<SigningAlgorithm> = SigningAlgorithm::ALL
        .into_iter()
        .filter(|alg| advertised.iter().any(|a| a == alg.as_str()))
        .collect();
    if usable.is_empty() {
        if !advertised.is_empty() {
            tracing::warn!(
                advertised = %advertised.join(", "),
                "the provider lists no asymmetric ID token algorithm; accepting RS256 only"
            );
        }
        vec![SigningAlgorithm::RS256]
    } else {
        usable
    }
}

/// The token endpoint authentication method: the configured one, checked
/// against the provider's list; else `private_key_jwt` for a client with a
/// key when listed; else, for a client with a secret, the guide's
/// `client_secret_post` when listed, `client_secret_basic` when listed or
/// when there is no list (its default, Discovery 1.0 section 3),
/// `client_secret_jwt` when it is the only secret method listed; `none` for
/// a client with neither.
fn auth_method(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
) -> Result<AuthMethod, DiscoveryError> {
    let advertised = metadata.token_endpoint_auth_methods_supported.as_deref();
    let lists =
        |method: AuthMethod| advertised.is_some_and(|l| l.iter().any(|m| m == method.as_str()));
    let unsupported = |value: &str| DiscoveryError::Unsupported {
        what: "token endpoint auth method",
        value: value.to_owned(),
        advertised: advertised.map_or_else(
            || "client_secret_basic (by default: no token_endpoint_auth_methods_supported)".into(),
            |l| l.join(", "),
        ),
    };
    let has_key = config.private_key.is_some();
    let explicit = match config.auth_method {
        Some(method) => method,
        None if has_key && lists(AuthMethod::PrivateKeyJwt) => {
            return Ok(AuthMethod::PrivateKeyJwt);
        }
        // A key is the client's only proof: nothing else would do.
        None if has_key && !config.has_secret() => {
            return Err(unsupported("private_key_jwt"));
        }
        // Without a secret or key the client is public: `none` is the only method.
        None if !config.has_secret() => AuthMethod::None,
        None => {
            return match advertised {
                None => Ok(AuthMethod::ClientSecretBasic),
                Some(_) if lists(AuthMethod::ClientSecretPost) => Ok(AuthMethod::ClientSecretPost),
                Some(_) if lists(AuthMethod::ClientSecretBasic) => {
                    Ok(AuthMethod::ClientSecretBasic)
                }
                Some(_) if lists(AuthMethod::ClientSecretJwt) => Ok(AuthMethod::ClientSecretJwt),
                Some(_) => Err(unsupported(
                    "client_secret_post, client_secret_basic or client_secret_jwt",
                )),
            };
        }
    };
    match (explicit, advertised) {
        (method, Some(_)) if lists(method) => Ok(method),
        // No list: the provider's own documentation is the authority for the
        // methods the application insists on (the guide's provider uses
        // `client_secret_post` and may not publish the list); `none` is
        // never implied.
        (
            AuthMethod::ClientSecretPost
            | AuthMethod::ClientSecretBasic
            | AuthMethod::PrivateKeyJwt
            | AuthMethod::ClientSecretJwt,
            None,
        ) => Ok(explicit),
        (AuthMethod::None, _) if config.auth_method.is_none() => Err(unsupported(
            "none (no client secret is configured: set one, or register a public client)",
        )),
        (method, _) => Err(unsupported(method.as_str())),
    }
}

/// The algorithm of the client's assertions: for `private_key_jwt`, the
/// first of the key's algorithms the provider lists in
/// `token_endpoint_auth_signing_alg_values_supported` (the key's first
/// without a list); for `client_secret_jwt`, HS256, which must be listed
/// when there is a list. An error only when `method` cannot be used.
fn assertion_algorithm(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    method: AuthMethod,
) -> Result<Option<SigningAlgorithm>, DiscoveryError> {
    let listed = metadata
        .token_endpoint_auth_signing_alg_values_supported
        .as_deref();
    let lists = |alg: &str| listed.is_none_or(|l| l.iter().any(|a| a == alg));
    let unsupported = |value: String| DiscoveryError::Unsupported {
        what: "token endpoint auth signing alg",
        value,
        advertised: listed.map(|l| l.join(", ")).unwrap_or_default(),
    };
    if method == AuthMethod::ClientSecretJwt && !lists("HS256") {
        return Err(unsupported("HS256 (client_secret_jwt)".into()));
    }
    let Some(key) = &config.private_key else {
        return Ok(None);
    };
    let chosen = key
        .algorithms()
        .iter()
        .copied()
        .find(|alg| lists(alg.as_str()));
    if chosen.is_none() && method == AuthMethod::PrivateKeyJwt {
        let can = key
            .algorithms()
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(unsupported(format!("{can} (what the client's key signs)")));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests;
