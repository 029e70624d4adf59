//! oidc-core (under construction).
