//! Code generation. Works on `proc_macro2` only, so tests can call it.
//!
//! The output is the struct (helper attributes stripped) and one
//! `const _: () = { ... };` block holding `impl OidcConfig`, a few inherent
//! functions and `impl Debug`. Every function body is one or two calls into
//! `oidc_core::__private`, where the real work is.

use crate::ast::{Container, Field};
use crate::attr::{DefaultValue, Role};
use crate::check::{self, Roles};
use crate::ctxt::Ctxt;
use crate::symbol::{OIDC, OIDC_CLIENT};
use crate::{ast, attr};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use std::panic::{AssertUnwindSafe, catch_unwind};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Path};

/// The attribute's entry point: never panics, always returns the struct.
pub(crate) fn oidc_client(args: TokenStream, item: TokenStream) -> TokenStream {
    guarded(args, item, expand)
}

/// Runs `expansion`, turning a panic into a `compile_error!` with a
/// bug-report hint next to the struct (bon's `handle_errors`): a bare
/// "proc macro panicked" has no span and loses the struct for the IDE.
pub(crate) fn guarded(
    args: TokenStream,
    item: TokenStream,
    expansion: impl FnOnce(TokenStream, TokenStream) -> TokenStream,
) -> TokenStream {
    match catch_unwind(AssertUnwindSafe(|| expansion(args, item.clone()))) {
        Ok(tokens) => tokens,
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let msg = format!(
                "#[oidc_client] panicked ({reason}); this is a bug in oidc-macros, please report it at https://github.com/oidc-rs/oidc/issues with the struct that caused it"
            );
            let error = syn::Error::new(Span::call_site(), msg).to_compile_error();
            let item = match syn::parse2::<DeriveInput>(item.clone()) {
                Ok(mut input) => {
                    strip_helpers(&mut input);
                    input.into_token_stream()
                }
                Err(_) => item,
            };
            quote!(#error #item)
        }
    }
}

