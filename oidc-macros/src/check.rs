//! Checks across options and fields (serde_derive's `check.rs`): roles
//! present and unique, `from_env` able to fill every field, defaults that
//! make sense for their role.

use crate::ast::{Container, Field};
use crate::attr::{DefaultValue, Role};
use crate::ctxt::Ctxt;
use crate::url::{self, UrlKind};
use std::collections::HashMap;

/// Which field holds each role.
pub(crate) struct Roles<'c, 'a> {
    pub(crate) client_id: Option<&'c Field<'a>>,
    pub(crate) client_secret: Option<&'c Field<'a>>,
    pub(crate) redirect_uri: Option<&'c Field<'a>>,
    pub(crate) issuer: Option<&'c Field<'a>>,
}

/// Whether the struct reads the environment (then `from_env` is generated).
pub(crate) fn reads_env(cont: &Container<'_>) -> bool {
    cont.fields.iter().any(|f| f.attrs.env.is_some())
}

/// Runs every check, recording errors; returns the role assignment.
pub(crate) fn check<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>) -> Roles<'c, 'a> {
    let roles = assign_roles(cx, cont);
    check_missing_roles(cx, cont, &roles);
    check_public_client(cx, cont, &roles);
    check_defaults(cx, cont);
    check_env(cx, cont);
    roles
}

fn assign_roles<'c, 'a>(cx: &Ctxt, cont: &'c Container<'a>) -> Roles<'c, 'a> {
    let mut roles = Roles {
        client_id: None,
        client_secret: None,
        redirect_uri: None,
        issuer: None,
    };
    for field in &cont.fields {
        let Some(role) = &field.role else { continue };
        let slot = match role.value {
            Role::ClientId => &mut roles.client_id,
            Role::ClientSecret => &mut roles.client_secret,
            Role::RedirectUri => &mut roles.redirect_uri,
            Role::Issuer => &mut roles.issuer,
        };
        if let Some(first) = slot {
            cx.error_spanned_by(
                &role.tokens,
                format!(
                    "`{}` and `{}` are both {}: keep one, or rename `{}`",
                    first.ident,
                    field.ident,
                    role.value.describe(),
                    field.ident
                ),
            );
        } else {
            *slot = Some(field);
        }
    }
    if let (Some(field), Some(_)) = (roles.issuer, &cont.attrs.issuer) {
        let tokens = field.role.as_ref().map(|r| r.tokens.clone());
        cx.error_spanned_by(
            tokens,
            format!(
                "the issuer is given twice, by `issuer = \"...\"` in #[oidc_client] and by the field `{}`: keep one",
                field.ident
            ),
        );
    }
    roles
}

fn check_missing_roles(cx: &Ctxt, cont: &Container<'_>, roles: &Roles<'_, '_>) {
    let name = cont.ident;
    if roles.client_id.is_none() {
        cx.error_spanned_by(
            name,
            format!(
                "`{name}` has no client id: add a field `client_id: String` (or mark one `#[oidc(client_id)]`)"
            ),
        );
    }
    let public = cont
        .attrs
        .auth_method
        .as_ref()
        .is_some_and(|m| m.value == "None");
    if roles.client_secret.is_none() && !public {
        cx.error_spanned_by(
            name,
            format!(
                "`{name}` has no client secret: add a field `client_secret: ClientSecret` (or mark one `#[oidc(client_secret)]`), or set `auth_method = \"none\"` for a public client"
            ),
        );
    }
    if roles.redirect_uri.is_none() {
        cx.error_spanned_by(
            name,
            format!(
                "`{name}` has no redirect URI: add a field `redirect_uri: Url` (or mark one `#[oidc(redirect_uri)]`)"
            ),
        );
    }
    if roles.issuer.is_none() && !cont.attrs.issuer_written {
        cx.error_spanned_by(
            name,
            format!(
                "`{name}` has no issuer: add `issuer = \"https://login.example.com\"` to #[oidc_client(...)], or a field `issuer: String` (e.g. with `#[oidc(env = \"OIDC_ISSUER\")]`)"
            ),
        );
    }
}

fn check_public_client(cx: &Ctxt, cont: &Container<'_>, roles: &Roles<'_, '_>) {
    let Some(method) = &cont.attrs.auth_method else {
        return;
    };
    if let (Some(secret), "None") = (roles.client_secret, method.value) {
        let tokens = secret.role.as_ref().map(|r| r.tokens.clone());
        cx.error_spanned_by(
            tokens,
            format!(
                "`auth_method = \"none\"` is a public client, which has no client secret: remove `{}` or choose another auth_method",
                secret.ident
            ),
        );
    }
}

fn check_defaults(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        let (Some(role), Some(default)) = (&field.role, &field.attrs.default) else {
            continue;
        };
        match (role.value, &default.value) {
            (Role::ClientSecret, _) => cx.error_spanned_by(
                &default.tokens,
                "a client secret has no default: secrets do not belong in source code; read it with `env = \"...\"`",
            ),
            (Role::RedirectUri | Role::Issuer, DefaultValue::Literal(value)) => {
                let kind = if role.value == Role::Issuer {
                    UrlKind::Issuer
                } else {
                    UrlKind::RedirectUri
                };
                if let Err(msg) = url::check(value, kind) {
                    cx.error_spanned_by(
                        &default.tokens,
                        format!("invalid default for {}: {msg}", role.value.describe()),
                    );
                }
            }
            (Role::RedirectUri | Role::Issuer | Role::ClientId, DefaultValue::Trait) => cx
                .error_spanned_by(
                    &default.tokens,
                    format!(
                        "{} has no sensible `Default::default()` (it would be empty): give a value, `default = \"...\"`",
                        role.value.describe()
                    ),
                ),
            (Role::ClientId, DefaultValue::Literal(_)) => {}
        }
    }
}

fn check_env(cx: &Ctxt, cont: &Container<'_>) {
    let mut seen: HashMap<&str, &Field<'_>> = HashMap::new();
    for field in &cont.fields {
        let Some(env) = &field.attrs.env else {
            continue;
        };
        if let Some(first) = seen.get(env.value.as_str()) {
            cx.error_spanned_by(
                &env.tokens,
                format!(
                    "`{}` is already read by the field `{}`: give each field its own variable",
                    env.value, first.ident
                ),
            );
        } else {
            seen.insert(&env.value, field);
        }
    }
    if !reads_env(cont) {
        return;
    }
    for field in cont.fields.iter().filter(|f| !f.has_source()) {
        let suggestion = field
            .ident
            .to_string()
            .trim_start_matches("r#")
            .to_uppercase();
        cx.error_spanned_by(
            field.ident,
            format!(
                "`from_env()` cannot fill `{}`: add `#[oidc(env = \"{suggestion}\")]`, `#[oidc(default = ...)]` or `#[oidc(default)]` (or make it an `Option`)",
                field.ident
            ),
        );
    }
}
