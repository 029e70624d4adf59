//! Workspace-level tests live in `tests/tests/`; this library holds what
//! several test binaries share.
//!
//! - [`browser`]: a scriptless HTTP browser (cookie jar, step-by-step
//!   redirects, HTML forms) to drive providers' login pages in tests.
//! - [`dev_login`]: the user's part at the dev provider's pages.

pub mod browser;
pub mod dev_login;
