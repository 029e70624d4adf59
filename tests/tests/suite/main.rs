//! The workspace's integration tests, one module per area, in one test
//! binary: one link against the heavy dependencies instead of one per file,
//! and the slow, waiting tests (Chromium, the Node provider, `redis-server`,
//! the examples as processes) of different areas overlap instead of running
//! binary after binary. The compile-fail cases (`tests/tests/compile_fail.rs`,
//! trybuild) stay a binary of their own: they run the compiler, not the SDK.
//!
//! Run one area or one test by its module path:
//!
//! ```sh
//! cargo test -p tests --test suite hostile::            # the hostile provider
//! cargo test -p tests --test suite interop:: -- --include-ignored
//! ```
//!
//! Tests of every module run at once on the harness's threads, so nothing
//! here may assume it is alone in the process: ports come from the OS
//! (`tests::processes::free_port`, `Site::bind`), each test starts its own
//! providers and servers, and a test capturing what the SDK logs goes
//! through [`log_capture`].

mod log_capture;
mod support {
    pub(crate) mod glue;
}

mod api;
mod apps;
mod browser;
mod client_auth;
mod client_credentials;
mod device;
mod e2e;
mod examples;
mod hostile;
mod interop;
mod introspection;
mod key_rotation;
mod login_options;
mod logout;
mod multi_provider;
mod observability;
mod profiles;
mod redis;
mod refresh_concurrency;
mod revocation;
mod scale_out;
mod testing_helpers;
mod typed_claims;
mod web;
