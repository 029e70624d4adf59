//! `#[oidc_client(...)]` and `#[oidc(...)]` turned into typed values.
//!
//! The parsers never stop at the first mistake: each one is recorded in the
//! [`Ctxt`] and parsing goes on with the next option, so the user sees every
//! problem of the struct in one compile (serde_derive's `attr.rs`).

use crate::ctxt::Ctxt;
use crate::suggest::did_you_mean;
use crate::symbol::*;
use crate::url::{self, UrlKind};
use proc_macro2::{Group, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{LitStr, Path, Token};

/// A parsed value and the user's tokens it came from, for error spans.
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) tokens: TokenStream,
}

/// One option: set at most once; a second occurrence is an error at the
/// second (serde_derive's `Attr`).
struct Attr<T> {
    name: &'static str,
    value: Option<Spanned<T>>,
}

impl<T> Attr<T> {
    fn none(name: &'static str) -> Self {
        Self { name, value: None }
    }

    fn set(&mut self, cx: &Ctxt, key: &Path, tokens: impl ToTokens, value: T) {
        if self.value.is_some() {
            cx.error_spanned_by(
                key,
                format!("`{}` is given twice: remove one of them", self.name),
            );
        } else {
            self.value = Some(Spanned {
                value,
                tokens: tokens.into_token_stream(),
            });
        }
    }

    /// Whether the option was given, for a duplicate check before parsing
    /// its value.
    fn is_set(&self) -> bool {
        self.value.is_some()
    }

    fn get(self) -> Option<Spanned<T>> {
        self.value
    }
}

// ----- the container: #[oidc_client(...)] ---------------------------------

/// The options of `#[oidc_client(...)]`.
pub(crate) struct Container {
    /// A literal issuer URL.
    pub(crate) issuer: Option<Spanned<String>>,
    /// `issuer` was written, valid or not (no "missing issuer" error then).
    pub(crate) issuer_written: bool,
    pub(crate) scopes: Option<Spanned<Vec<String>>>,
    /// Variant names of `oidc_core::ResponseMode`, `Prompt`, `AuthMethod`.
    pub(crate) response_mode: Option<Spanned<&'static str>>,
    pub(crate) prompt: Option<Spanned<&'static str>>,
    pub(crate) auth_method: Option<Spanned<&'static str>>,
    pub(crate) krate: Option<Spanned<Path>>,
}

impl Container {
    /// Parses the attribute's arguments.
    pub(crate) fn from_args(cx: &Ctxt, args: TokenStream) -> Self {
        let mut issuer = Attr::none(ISSUER);
        let mut scopes = Attr::none(SCOPES);
        let mut response_mode = Attr::none(RESPONSE_MODE);
        let mut prompt = Attr::none(PROMPT);
        let mut auth_method = Attr::none(AUTH_METHOD);
        let mut krate = Attr::none(CRATE);
        let mut issuer_written = false;

        let parser = syn::meta::parser(|meta| {
            let key = meta.path.clone();
            match key_name(&key).as_str() {
                ISSUER => {
                    issuer_written = true;
                    if meta.input.peek(syn::token::Paren) {
                        cx.error_spanned_by(
                            &key,
                            "the issuer is read from the environment through a field: \
                             add `#[oidc(env = \"OIDC_ISSUER\")] issuer: String` to the struct",
                        );
                        skip_value(&meta);
                    } else if let Some(lit) =
                        lit_str(cx, &meta, ISSUER, "\"https://login.example.com\"")
                    {
                        match url::check(&lit.value(), UrlKind::Issuer) {
                            Ok(()) => issuer.set(cx, &key, &lit, lit.value()),
                            Err(msg) => {
                                cx.error_spanned_by(&lit, format!("invalid issuer: {msg}"));
                            }
                        }
                    }
                }
                SCOPES => parse_scopes(cx, &meta, &mut scopes),
                RESPONSE_MODE => {
                    choice(cx, &meta, &mut response_mode, RESPONSE_MODES);
                }
                PROMPT => choice(cx, &meta, &mut prompt, PROMPTS),
                AUTH_METHOD => choice(cx, &meta, &mut auth_method, AUTH_METHODS),
                CRATE => {
                    if let Some(lit) = lit_str(cx, &meta, CRATE, "\"::oidc_core\"") {
                        match lit.parse::<Path>() {
                            Ok(path) => krate.set(cx, &key, &lit, path),
                            Err(_) => cx.error_spanned_by(
                                &lit,
                                format!(
                                    "`{}` is not a path: give the path of oidc-core, e.g. crate = \"::oidc_core\"",
                                    lit.value()
                                ),
                            ),
                        }
                    }
                }
                other => {
                    unknown_option(cx, &key, other, Place::Container);
                    skip_value(&meta);
                }
            }
            Ok(())
        });
        if let Err(err) = parser.parse2(args) {
            cx.syn_error(err);
        }

        Self {
            issuer: issuer.get(),
            issuer_written,
            scopes: scopes.get(),
            response_mode: response_mode.get(),
            prompt: prompt.get(),
            auth_method: auth_method.get(),
            krate: krate.get(),
        }
    }
}

