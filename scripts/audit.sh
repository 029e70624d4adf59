#!/usr/bin/env bash
# `cargo audit` over the workspace's Cargo.lock against a local copy of the
# public RustSec advisory database (this machine's CI cannot fetch it):
#
#   git clone https://github.com/rustsec/advisory-db /path/to/advisory-db
#   cargo install cargo-audit --locked
#   scripts/audit.sh /path/to/advisory-db
#
# Fails on any advisory (warnings included: unmaintained, yanked) except the
# one explained exception in .cargo/audit.toml, and checks that the exception
# still concerns only the benchmark crate: `rsa` must stay out of the SDK's
# crates' dependency graphs.
set -euo pipefail
cd "$(dirname "$0")/.."
db="${1:-${RUSTSEC_DB:-}}"
if [ -z "$db" ] || [ ! -d "$db" ]; then
  echo "usage: scripts/audit.sh PATH-TO-advisory-db (or set RUSTSEC_DB)" >&2
  exit 2
fi
for crate in oidc-core oidc-macros oidc-dev-provider examples tests; do
  if cargo tree --quiet -p "$crate" --all-features -e normal,build -i rsa >/dev/null 2>&1; then
    echo "rsa (RUSTSEC-2023-0071) is in $crate's dependency graph: the exception in .cargo/audit.toml no longer holds" >&2
    exit 1
  fi
done
echo "advisory database: $(git -C "$db" log -1 --format='%h, %cd' --date=short 2>/dev/null || echo "$db")"
exec cargo audit --db "$db" --no-fetch --deny warnings
