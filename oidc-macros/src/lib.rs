//! The `#[oidc_client]` attribute macro. Use it through `oidc-core`, which
//! re-exports it and provides the runtime the generated code calls.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod suggest;
mod symbol;
mod url;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Derives an OpenID Connect client configuration from a struct.
#[proc_macro_attribute]
pub fn oidc_client(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::oidc_client(args.into(), item.into()).into()
}
