::core::compile_error! {
    "#[oidc_client] panicked (boom); this is a bug in oidc-macros, please report it at https://github.com/oidc-rs/oidc/issues with the struct that caused it"
}
struct S {
    a: u8,
}
