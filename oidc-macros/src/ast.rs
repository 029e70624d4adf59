//! The struct as the macro sees it: its fields with their parsed options and
//! roles, next to the original `syn` tree for error spans.

use crate::attr::{self, Role, Spanned};
use crate::ctxt::Ctxt;
use quote::ToTokens;
use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

/// An `#[oidc_client]` struct.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) attrs: attr::Container,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One named field.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    pub(crate) attrs: attr::Field,
    /// The role, from a marker or else from the field's name, with the
    /// tokens that gave it.
    pub(crate) role: Option<Spanned<Role>>,
    /// `T` when the type is written `Option<T>`.
    pub(crate) option_of: Option<&'a Type>,
}

impl<'a> Container<'a> {
    /// `None` (with errors recorded) for anything but a non-generic struct
    /// with named fields.
    pub(crate) fn from_ast(
        cx: &Ctxt,
        input: &'a DeriveInput,
        attrs: attr::Container,
    ) -> Option<Self> {
        for attr in &input.attrs {
            if attr.path().is_ident(crate::symbol::OIDC) {
                cx.error_spanned_by(
                    attr,
                    "`#[oidc(...)]` goes on fields; put the struct's options in `#[oidc_client(...)]`",
                );
            }
        }
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "#[oidc_client] needs named fields, whose names say what each value is: `struct Auth { client_id: String, client_secret: ClientSecret, redirect_uri: Url }`",
                    );
                    None
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[oidc_client] needs a struct with named fields, at least `client_id: String`, `client_secret: ClientSecret` and `redirect_uri: Url`",
                    );
                    None
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "#[oidc_client] goes on a struct with named fields, not an enum: write one struct per provider configuration",
                );
                None
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "#[oidc_client] goes on a struct with named fields, not a union",
                );
                None
            }
        };
        let generics = &input.generics;
        if !generics.params.is_empty() || generics.where_clause.is_some() {
            let mut tokens = generics.to_token_stream();
            if let Some(where_clause) = &generics.where_clause {
                where_clause.to_tokens(&mut tokens);
            }
            cx.error_spanned_by(
                tokens,
                "#[oidc_client] does not support generic parameters or lifetimes: the configuration must be a concrete `'static` type (the web glue keeps it in shared state); use concrete field types",
            );
            return None;
        }
        let named = named?;
        let fields = named
            .named
            .iter()
            .filter_map(|field| Field::from_ast(cx, field))
            .collect();
        Some(Self {
            ident: &input.ident,
            vis: &input.vis,
            attrs,
            fields,
        })
    }
}

impl<'a> Field<'a> {
    fn from_ast(cx: &Ctxt, field: &'a syn::Field) -> Option<Self> {
        let ident = field.ident.as_ref()?;
        let attrs = attr::Field::from_ast(cx, field);
        let role = match &attrs.role {
            Some(marker) => Some(Spanned {
                value: marker.value,
                tokens: marker.tokens.clone(),
            }),
            None => {
                let name = ident.to_string();
                Role::ALL
                    .into_iter()
                    .find(|r| r.key() == name)
                    .map(|value| Spanned {
                        value,
                        tokens: ident.to_token_stream(),
                    })
            }
        };
        Some(Self {
            ident,
            ty: &field.ty,
            option_of: option_of(&field.ty),
            attrs,
            role,
        })
    }

    /// Whether `from_env` can fill the field.
    pub(crate) fn has_source(&self) -> bool {
        self.attrs.env.is_some() || self.attrs.default.is_some() || self.option_of.is_some()
    }
}

/// `T` for a type written `Option<T>` (or `std::option::Option<T>`), the
/// way clap recognises optional fields: by syntax.
fn option_of(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}
