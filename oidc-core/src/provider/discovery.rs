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
}

#[derive(Deserialize)]
struct RawMetadata {
    issuer: String,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    jwks_uri: Option<String>,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    #[serde(default)]
    response_types_supported: Vec<String>,
    response_modes_supported: Option<Vec<String>>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
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
            issuer: raw.issuer,
            prompt_values_supported: raw.prompt_values_supported,
            authorization_response_iss_parameter_supported: raw
                .authorization_response_iss_parameter_supported,
            response_modes_supported: raw.response_modes_supported,
            id_token_signing_alg_values_supported: raw.id_token_signing_alg_values_supported,
            token_endpoint_auth_methods_supported: raw.token_endpoint_auth_methods_supported,
            code_challenge_methods_supported: raw.code_challenge_methods_supported,
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
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> ClientConfig {
        ClientConfig::new("https://op.example", "cid", "https://app.example/cb").client_secret("s")
    }

    fn doc(overrides: serde_json::Value) -> Vec<u8> {
        let mut base = json!({
            "issuer": "https://op.example",
            "authorization_endpoint": "https://op.example/authorize",
            "token_endpoint": "https://op.example/token",
            "jwks_uri": "https://op.example/jwks",
            "userinfo_endpoint": "https://op.example/userinfo",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "form_post"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "prompt_values_supported": ["none", "login", "create"],
        });
        if let (Some(base), Some(extra)) = (base.as_object_mut(), overrides.as_object()) {
            for (k, v) in extra {
                if v.is_null() {
                    base.remove(k);
                } else {
                    base.insert(k.clone(), v.clone());
                }
            }
        }
        serde_json::to_vec(&base).unwrap()
    }

    #[test]
    fn discovery_url_appends_well_known() {
        let u = Url::parse("https://op.example/tenant/").unwrap();
        assert_eq!(
            discovery_url(&u).as_str(),
            "https://op.example/tenant/.well-known/openid-configuration"
        );
        let u = Url::parse("https://op.example").unwrap();
        assert_eq!(
            discovery_url(&u).as_str(),
            "https://op.example/.well-known/openid-configuration"
        );
    }

    #[test]
    fn accepts_a_good_document() {
        let m = ProviderMetadata::from_document(&doc(json!({})), &config()).unwrap();
        assert!(m.supports_prompt(Prompt::Create));
        assert!(!m.supports_prompt(Prompt::SelectAccount));
    }

    #[test]
    fn issuer_must_match_exactly() {
        let e = ProviderMetadata::from_document(
            &doc(json!({"issuer": "https://op.example/"})),
            &config(),
        );
        assert!(matches!(e, Err(DiscoveryError::IssuerMismatch { .. })));
    }

    #[test]
    fn http_endpoint_rejected_for_https_issuer() {
        let e = ProviderMetadata::from_document(
            &doc(json!({"token_endpoint": "http://op.example/token"})),
            &config(),
        );
        assert!(matches!(
            e,
            Err(DiscoveryError::InsecureEndpoint {
                field: "token_endpoint",
                ..
            })
        ));
    }

    #[test]
    fn every_endpoint_must_be_https_for_a_non_loopback_issuer() {
        for field in [
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "userinfo_endpoint",
            "end_session_endpoint",
        ] {
            for url in [
                "http://op.example/x",
                // Loopback is no excuse when the issuer itself is not.
                "http://127.0.0.1/x",
                "http://localhost/x",
                "ftp://op.example/x",
                "javascript:alert(1)",
            ] {
                let e = ProviderMetadata::from_document(&doc(json!({ field: url })), &config());
                assert!(
                    matches!(&e, Err(DiscoveryError::InsecureEndpoint { field: f, .. }) if *f == field),
                    "{field} = {url}: {e:?}"
                );
            }
        }
    }

    #[test]
    fn a_loopback_issuer_allows_http_only_on_loopback() {
        let loopback = ClientConfig::new("http://127.0.0.1:8080", "cid", "http://127.0.0.1/cb")
            .client_secret("s");
        let base = json!({
            "issuer": "http://127.0.0.1:8080",
            "authorization_endpoint": "http://127.0.0.1:8080/authorize",
            "token_endpoint": "http://localhost:8080/token",
            "jwks_uri": "http://[::1]:8080/jwks",
        });
        assert!(ProviderMetadata::from_document(&doc(base.clone()), &loopback).is_ok());
        let mut remote = base;
        remote["jwks_uri"] = json!("http://keys.example/jwks");
        assert!(matches!(
            ProviderMetadata::from_document(&doc(remote), &loopback),
            Err(DiscoveryError::InsecureEndpoint {
                field: "jwks_uri",
                ..
            })
        ));
    }

    #[test]
    fn widened_algorithm_lists_do_not_widen_the_allow_list() {
        let m = ProviderMetadata::from_document(
            &doc(json!({"id_token_signing_alg_values_supported": ["none", "HS256", "RS256"]})),
            &config(),
        )
        .unwrap();
        // Recorded as advertised; what the client accepts is the subset it
        // can verify with asymmetric keys.
        assert_eq!(m.id_token_signing_alg_values_supported.len(), 3);
        assert_eq!(
            crate::provider::negotiated::algorithms_from_metadata(
                &m.id_token_signing_alg_values_supported
            ),
            [crate::SigningAlgorithm::RS256]
        );
    }

    #[test]
    fn duplicate_members_are_refused() {
        let body = br#"{"issuer":"https://op.example","issuer":"https://evil.example"}"#;
        assert!(matches!(
            ProviderMetadata::from_document(body, &config()),
            Err(DiscoveryError::InvalidDocument(_))
        ));
    }

    #[test]
    fn missing_endpoints_are_named() {
        let e = ProviderMetadata::from_document(&doc(json!({"jwks_uri": null})), &config());
        assert!(matches!(
            e,
            Err(DiscoveryError::MissingEndpoint("jwks_uri"))
        ));
    }

    #[test]
    fn unsupported_mode_rejected() {
        let e = ProviderMetadata::from_document(
            &doc(json!({"response_modes_supported": ["query"]})),
            &config(),
        );
        assert!(matches!(
            e,
            Err(DiscoveryError::Unsupported {
                what: "response_mode",
                ..
            })
        ));
    }

    #[test]
    fn an_absent_prompt_list_is_not_an_empty_one() {
        let m = ProviderMetadata::from_document(
            &doc(json!({"prompt_values_supported": null})),
            &config(),
        )
        .unwrap();
        assert_eq!(m.prompt_values_supported, None);
        assert!(!m.supports_prompt(Prompt::Create));
    }
}
