//! The `#[oidc_client]` attribute macro. Use it through `oidc-core`, which
//! re-exports it and provides the runtime the generated code calls.
