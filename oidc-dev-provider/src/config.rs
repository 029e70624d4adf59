//! Client registrations and signing algorithms.

use std::collections::BTreeSet;
use std::fmt;

/// A JWS algorithm the provider can sign tokens with.
///
/// The provider always holds one key of each kind and publishes all three in
/// its JWKS; the algorithm picks which one signs a given token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over a 2048-bit RSA key (the default,
    /// and the one every OpenID Connect client must support).
    #[default]
    RS256,
    /// ECDSA over P-256 with SHA-256.
    ES256,
    /// EdDSA over Ed25519.
    EdDSA,
}

impl SigningAlg {
    /// Every algorithm, in the order they appear in the JWKS.
    pub const ALL: [SigningAlg; 3] = [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::EdDSA];

    /// The JOSE name (`"RS256"`, `"ES256"`, `"EdDSA"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::RS256 => "RS256",
            SigningAlg::ES256 => "ES256",
            SigningAlg::EdDSA => "EdDSA",
        }
    }

    /// Parse a JOSE name.
    pub fn from_name(name: &str) -> Option<Self> {
        SigningAlg::ALL.into_iter().find(|a| a.as_str() == name)
    }

    pub(crate) fn jwt_alg(self) -> jsonwebtoken::Algorithm {
        match self {
            SigningAlg::RS256 => jsonwebtoken::Algorithm::RS256,
            SigningAlg::ES256 => jsonwebtoken::Algorithm::ES256,
            SigningAlg::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a client authenticates at the token endpoint
/// (`token_endpoint_auth_method`, OpenID Connect Registration 1.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientAuthMethod {
    /// `client_id` and `client_secret` as form fields in the request body.
    ClientSecretPost,
    /// HTTP Basic with the form-urlencoded client id and secret
    /// (RFC 6749 section 2.3.1).
    ClientSecretBasic,
    /// No authentication: a public client sends only `client_id` (and must
    /// use PKCE).
    None,
    /// A JWT signed with the client's private key, checked with its
    /// registered public JWK ([`DevClient::jwk`]; RFC 7523).
    PrivateKeyJwt,
    /// A JWT signed HS256 with the client's secret.
    ClientSecretJwt,
}

impl ClientAuthMethod {
    /// The registered name (`client_secret_post`, `client_secret_basic`,
    /// `none`, `private_key_jwt`, `client_secret_jwt`).
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuthMethod::ClientSecretPost => "client_secret_post",
            ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
            ClientAuthMethod::None => "none",
            ClientAuthMethod::PrivateKeyJwt => "private_key_jwt",
            ClientAuthMethod::ClientSecretJwt => "client_secret_jwt",
        }
    }
}

impl fmt::Display for ClientAuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client (relying party) registered with the provider.
///
/// ```
/// use oidc_dev_provider::{DevClient, SigningAlg};
///
/// let web = DevClient::confidential("web-app", "s3cret")
///     .redirect_uri("http://localhost:3000/callback")
///     .post_logout_redirect_uri("http://localhost:3000/")
///     .id_token_alg(SigningAlg::ES256);
/// let cli = DevClient::public("cli").redirect_uri("http://127.0.0.1:8400/callback");
/// # let _ = (web, cli);
/// ```
///
/// Its `Debug` output never shows the secret.
#[derive(Clone)]
pub struct DevClient {
    pub(crate) id: String,
    pub(crate) secret: Option<String>,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) auth_methods: BTreeSet<ClientAuthMethod>,
    pub(crate) id_token_alg: Option<SigningAlg>,
    pub(crate) post_logout_redirect_uris: Vec<String>,
    pub(crate) backchannel_logout_uri: Option<String>,
    pub(crate) access_token_audience: Option<String>,
    /// The public key of `private_key_jwt` (a JWK), if registered.
    pub(crate) jwk: Option<serde_json::Value>,
}

impl DevClient {
    /// A confidential client: authenticates at the token endpoint with its
    /// secret, by `client_secret_post`, `client_secret_basic` or
    /// `client_secret_jwt`.
    pub fn confidential(id: impl Into<String>, secret: impl Into<String>) -> Self {
        DevClient {
            id: id.into(),
            secret: Some(secret.into()),
            redirect_uris: Vec::new(),
            auth_methods: [
                ClientAuthMethod::ClientSecretPost,
                ClientAuthMethod::ClientSecretBasic,
                ClientAuthMethod::ClientSecretJwt,
            ]
            .into(),
            id_token_alg: None,
            post_logout_redirect_uris: Vec::new(),
            backchannel_logout_uri: None,
            access_token_audience: None,
            jwk: None,
        }
    }

    /// A public client (native or command-line app): no secret, token
    /// endpoint authentication `none`, PKCE required.
    pub fn public(id: impl Into<String>) -> Self {
        DevClient {
            secret: None,
            auth_methods: [ClientAuthMethod::None].into(),
            ..DevClient::confidential(id, String::new())
        }
    }

    /// A client that authenticates with `private_key_jwt` only: assertions
    /// signed with the private half of `jwk` (a public JWK: `kty` `RSA`,
    /// `EC` with `crv` `P-256` or `P-384`, or `OKP` `Ed25519`). No secret.
    pub fn private_key_jwt(id: impl Into<String>, jwk: serde_json::Value) -> Self {
        DevClient {
            secret: None,
            auth_methods: [ClientAuthMethod::PrivateKeyJwt].into(),
            ..DevClient::confidential(id, String::new())
        }
        .jwk(jwk)
    }