fn parse_scopes(cx: &Ctxt, meta: &ParseNestedMeta<'_>, scopes: &mut Attr<Vec<String>>) {
    let key = &meta.path;
    const EXAMPLE: &str = "scopes(\"openid\", \"email\")";
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            key,
            format!("write the scopes as a list of string literals: `{EXAMPLE}`"),
        );
        skip_value(meta);
        return;
    }
    let Ok(group) = meta.input.parse::<Group>() else {
        return;
    };
    if scopes.is_set() {
        scopes.set(cx, key, TokenStream::new(), Vec::new());
        return;
    }
    let all = quote!(#key #group);
    let list = match Punctuated::<LitStr, Token![,]>::parse_terminated.parse2(group.stream()) {
        Ok(list) => list,
        Err(err) => {
            cx.error_at(err.span(), format!("expected string literals: `{EXAMPLE}`"));
            return;
        }
    };
    let mut values: Vec<String> = Vec::new();
    for lit in &list {
        let scope = lit.value();
        if scope.is_empty()
            || scope
                .chars()
                .any(|c| c == ' ' || c == '"' || c == '\\' || !(' '..='~').contains(&c))
        {
            cx.error_spanned_by(
                lit,
                format!(
                    "invalid scope {scope:?}: a scope is one non-empty word without spaces, quotes or backslashes; give each scope as its own string"
                ),
            );
        } else if values.contains(&scope) {
            cx.error_spanned_by(lit, format!("scope {scope:?} is listed twice: remove one"));
        } else {
            values.push(scope);
        }
    }
    if !list.iter().any(|lit| lit.value() == "openid") {
        cx.error_spanned_by(
            &all,
            "the scopes must include \"openid\" (OpenID Connect requires it): `scopes(\"openid\", ...)`",
        );
    }
    scopes.set(cx, key, all, values);
}

fn choice(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    attr: &mut Attr<&'static str>,
    choices: &'static [(&'static str, &'static str)],
) {
    let name = attr.name;
    let example = format!("\"{}\"", choices[0].0);
    let Some(lit) = lit_str(cx, meta, name, &example) else {
        return;
    };
    let value = lit.value();
    match choices.iter().find(|(v, _)| *v == value) {
        Some((_, variant)) => attr.set(cx, &meta.path, &lit, variant),
        None => {
            if let Some((.., why)) = UNSUPPORTED
                .iter()
                .find(|(option, v, _)| *option == name && *v == value)
            {
                cx.error_spanned_by(&lit, format!("{name} {value:?} {why}"));
                return;
            }
            let names: Vec<&str> = choices.iter().map(|(v, _)| *v).collect();
            let hint = did_you_mean(&value, &names, "\"");
            let msg = if hint.is_empty() {
                format!("unknown {name} {value:?}: the choices are {}", list(&names))
            } else {
                format!(
                    "unknown {name} {value:?}:{hint} (the choices are {})",
                    list(&names)
                )
            };
            cx.error_spanned_by(&lit, msg);
        }
    }
}

/// `"a", "b" and "c"`.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

// ----- fields: #[oidc(...)] -------------------------------------------------

/// What a field is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    ClientId,
    ClientSecret,
    RedirectUri,
    Issuer,
}

impl Role {
    pub(crate) const ALL: [Role; 4] = [
        Role::ClientId,
        Role::ClientSecret,
        Role::RedirectUri,
        Role::Issuer,
    ];

    /// The option and conventional field name.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Role::ClientId => CLIENT_ID,
            Role::ClientSecret => CLIENT_SECRET,
            Role::RedirectUri => REDIRECT_URI,
            Role::Issuer => ISSUER,
        }
    }

    /// In prose.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Role::ClientId => "the client id",
            Role::ClientSecret => "the client secret",
            Role::RedirectUri => "the redirect URI",
            Role::Issuer => "the issuer",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// A `default`.
