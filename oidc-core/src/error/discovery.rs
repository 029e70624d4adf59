//! Errors in the provider's metadata.

use super::{ConfigError, TransportError};

/// Discovery failed, or the provider's metadata cannot be used safely.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The configuration was invalid before anything was fetched.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The discovery document could not be fetched.
    #[error("could not fetch the provider's discovery document: {0}")]
    Transport(#[from] TransportError),
    /// The document is not valid JSON of the expected shape.
    #[error("the discovery document is invalid: {0}")]
    InvalidDocument(String),
    /// The `issuer` in the document differs from the configured issuer.
    #[error(
        "the discovery document names issuer `{found}` but the client is configured for `{expected}`: they must be equal character for character (check a trailing slash)"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer in the document.
        found: String,
    },
    /// A required endpoint is missing.
    #[error("the discovery document has no `{0}`")]
    MissingEndpoint(&'static str),
    /// An endpoint is not https (and the issuer is not loopback).
    #[error("the provider's `{field}` is not https: {url}")]
    InsecureEndpoint {
        /// Which endpoint.
        field: &'static str,
        /// Its URL.
        url: String,
    },
    /// The provider does not support something this client is configured to use.
    #[error(
        "the provider does not support {what} `{value}` (it advertises: {advertised}); change the client configuration"
    )]
    Unsupported {
        /// The kind of setting.
        what: &'static str,
        /// The configured value.
        value: String,
        /// What the provider advertises.
        advertised: String,
    },
}
