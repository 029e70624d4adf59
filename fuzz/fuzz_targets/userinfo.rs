//! Fuzz target: `oidc_core::__fuzz::userinfo` must not panic on any UserInfo response.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oidc_core::__fuzz::userinfo(data);
});