pub(crate) enum DefaultValue {
    /// `default`: `Default::default()`.
    Trait,
    /// `default = "literal"` (or a number or bool), parsed with `FromStr`
    /// at run time.
    Literal(String),
}

/// The options of a field's `#[oidc(...)]` attributes.
pub(crate) struct Field {
    /// A role marker (`client_id`, ...).
    pub(crate) role: Option<Spanned<Role>>,
    pub(crate) env: Option<Spanned<String>>,
    pub(crate) default: Option<Spanned<DefaultValue>>,
    pub(crate) redact: bool,
}

impl Field {
    /// Parses every `#[oidc(...)]` of the field.
    pub(crate) fn from_ast(cx: &Ctxt, field: &syn::Field) -> Self {
        let mut role = Attr::none("role");
        let mut env = Attr::none(ENV);
        let mut default = Attr::none(DEFAULT);
        let mut redact = Attr::none(REDACT);

        for attr in field.attrs.iter().filter(|a| a.path().is_ident(OIDC)) {
            if !matches!(attr.meta, syn::Meta::List(_)) {
                cx.error_spanned_by(
                    attr,
                    "write the field options in parentheses, e.g. `#[oidc(env = \"AUTH_CLIENT_ID\")]`",
                );
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                let key = meta.path.clone();
                let name = key_name(&key);
                if let Some(r) = Role::from_key(&name) {
                    // Even with a stray value the marker says what the field
                    // is: keep the role, so no "missing" error follows.
                    flag(cx, &meta, &name, role_flag_hint(r));
                    if let Some(first) = &role.value {
                        let first: Role = first.value;
                        let msg = if first == r {
                            format!("`{name}` is given twice: remove one of them")
                        } else {
                            format!(
                                "a field has one role, and this one is already {}: remove `{name}`",
                                first.describe()
                            )
                        };
                        cx.error_spanned_by(&key, msg);
                    } else {
                        role.set(cx, &key, &key, r);
                    }
                    return Ok(());
                }
                match name.as_str() {
                    ENV => {
                        if let Some(lit) = lit_str(cx, &meta, ENV, "\"AUTH_CLIENT_ID\"") {
                            let value = lit.value();
                            env.set(cx, &key, &lit, value.clone());
                            if !is_env_name(&value) {
                                cx.error_spanned_by(
                                    &lit,
                                    format!(
                                        "{value:?} is not an environment variable name: use letters, digits and `_`, not starting with a digit, e.g. \"AUTH_CLIENT_ID\""
                                    ),
                                );
                            }
                        }
                    }
                    DEFAULT => {
                        if meta.input.peek(Token![=]) {
                            if let Some((tokens, value)) = default_literal(cx, &meta) {
                                default.set(cx, &key, tokens, DefaultValue::Literal(value));
                            }
                        } else if meta.input.peek(syn::token::Paren) {
                            cx.error_spanned_by(
                                &key,
                                "write `default = \"value\"` (parsed like the environment variable), or `default` alone for `Default::default()`",
                            );
                            skip_value(&meta);
                        } else {
                            default.set(cx, &key, &key, DefaultValue::Trait);
                        }
                    }
                    REDACT => {
                        if flag(cx, &meta, REDACT, "it hides the field's value in `Debug` output") {
                            redact.set(cx, &key, &key, ());
                        }
                    }
                    other => {
                        unknown_option(cx, &key, other, Place::Field);
                        skip_value(&meta);
                    }
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }

        Self {
            role: role.get(),
            env: env.get(),
            default: default.get(),
            redact: redact.get().is_some(),
        }
    }
}

fn role_flag_hint(role: Role) -> &'static str {
    match role {
        Role::ClientId => "it marks this field as the client id",
        Role::ClientSecret => "it marks this field as the client secret",
        Role::RedirectUri => "it marks this field as the redirect URI",
        Role::Issuer => {
            "it marks this field as the issuer (a literal issuer goes in #[oidc_client(issuer = \"...\")])"
        }
    }
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `default = "text"`, `default = 8080`, `default = -1`, `default = true`.
fn default_literal(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> Option<(TokenStream, String)> {
    let tokens = value_tokens(cx, meta, DEFAULT, "\"demo\"")?;
    let parsed = (|input: syn::parse::ParseStream<'_>| {
        let minus: Option<Token![-]> = input.parse()?;
        let lit: syn::Lit = input.parse()?;
        Ok((minus, lit))
    })
    .parse2(tokens.clone());
    let text = match parsed {
        Ok((None, syn::Lit::Str(s))) => Some(s.value()),
        Ok((None, syn::Lit::Bool(b))) => Some(b.value.to_string()),
        Ok((None, syn::Lit::Char(c))) => Some(c.value().to_string()),
        Ok((minus, syn::Lit::Int(i))) => Some(format!(
            "{}{}",
            if minus.is_some() { "-" } else { "" },
            i.base10_digits()
        )),
        Ok((minus, syn::Lit::Float(f))) => Some(format!(
            "{}{}",
            if minus.is_some() { "-" } else { "" },
            f.base10_digits()
        )),
        _ => None,
    };
    if text.is_none() {
        cx.error_spanned_by(
            &tokens,
            "expected a literal: `default = \"demo\"`, `default = 8080` or `default = true` (it is parsed like the environment variable), or `default` alone for `Default::default()`",
        );
    }
    text.map(|t| (tokens, t))
}

// ----- shared helpers ------------------------------------------------------

/// Where an option was written, for "unknown option" messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Container,
    Field,
}

fn unknown_option(cx: &Ctxt, key: &Path, name: &str, place: Place) {
    let (here, known, elsewhere) = match place {
        Place::Container => ("#[oidc_client(...)]", CONTAINER_OPTIONS, FIELD_OPTIONS),
        Place::Field => ("#[oidc(...)]", FIELD_OPTIONS, CONTAINER_OPTIONS),
    };
    let msg = if elsewhere.contains(&name) {
        match place {
            Place::Container => format!(
                "`{name}` is a field option: put it on a field, as `#[oidc({name}{})]`",
                if name == ENV { " = \"...\"" } else { "" }
            ),
            Place::Field => {
                format!(
                    "`{name}` is an option of the struct: put it in `#[oidc_client({name} ...)]`"
                )
            }
        }
    } else {
        let hint = did_you_mean(name, known, "`");
        if hint.is_empty() {
            format!(
                "unknown option `{name}` in {here}: the options are {}",
                known.join(", ")
            )
        } else {
            format!("unknown option `{name}` in {here}:{hint}")
        }
    };
    cx.error_spanned_by(key, msg);
}

/// The key as written (`crate`, `scopes`, `a::b`).
fn key_name(path: &Path) -> String {
    match path.get_ident() {
        Some(ident) => ident.to_string(),
        None => path.to_token_stream().to_string().replace(' ', ""),
    }
}

/// A bare flag such as `client_id`; an error (and `false`) if a value
/// follows.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, name: &str, what: &str) -> bool {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(&meta.path, format!("`{name}` takes no value: {what}"));
        skip_value(meta);
        return false;
    }
    true
}