    /// Registers the client's public JWK and allows `private_key_jwt`
    /// besides its other methods. The assertion's `alg` must fit the key's
    /// type: RS256 or PS256 for RSA, ES256 for P-256, ES384 for P-384,
    /// EdDSA for Ed25519 (and the JWK's `alg`, when it has one).
    pub fn jwk(mut self, jwk: serde_json::Value) -> Self {
        self.jwk = Some(jwk);
        self.auth_methods.insert(ClientAuthMethod::PrivateKeyJwt);
        self
    }

    /// The quickstart client: `demo-client` / `demo-secret`, redirecting to
    /// `http://localhost:3000/callback`.
    pub fn demo() -> Self {
        DevClient::confidential("demo-client", "demo-secret")
            .redirect_uri("http://localhost:3000/callback")
            .post_logout_redirect_uri("http://localhost:3000/")
    }

    /// Register a redirect URI. Repeatable; the authorization request's
    /// `redirect_uri` must equal one of them exactly (no normalisation),
    /// except that a registered `http` loopback IP URI such as
    /// `http://127.0.0.1/callback` matches any port (RFC 8252 section 7.3).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Restrict the token endpoint authentication methods this client may use.
    ///
    /// Defaults: `client_secret_post` and `client_secret_basic` for a
    /// confidential client, `none` for a public one.
    pub fn auth_methods(mut self, methods: impl IntoIterator<Item = ClientAuthMethod>) -> Self {
        self.auth_methods = methods.into_iter().collect();
        self
    }

    /// The algorithm the client's ID tokens are signed with
    /// (`id_token_signed_response_alg`). Defaults to the provider's
    /// [`DevProviderBuilder::signing_alg`](crate::DevProviderBuilder::signing_alg).
    pub fn id_token_alg(mut self, alg: SigningAlg) -> Self {
        self.id_token_alg = Some(alg);
        self
    }

    /// Register a `post_logout_redirect_uri` (repeatable, exact match).
    pub fn post_logout_redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.post_logout_redirect_uris.push(uri.into());
        self
    }

    /// Where the provider POSTs back-channel logout tokens for this client.
    pub fn backchannel_logout_uri(mut self, uri: impl Into<String>) -> Self {
        self.backchannel_logout_uri = Some(uri.into());
        self
    }

    /// The `aud` of the access tokens issued to this client (a resource
    /// indicator). Defaults to the issuer followed by `/api`.
    pub fn access_token_audience(mut self, aud: impl Into<String>) -> Self {
        self.access_token_audience = Some(aud.into());
        self
    }

    /// The client id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the client can authenticate: it has a secret or a key.
    pub fn is_confidential(&self) -> bool {
        self.secret.is_some() || self.jwk.is_some()
    }

    /// The registered redirect URIs.
    pub fn redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }

    /// Check the registration makes sense before the provider accepts it.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.id.is_empty() {
            return Err("a client id must not be empty".into());
        }
        if self.redirect_uris.is_empty() {
            return Err(format!("client {:?} has no redirect URI", self.id));
        }
        if self.auth_methods.is_empty() {
            return Err(format!(
                "client {:?} allows no authentication method",
                self.id
            ));
        }
        let needs_secret = self
            .auth_methods
            .iter()
            .any(|m| !matches!(m, ClientAuthMethod::None | ClientAuthMethod::PrivateKeyJwt));
        if self.auth_methods.contains(&ClientAuthMethod::PrivateKeyJwt) {
            let jwk = self.jwk.as_ref().ok_or_else(|| {
                format!("client {:?} uses private_key_jwt but has no JWK", self.id)
            })?;
            crate::client_assertion::algorithms(jwk)
                .map_err(|e| format!("client {:?}: {e}", self.id))?;
        }
        if needs_secret && self.secret.as_deref().is_none_or(str::is_empty) {
            return Err(format!(
                "client {:?} uses a secret-based method but has no secret",
                self.id
            ));
        }
        let uris = self
            .redirect_uris
            .iter()
            .chain(&self.post_logout_redirect_uris)
            .chain(&self.backchannel_logout_uri);
        for uri in uris {
            let parsed = url::Url::parse(uri).map_err(|e| {
                format!("client {:?}: {uri:?} is not an absolute URL: {e}", self.id)
            })?;
            if parsed.fragment().is_some() {
                return Err(format!(
                    "client {:?}: {uri:?} must not have a fragment",
                    self.id
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for DevClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevClient")
            .field("id", &self.id)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("redirect_uris", &self.redirect_uris)
            .field("auth_methods", &self.auth_methods)
            .field("id_token_alg", &self.id_token_alg)
            .field("post_logout_redirect_uris", &self.post_logout_redirect_uris)
            .field("backchannel_logout_uri", &self.backchannel_logout_uri)
            .field("access_token_audience", &self.access_token_audience)
            .field("jwk", &self.jwk)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_secret() {
        let c = DevClient::confidential("a", "hunter2").redirect_uri("http://x/cb");
        let s = format!("{c:?}");
        assert!(!s.contains("hunter2"), "{s}");
        assert!(s.contains("[redacted]"));
    }

    #[test]
    fn validation() {
        assert!(DevClient::demo().validate().is_ok());
        assert!(DevClient::public("p").validate().is_err());
        assert!(
            DevClient::public("p")
                .redirect_uri("http://127.0.0.1/cb")
                .validate()
                .is_ok()
        );
        assert!(
            DevClient::confidential("c", "")
                .redirect_uri("http://x/cb")
                .validate()
                .is_err()
        );
        assert!(
            DevClient::confidential("c", "s")
                .redirect_uri("/relative")
                .validate()
                .is_err()
        );
        assert!(
            DevClient::confidential("c", "s")
                .redirect_uri("http://x/cb#f")
                .validate()
                .is_err()
        );
    }
}