/// Parses, checks and generates; on error, the errors plus the struct
/// without helper attributes plus stub impls (so code using the struct
/// does not add a second wall of errors).
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut input = match syn::parse2::<DeriveInput>(item.clone()) {
        Ok(input) => input,
        Err(err) => {
            let error = syn::Error::new(
                err.span(),
                "#[oidc_client] goes on a struct with named fields",
            )
            .to_compile_error();
            return quote!(#error #item);
        }
    };
    let cx = Ctxt::new();
    let attrs = attr::Container::from_args(&cx, args);
    let krate = attrs.krate.as_ref().map(|k| k.value.clone());
    let derives_debug = check_derives(&cx, &input);
    let output = ast::Container::from_ast(&cx, &input, attrs).and_then(|cont| {
        let roles = check::check(&cx, &cont);
        (!cx.has_errors()).then(|| generate(&cont, &roles))
    });
    let result = cx.check();
    strip_helpers(&mut input);
    match (result, output) {
        (Ok(()), Some(output)) => quote!(#input #output),
        (result, _) => {
            let errors = match result {
                Err(err) => err.to_compile_error(),
                Ok(()) => {
                    syn::Error::new(Span::call_site(), "#[oidc_client] failed").to_compile_error()
                }
            };
            let dummies = dummies(&input, krate.as_ref(), derives_debug);
            quote!(#errors #input #dummies)
        }
    }
}

/// Removes `#[oidc(...)]` from fields (and a stray one from the struct), so
/// the emitted struct compiles: an attribute macro cannot declare helper
/// attributes the way a derive does.
fn strip_helpers(input: &mut DeriveInput) {
    let keep = |attr: &syn::Attribute| !attr.path().is_ident(OIDC);
    input
        .attrs
        .retain(|a| keep(a) && !a.path().is_ident(OIDC_CLIENT));
    let strip_fields = |fields: &mut syn::Fields| {
        for field in fields.iter_mut() {
            field.attrs.retain(keep);
        }
    };
    match &mut input.data {
        Data::Struct(data) => strip_fields(&mut data.fields),
        Data::Enum(data) => {
            for variant in &mut data.variants {
                variant.attrs.retain(keep);
                strip_fields(&mut variant.fields);
            }
        }
        Data::Union(data) => {
            for field in &mut data.fields.named {
                field.attrs.retain(keep);
            }
        }
    }
}

/// Reports `#[derive(Debug)]` (the macro writes a redacting `Debug`) and a
/// second `#[oidc_client]`; returns whether `Debug` is derived.
fn check_derives(cx: &Ctxt, input: &DeriveInput) -> bool {
    let mut derives_debug = false;
    for attr in &input.attrs {
        if attr.path().is_ident(OIDC_CLIENT) {
            cx.error_spanned_by(attr, "#[oidc_client] is given twice: remove one");
        }
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) = attr
            .parse_args_with(syn::punctuated::Punctuated::<Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        for path in paths {
            if path.segments.last().is_some_and(|s| s.ident == "Debug") {
                derives_debug = true;
                cx.error_spanned_by(
                    &path,
                    "remove `Debug` from this derive: #[oidc_client] implements `Debug` itself, redacting the client secret",
                );
            }
        }
    }
    derives_debug
}

fn runtime(krate: Option<&Path>) -> TokenStream {
    match krate {
        Some(path) => quote!(#path::__private),
        None => quote!(::oidc_core::__private),
    }
}

/// The generated impls.
fn generate(cont: &Container<'_>, roles: &Roles<'_, '_>) -> TokenStream {
    let p = runtime(cont.attrs.krate.as_ref().map(|k| &k.value));
    let name = cont.ident;
    let vis = cont.vis;

    let config = client_config(cont, roles, &p);
    let prompt = match &cont.attrs.prompt {
        Some(prompt) => {
            let variant = format_ident!("{}", prompt.value);
            quote!(::core::option::Option::Some(#p::Prompt::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    let env = check::reads_env(cont).then(|| from_env(cont, &p));
    let debug = debug(cont, &p);
    let prompt_doc = match &cont.attrs.prompt {
        Some(_) => {
            "The `prompt` given to `#[oidc_client]`: pass it to `Login::prompt` when starting a login."
        }
        None => "The `prompt` given to `#[oidc_client]` (none was given).",
    };

    quote! {
        #[doc(hidden)]
        #[allow(unused_qualifications)]
        const _: () = {
            #[automatically_derived]
            impl #p::OidcConfig for #name {
                fn client_config(&self) -> ::core::result::Result<#p::ClientConfig, #p::ConfigError> {
                    #config
                }

                fn default_prompt(&self) -> ::core::option::Option<#p::Prompt> {
                    Self::DEFAULT_PROMPT
                }
            }

            #[allow(dead_code)]
            impl #name {
                #[doc = #prompt_doc]
                #vis const DEFAULT_PROMPT: ::core::option::Option<#p::Prompt> = #prompt;

                #env

                /// Validates the configuration and discovers the provider: the
                /// ready-to-use client. Call it once at start-up and share the
                /// client (it is cheap to clone).
                #vis async fn discover(&self) -> ::core::result::Result<#p::Client, #p::DiscoveryError> {
                    #p::discover(self).await
                }
            }

            #debug
        };
    }
}

/// `__private::client_config(Parts { ... })`, each role read through a call
/// spanned at the field's type, so a wrong type is reported there.
fn client_config(cont: &Container<'_>, roles: &Roles<'_, '_>, p: &TokenStream) -> TokenStream {
    let role = |field: Option<&Field<'_>>, func: &str| {
        field.map(|field| {
            let func = format_ident!("{}", func);
            let ident = field.ident;
            quote_spanned!(field.ty.span()=> #p::#func(&self.#ident))
        })
    };
    let issuer = match &cont.attrs.issuer {
        Some(lit) => {
            let value = &lit.value;
            quote!(::std::string::String::from(#value))
        }
        None => role(roles.issuer, "issuer").unwrap_or_default(),
    };
    let client_id = role(roles.client_id, "client_id");
    let client_secret = role(roles.client_secret, "client_secret")
        .unwrap_or_else(|| quote!(::core::option::Option::None));
    let redirect_uri = role(roles.redirect_uri, "redirect_uri");
    let some_or_none = |value: Option<TokenStream>| match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let scopes = some_or_none(cont.attrs.scopes.as_ref().map(|s| {
        let scopes = &s.value;
        quote!(&[#(#scopes),*])
    }));
    let variant = |value: &'static str, ty: &str| {
        let ty = format_ident!("{}", ty);
        let value = format_ident!("{}", value);
        quote!(#p::#ty::#value)
    };
    let response_mode = some_or_none(
        cont.attrs
            .response_mode
            .as_ref()
            .map(|m| variant(m.value, "ResponseMode")),
    );
    let auth_method = some_or_none(
        cont.attrs
            .auth_method
            .as_ref()
            .map(|m| variant(m.value, "AuthMethod")),
    );
    quote! {
        #p::client_config(#p::Parts {
            issuer: #issuer,
            client_id: #client_id,
            client_secret: #client_secret,
            redirect_uri: #redirect_uri,
            scopes: #scopes,
            response_mode: #response_mode,
            auth_method: #auth_method,
        })
    }
}

/// `from_env` and `from_lookup`.
fn from_env(cont: &Container<'_>, p: &TokenStream) -> TokenStream {
    let vis = cont.vis;
    let mut reads = Vec::new();
    let mut inits = Vec::new();
    let mut documented = Vec::new();
    for field in &cont.fields {
        let ident = field.ident;
        let local = format_ident!("__oidc_{}", ident.unraw());
        let ty = field.ty;
        let span = ty.span();
        let env = field.attrs.env.as_ref().map(|e| e.value.as_str());
        let default = field.attrs.default.as_ref().map(|d| &d.value);
        let literal = match default {
            Some(DefaultValue::Literal(value)) => quote!(::core::option::Option::Some(#value)),
            _ => quote!(::core::option::Option::None),
        };
        let read = match (env, default, field.option_of) {
            (Some(env), Some(DefaultValue::Trait), None) => {
                quote_spanned!(span=> __oidc_env.var_or_default::<#ty>(#env))
            }
            (Some(env), _, Some(inner)) => {
                quote_spanned!(span=> __oidc_env.optional::<#inner>(#env, #literal))
            }
            (Some(env), _, None) => quote_spanned!(span=> __oidc_env.var::<#ty>(#env, #literal)),
            (None, Some(DefaultValue::Literal(value)), inner) => {
                let field_name = ident.unraw().to_string();
                match inner {
                    Some(inner) => quote_spanned!(span=>
                        __oidc_env.literal::<#inner>(#field_name, #value).map(::core::option::Option::Some)
                    ),
                    None => quote_spanned!(span=> __oidc_env.literal::<#ty>(#field_name, #value)),
                }
            }
            (None, Some(DefaultValue::Trait), _) => quote_spanned!(span=>
                ::core::option::Option::Some(<#ty as ::core::default::Default>::default())
            ),
            (None, None, _) => quote!(::core::option::Option::Some(::core::option::Option::None)),
        };
        reads.push(quote!(let #local = #read;));
        inits.push(quote!(#ident: #local?));
        if let Some(env) = env {
            documented.push(match default {
                Some(DefaultValue::Literal(value)) => format!("`{env}` (default `{value}`)"),
                Some(DefaultValue::Trait) => format!("`{env}` (optional)"),
                None if field.option_of.is_some() => format!("`{env}` (optional)"),
                None => format!("`{env}`"),
            });
        }
    }
    let doc = format!(
        " Reads the configuration from the environment: {}.\n\n Every missing or malformed variable is reported in one `ConfigError::Environment`, naming each variable (never its value). An empty variable counts as not set.",
        documented.join(", ")
    );
    quote! {
        #[doc = #doc]
        #vis fn from_env() -> ::core::result::Result<Self, #p::ConfigError> {
            #p::from_env(|lookup| Self::from_lookup(lookup))
        }

        /// Like `from_env`, with variables looked up by `lookup` (`None`: not
        /// set): for tests, or another source of settings.
        #vis fn from_lookup(
            lookup: impl ::core::ops::Fn(&str) -> ::core::option::Option<::std::string::String>,
        ) -> ::core::result::Result<Self, #p::ConfigError> {
            let mut __oidc_env = #p::Env::new(&lookup);
            #(#reads)*
            __oidc_env.finish(|| ::core::option::Option::Some(Self { #(#inits,)* }))
        }
    }
}

/// `Debug` with the secret (and `#[oidc(redact)]` fields) replaced.
fn debug(cont: &Container<'_>, p: &TokenStream) -> TokenStream {
    let name = cont.ident;
    let name_str = name.unraw().to_string();
    let fields = cont.fields.iter().map(|field| {
        let ident = field.ident;
        let label = ident.unraw().to_string();
        let secret = field.attrs.redact
            || field
                .role
                .as_ref()
                .is_some_and(|r| r.value == Role::ClientSecret);
        if secret {
            quote!(.field(#label, &#p::Redacted))
        } else {
            let value = quote_spanned!(field.ty.span()=> #p::debug(&self.#ident));
            quote!(.field(#label, #value))
        }
    });
    quote! {
        #[automatically_derived]
        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#name_str) #(#fields)* .finish()
            }
        }
    }
}

/// Stub impls emitted next to the errors, so `Auth::from_env()` or
/// `Client::discover` calls elsewhere do not add errors of their own.
fn dummies(input: &DeriveInput, krate: Option<&Path>, derives_debug: bool) -> TokenStream {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        return TokenStream::new();
    }
    let p = runtime(krate);
    let name = &input.ident;
    let vis = &input.vis;
    let debug = (!derives_debug).then(|| {
        quote! {
            impl ::core::fmt::Debug for #name {
                fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::unimplemented!()
                }
            }
        }
    });
    quote! {
        #[doc(hidden)]
        #[allow(unused_qualifications, unused_variables, clippy::all)]
        const _: () = {
            impl #p::OidcConfig for #name {
                fn client_config(&self) -> ::core::result::Result<#p::ClientConfig, #p::ConfigError> {
                    ::core::unimplemented!()
                }
            }
            #[allow(dead_code)]
            impl #name {
                #vis const DEFAULT_PROMPT: ::core::option::Option<#p::Prompt> = ::core::option::Option::None;
                #vis fn from_env() -> ::core::result::Result<Self, #p::ConfigError> {
                    ::core::unimplemented!()
                }
                #vis fn from_lookup(
                    lookup: impl ::core::ops::Fn(&str) -> ::core::option::Option<::std::string::String>,
                ) -> ::core::result::Result<Self, #p::ConfigError> {
                    ::core::unimplemented!()
                }
                #vis async fn discover(&self) -> ::core::result::Result<#p::Client, #p::DiscoveryError> {
                    ::core::unimplemented!()
                }
            }
            #debug
        };
    }
}
