//! Fuzz target: `oidc_core::__fuzz::backchannel_logout` must not panic on any request body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oidc_core::__fuzz::backchannel_logout(data);
});
