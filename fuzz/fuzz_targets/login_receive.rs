//! Fuzz target: `oidc_core::__fuzz::login_receive` must not panic on any callback.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oidc_core::__fuzz::login_receive(data);
});
