//! Fuzz target: `oidc_core::__fuzz::device_authorization` must not panic on any input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oidc_core::__fuzz::device_authorization(data);
});
