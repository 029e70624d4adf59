//! Fuzz target: `oidc_core::__fuzz::jwk_verify` must not panic on any JWKS and token.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oidc_core::__fuzz::jwk_verify(data);
});
