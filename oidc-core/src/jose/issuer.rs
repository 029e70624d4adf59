//! Which `iss` values belong to the configured provider.
//!
//! OpenID Connect requires the `iss` of every token to equal the issuer
//! exactly, and that stays the default. Two widely used providers publish
//! issuers that a literal comparison cannot match, so each gets a typed,
//! opt-in [`IssuerPolicy`] whose rule is as narrow as that provider's
//! documentation allows.

use crate::error::DiscoveryError;

use url::Url;

/// How the `iss` of tokens (and of authorization responses, RFC 9207) is
/// matched against the provider's issuer. The default is [`IssuerPolicy::Exact`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IssuerPolicy {
    /// `iss` equals the issuer character for character (OpenID Connect Core
    /// 3.1.3.7 step 2). Right for every provider that follows the
    /// specification, including Microsoft Entra ID configured with one tenant.
    #[default]
    Exact,
    /// Google: `iss` is the issuer, or the issuer without its scheme
    /// (Google's ID tokens may carry `accounts.google.com` instead of
    /// `https://accounts.google.com`, as its documentation says). Nothing
    /// else is accepted: not another host, path or scheme.
    Google,
    /// Microsoft Entra ID's multi-tenant endpoints (`common`,
    /// `organizations`, `consumers`): the discovery document's `issuer` is a
    /// template such as `https://login.microsoftonline.com/{tenantid}/v2.0`,
    /// and each token's `iss` must equal that template filled with the same
    /// token's `tid` claim. The template must be on the configured issuer's
    /// origin. Which tenants may sign in is the application's decision:
    /// read `tid` from the claims.
    EntraMultiTenant,
}

crate::config::protocol_names!(IssuerPolicy, "issuer policy", {
    Exact => "exact",
    Google => "google",
    EntraMultiTenant => "entra_multi_tenant",
});

/// The placeholder of Entra's templated issuer.
const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// The issuer rule of one client, fixed at discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExpectedIssuer {
    rule: Rule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    Exact(String),
    /// The issuer and the same without `scheme://`.
    WithSchemelessAlias {
        issuer: String,
        alias: String,
    },
    /// A template holding `{tenantid}` exactly once.
    TenantTemplate(String),
}

impl ExpectedIssuer {
    /// The rule for a discovery document that names `published` as its
    /// issuer, for a client configured with `configured`.
    pub(crate) fn from_discovery(
        policy: IssuerPolicy,
        configured: &str,
        published: &str,
    ) -> Result<Self, DiscoveryError> {
        let mismatch = || DiscoveryError::IssuerMismatch {
            expected: configured.to_owned(),
            found: published.to_owned(),
        };
        let rule = match policy {
            IssuerPolicy::Exact if published == configured => Rule::Exact(configured.to_owned()),
            IssuerPolicy::Google if published == configured => match configured.split_once("://") {
                Some((_, alias)) if !alias.is_empty() => Rule::WithSchemelessAlias {
                    issuer: configured.to_owned(),
                    alias: alias.to_owned(),
                },
                _ => Rule::Exact(configured.to_owned()),
            },
            // A tenant-specific endpoint publishes its own issuer: exact.
            IssuerPolicy::EntraMultiTenant if published == configured => {
                Rule::Exact(configured.to_owned())
            }
            IssuerPolicy::EntraMultiTenant => {
                if published.matches(TENANT_PLACEHOLDER).count() != 1
                    || !same_origin(configured, published)
                {
                    return Err(mismatch());
                }
                Rule::TenantTemplate(published.to_owned())
            }
            _ => return Err(mismatch()),
        };
        Ok(Self { rule })
    }

    /// An exact rule, for verifiers built without discovery (tests, benches).
    #[cfg(any(test, feature = "bench", feature = "fuzzing"))]
    pub(crate) fn exact(issuer: &str) -> Self {
        Self {
            rule: Rule::Exact(issuer.to_owned()),
        }
    }

    /// Whether [`accepts`](Self::accepts) needs the token's `tid`.
    pub(crate) fn reads_tid(&self) -> bool {
        matches!(self.rule, Rule::TenantTemplate(_))
    }

    /// Whether a token's `iss` is this provider's; `tid` is the same token's
    /// `tid` claim (only the tenant template reads it).
    pub(crate) fn accepts(&self, iss: &str, tid: Option<&str>) -> bool {
        match &self.rule {
            Rule::Exact(issuer) => iss == issuer,
            Rule::WithSchemelessAlias { issuer, alias } => iss == issuer || iss == alias,
            Rule::TenantTemplate(template) => {
                tid.filter(|tid| is_tenant_id(tid)).is_some_and(|tid| {
                    let (before, after) = template
                        .split_once(TENANT_PLACEHOLDER)
                        .unwrap_or((template.as_str(), ""));
                    iss.len() == before.len() + tid.len() + after.len()
                        && iss.starts_with(before)
                        && iss.ends_with(after)
                        && &iss[before.len()..iss.len() - after.len()] == tid
                })
            }
        }
    }

    /// Whether the `iss` authorization response parameter (RFC 9207) names
    /// this provider. The response carries no `tid`, so under a tenant
    /// template any tenant of the template matches here; the ID token,
    /// verified next, binds the tenant.
    pub(crate) fn accepts_response_iss(&self, iss: &str) -> bool {
        match &self.rule {
            Rule::TenantTemplate(template) => {
                let (before, after) = template
                    .split_once(TENANT_PLACEHOLDER)
                    .unwrap_or((template.as_str(), ""));
                iss.len() > before.len() + after.len()
                    && iss.starts_with(before)
                    && iss.ends_with(after)
                    && is_tenant_id(&iss[before.len()..iss.len() - after.len()])
            }
            _ => self.accepts(iss, None),
        }
    }

    /// The expected value, for error messages.
    pub(crate) fn describe(&self) -> &str {
        match &self.rule {
            Rule::Exact(issuer) | Rule::WithSchemelessAlias { issuer, .. } => issuer,
            Rule::TenantTemplate(template) => template,
        }
    }
}

/// A tenant id fills one path segment: letters, digits and `-` (Entra's are
/// GUIDs), so filling the template cannot change anything but that segment.
fn is_tenant_id(tid: &str) -> bool {
    !tid.is_empty()
        && tid.len() <= 64
        && tid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
