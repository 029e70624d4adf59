#!/usr/bin/env bash
# Builds every cargo-fuzz target of fuzz/ and runs each for a short, bounded
# time (a smoke run: the parsers must not panic on what libFuzzer finds in
# that time, starting from the seeds in fuzz/seeds/<target>).
#
#   scripts/fuzz-smoke.sh                      # every target, 20 s each
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh jwt # one target, 10 minutes
#
# Build flags: `--sanitizer none` because oidc-core and its Rust
# dependencies forbid or audit `unsafe`, and AddressSanitizer would not
# instrument aws-lc's C code anyway (it is built by cc/cmake without
# -fsanitize): ASan only made the build slower and each run about 2x
# slower here. `--debug-assertions` keeps overflow checks and
# debug_assert!s on, so arithmetic overflow is a crash too.
# Crashes are written to fuzz/artifacts/<target>/ and fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

seconds="${FUZZ_SECONDS:-20}"
targets=(callback jwt jwks token_response device_authorization discovery pending_login login_receive jwk_verify userinfo backchannel_logout introspection_response)
if [ "$#" -gt 0 ]; then
  targets=("$@")
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "==> Installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes nightly-only flags (-Zsanitizer, -Cpasses=sancov);
# RUSTC_BOOTSTRAP lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
flags=(--release --debug-assertions --sanitizer none)

echo "==> Building ${#targets[@]} fuzz target(s)"
cargo fuzz build "${flags[@]}"

for target in "${targets[@]}"; do
  corpus="$root/fuzz/corpus/$target"
  mkdir -p "$corpus"
  log="$root/fuzz/artifacts/$target.log"
  mkdir -p "$(dirname "$log")"
  echo "==> fuzz $target for ${seconds}s"
  status=0
  cargo fuzz run "${flags[@]}" "$target" "$corpus" "$root/fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done )' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz target $target failed (exit $status): see $log and fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "==> Fuzzing smoke run passed"
