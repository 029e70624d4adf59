#!/usr/bin/env bash
# The whole-login benchmark (benches/benches/whole_login.rs) with one
# command: builds examples/axum_login, the openidconnect comparison app and
# the no-checks floor app in release mode, then runs the driver. Settings
# through the environment: WHOLE_LOGIN_ROUNDS (default 5),
# WHOLE_LOGIN_LOGINS per app, round and concurrency (default 1000),
# WHOLE_LOGIN_CONCURRENCY (default 1,8), WHOLE_LOGIN_PRELOAD (sessions and
# pending logins per app before measuring; default 0).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p examples --example axum_login
exec cargo bench --quiet -p oidc-benches --bench whole_login -- "$@"
