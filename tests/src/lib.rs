//! Workspace-level tests live in `tests/tests/`: the `suite` binary
//! (`tests/tests/suite/`, one module per area) and the compile-fail cases
//! (`compile_fail.rs`); this library holds what they share.
//!
//! - [`browser`]: a scriptless HTTP browser (cookie jar, step-by-step
//!   redirects, HTML forms) to drive providers' login pages in tests.
//! - [`dev_login`]: the user's part at the dev provider's pages.
//! - [`fixture`]: a dev provider with a client registered, a discovered
//!   `Client`, a sign-in through the typestate flow, and an application
//!   served next to the provider. Start new tests from here.
//! - [`chrome`]: headless Chromium over WebDriver, for the browser suite.
//! - [`interop_provider`]: panva's certified `oidc-provider`
//!   (`tests/interop/provider.mjs`) as a process, for interop tests.
//! - [`interop_user`]: the user's part at its pages.
//! - [`processes`]: the workspace's programs run as real processes.
//! - [`redis`]: a real `redis-server` per test, on a free loopback port.
//! - [`registry_conformance`]: the rules every `LogoutRegistry` follows.

pub mod browser;
pub mod chrome;
pub mod dev_login;
pub mod fixture;
pub mod interop_provider;
pub mod interop_user;
pub mod logout_capture;
pub mod processes;
pub mod redis;
pub mod refresh_probe;
pub mod registry_conformance;
