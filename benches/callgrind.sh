#!/usr/bin/env bash
# Instructions per ID token verification, per path and algorithm, counted by
# callgrind (independent of the machine's load). Builds the `instructions`
# bench target, runs each path N times under callgrind collecting only the
# timed loop, and prints instructions per call and the ratio to the floor.
#
#   benches/callgrind.sh [N]        (default N=200)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
cargo bench -p oidc-benches --bench instructions --no-run 2>/dev/null
bin=$(ls -t "${CARGO_TARGET_DIR:-target}"/release/deps/instructions-* | grep -v '\.d$' | head -1)
out=$(mktemp -d)
printf '%-14s %-6s %14s %8s\n' path alg instr/call x_floor
for alg in RS256 ES256 EdDSA; do
  declare -A per
  for path in floor unparsed oidc-core openidconnect; do
    valgrind --tool=callgrind --callgrind-out-file="$out/$path-$alg" \
      --toggle-collect='instructions::measured*' "$bin" "$path" "$alg" "$n" >/dev/null 2>"$out/$path-$alg.log"
    total=$(grep -E '^(summary|totals):' "$out/$path-$alg" | head -1 | awk '{print $2}')
    per[$path]=$((total / n))
  done
  for path in floor unparsed oidc-core openidconnect; do
    ratio=$(awk -v a="${per[$path]}" -v b="${per[floor]}" 'BEGIN{printf "%.3f", a/b}')
    printf '%-14s %-6s %14s %8s\n' "$path" "$alg" "${per[$path]}" "$ratio"
  done
  unset per
done
rm -rf "$out"
