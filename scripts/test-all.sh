#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs what the
# tests need (Chromium + ChromeDriver for the real-browser suite, Node for the
# certified-provider interop suite, redis-server for the shared-state suite,
# whose tests each start their own server on a free loopback port), checks
# that oidc-core builds with each feature alone, runs the unit, end-to-end,
# compile-fail, interop, hostile-provider, browser and Redis suites, compiles
# the benchmarks, builds the docs without warnings, and ends with a short
# fuzzing smoke run. The same command runs in CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]})); then
  step "Installing ${missing[*]} (Debian packages)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "Installing the interop provider (panva/oidc-provider) from package-lock.json"
npm ci --prefix tests/interop --no-audit --no-fund

step "oidc-core builds with default features only and with each feature alone"
# A feature that compiles only because another one (or another workspace
# crate, through feature unification) switched on what it needs would break
# users who pick that feature alone. `cargo check` keeps this cheap.
# -D warnings here only; it recompiles the dependencies in check mode once.
for features in "" "--no-default-features" \
  "--no-default-features --features macros" \
  "--no-default-features --features axum" \
  "--no-default-features --features bench" \
  "--no-default-features --features fuzzing" \
  "--no-default-features --features redis"; do
  echo "cargo check -p oidc-core $features"
  # shellcheck disable=SC2086 # $features is a list of words
  RUSTFLAGS="-D warnings" cargo check --quiet -p oidc-core $features
done

step "Rust tests (all crates, all features, including the Node and Chromium suites)"
cargo test --workspace --all-features --no-fail-fast -- --include-ignored

step "Benchmarks compile (not run: cargo bench -p oidc-benches)"
cargo test --benches --no-run --quiet -p oidc-benches

step "API documentation builds without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --all-features --no-deps --quiet

if [ -x scripts/fuzz-smoke.sh ]; then
  step "Fuzzing smoke run"
  # A smoke run: 5 s per target keeps the suite short; longer runs are
  # FUZZ_SECONDS=600 scripts/fuzz-smoke.sh TARGET.
  FUZZ_SECONDS="${FUZZ_SECONDS:-5}" scripts/fuzz-smoke.sh
fi

step "All tests passed"
