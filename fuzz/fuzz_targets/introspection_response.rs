//! Fuzz target: `oidc_core::__fuzz::introspection_response` must not panic on any input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oidc_core::__fuzz::introspection_response(data);
});