/// The tokens after `key =`, up to the next comma. Reports `key` without
/// `=` and returns `None`.
fn value_tokens(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    key: &str,
    example: &str,
) -> Option<TokenStream> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(&meta.path, format!("expected `{key} = {example}`"));
        skip_value(meta);
        return None;
    }
    let eq: Token![=] = meta.input.parse().ok()?;
    let tokens = take_until_comma(meta);
    if tokens.is_empty() {
        cx.error_spanned_by(
            quote!(#eq),
            format!("expected a value: `{key} = {example}`"),
        );
        return None;
    }
    Some(tokens)
}

/// `key = "string"`; reports anything else.
fn lit_str(cx: &Ctxt, meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> Option<LitStr> {
    let tokens = value_tokens(cx, meta, key, example)?;
    match syn::parse2::<LitStr>(tokens.clone()) {
        Ok(lit) => Some(lit),
        Err(_) => {
            cx.error_spanned_by(
                &tokens,
                format!(
                    "expected a string literal: `{key} = {example}` (the macro checks the value at compile time, so it must be written here)"
                ),
            );
            None
        }
    }
}

/// Consumes whatever follows a key (`= ...` or `(...)`) so parsing can go
/// on with the next option.
fn skip_value(meta: &ParseNestedMeta<'_>) {
    if meta.input.peek(Token![=]) {
        let _ = meta.input.parse::<Token![=]>();
    }
    let _ = take_until_comma(meta);
}

fn take_until_comma(meta: &ParseNestedMeta<'_>) -> TokenStream {
    meta.input
        .step(|cursor| {
            let mut rest = *cursor;
            let mut tokens = TokenStream::new();
            while let Some((tt, next)) = rest.token_tree() {
                if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                    break;
                }
                tokens.extend([tt]);
                rest = next;
            }
            Ok((tokens, rest))
        })
        .unwrap_or_default()
}
