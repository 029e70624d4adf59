//! OpenID Provider metadata (OpenID Connect Discovery 1.0) and its checks.

use crate::config::{ClientConfig, Prompt, ResponseMode, endpoint_is_secure, parse_issuer};
use crate::error::{DiscoveryError, TransportError};
use crate::jose::issuer::ExpectedIssuer;
use crate::provider::http::{Http, display_url};
use bytes::Bytes;
use serde::Deserialize;
use url::Url;

/// The provider's metadata, as discovered and checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`: the configured issuer (or, under
    /// [`IssuerPolicy::EntraMultiTenant`](crate::IssuerPolicy::EntraMultiTenant),
    /// the tenant template on its origin).
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: Url,
    /// `token_endpoint`.
    pub token_endpoint: Url,
    /// `jwks_uri`.
    pub jwks_uri: Url,
    /// `userinfo_endpoint`, if any.
    pub userinfo_endpoint: Option<Url>,
    /// `end_session_endpoint` (RP-initiated logout), if any.
    pub end_session_endpoint: Option<Url>,
    /// `revocation_endpoint` (RFC 7009, published per RFC 8414), if any.
    pub revocation_endpoint: Option<Url>,
    /// `revocation_endpoint_auth_methods_supported`, if advertised (absent:
    /// the client authenticates as at the token endpoint).
    pub revocation_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `device_authorization_endpoint` (RFC 8628 section 4, device
    /// sign-in), if any.
    pub device_authorization_endpoint: Option<Url>,
    /// `prompt_values_supported`, if advertised.
    pub prompt_values_supported: Option<Vec<String>>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
    /// `response_modes_supported`, if advertised.
    pub response_modes_supported: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported` (empty when not advertised).
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// `token_endpoint_auth_methods_supported`, if advertised (absent means
    /// `client_secret_basic`).
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported`, if advertised.
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_signing_alg_values_supported`, if advertised:
    /// the algorithms of client assertions (`private_key_jwt`,
    /// `client_secret_jwt`) the token endpoint accepts.
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawMetadata {
    issuer: String,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    revocation_endpoint_auth_methods_supported: Option<Vec<String>>,
    device_authorization_endpoint: Option<String>,
    #[serde(default)]
    response_types_supported: Vec<String>,
    response_modes_supported: Option<Vec<String>>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    #[serde(default)]
    id_token_signing_alg_values_supported: Vec<String>,
    prompt_values_supported: Option<Vec<String>>,
    code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

/// Fetches an issuer's discovery document: a `200` JSON answer, or the
/// error that says why not. Clients and APIs both start here.
pub(crate) async fn fetch_document(http: &Http, issuer: &Url) -> Result<Bytes, DiscoveryError> {
    let url = discovery_url(issuer);
    let response = http.get(&url, None).await?;
    if response.status != 200 {
        return Err(TransportError::Status {
            url: display_url(&url),
            status: response.status,
        }
        .into());
    }
    if !response.is_json() {
        return Err(DiscoveryError::InvalidDocument(format!(
            "expected JSON, got content type `{}`",
            response.content_type().unwrap_or("none")
        )));
    }
    Ok(response.body)
}

/// An optional endpoint member of the metadata, held to the URL policy.
pub(crate) fn endpoint(
    field: &'static str,
    value: Option<String>,
    issuer: &Url,
) -> Result<Option<Url>, DiscoveryError> {
    let Some(value) = value else { return Ok(None) };
    let url = Url::parse(&value)
        .map_err(|e| DiscoveryError::InvalidDocument(format!("`{field}` is not a URL: {e}")))?;
    if !endpoint_is_secure(&url, issuer) {
        return Err(DiscoveryError::InsecureEndpoint { field, url: value });
    }
    Ok(Some(url))
}

/// A required endpoint member of the metadata.
pub(crate) fn required_endpoint(
    field: &'static str,
    value: Option<String>,
    issuer: &Url,
) -> Result<Url, DiscoveryError> {
    endpoint(field, value, issuer)?.ok_or(DiscoveryError::MissingEndpoint(field))
}

/// The discovery URL for an issuer (OpenID Connect Discovery 1.0 section 4).
pub(crate) fn discovery_url(issuer: &Url) -> Url {
    let mut url = issuer.clone();
    let path = issuer.path().trim_end_matches('/');
    url.set_path(&format!("{path}/.well-known/openid-configuration"));
    url
}

impl ProviderMetadata {
    /// Parses and checks a discovery document against the configuration.
    pub(crate) fn from_document(
        body: &[u8],
        config: &ClientConfig,
    ) -> Result<Self, DiscoveryError> {
        let raw: RawMetadata = serde_json::from_slice(body)
            .map_err(|e| DiscoveryError::InvalidDocument(e.to_string()))?;
        ExpectedIssuer::from_discovery(config.issuer_policy, &config.issuer, &raw.issuer)?;
        let issuer = parse_issuer(&config.issuer)?;
        let endpoint = |field, value| endpoint(field, value, &issuer);
        let required = |field, value| required_endpoint(field, value, &issuer);
        let metadata = Self {
            authorization_endpoint: required("authorization_endpoint", raw.authorization_endpoint)?,
            token_endpoint: required("token_endpoint", raw.token_endpoint)?,
            jwks_uri: required("jwks_uri", raw.jwks_uri)?,
            userinfo_endpoint: endpoint("userinfo_endpoint", raw.userinfo_endpoint)?,
            end_session_endpoint: endpoint("end_session_endpoint", raw.end_session_endpoint)?,
            revocation_endpoint: endpoint("revocation_endpoint", raw.revocation_endpoint)?,
            revocation_endpoint_auth_methods_supported: raw
                .revocation_endpoint_auth_methods_supported,
            device_authorization_endpoint: endpoint(
                "device_authorization_endpoint",
                raw.device_authorization_endpoint,
            )?,
            issuer: raw.issuer,
            prompt_values_supported: raw.prompt_values_supported,
            authorization_response_iss_parameter_supported: raw
                .authorization_response_iss_parameter_supported,
            response_modes_supported: raw.response_modes_supported,
            id_token_signing_alg_values_supported: raw.id_token_signing_alg_values_supported,
            token_endpoint_auth_methods_supported: raw.token_endpoint_auth_methods_supported,
            code_challenge_methods_supported: raw.code_challenge_methods_supported,
            token_endpoint_auth_signing_alg_values_supported: raw
                .token_endpoint_auth_signing_alg_values_supported,
        };

        if !raw.response_types_supported.iter().any(|t| t == "code") {
            return Err(DiscoveryError::Unsupported {
                what: "response_type",
                value: "code".into(),
                advertised: raw.response_types_supported.join(", "),
            });
        }
        if let Some(modes) = &metadata.response_modes_supported {
            check_supported("response_mode", config.response_mode.as_str(), modes)?;
        }
        Ok(metadata)
    }

    /// Whether the provider advertises a `prompt` value in
    /// `prompt_values_supported` (`false` when it publishes no list).
    pub fn supports_prompt(&self, prompt: Prompt) -> bool {
        self.prompt_values_supported
            .as_ref()
            .is_some_and(|values| values.iter().any(|p| p == prompt.as_str()))
    }

    /// Whether the provider advertises a response mode (assumed when the
    /// provider does not list any).
    pub fn supports_response_mode(&self, mode: ResponseMode) -> bool {
        self.response_modes_supported
            .as_ref()
            .is_none_or(|modes| modes.iter().any(|m| m == mode.as_str()))
    }
}

fn check_supported(
    what: &'static str,
    value: &str,
    advertised: &[String],
) -> Result<(), DiscoveryError> {
    if advertised.iter().any(|a| a == value) {
        Ok(())
    } else {
        Err(DiscoveryError::Unsupported {
            what,
            value: value.to_owned(),
            advertised: advertised.join(", "),
        })
    }
}

#[cfg(test)]
mod tests;
