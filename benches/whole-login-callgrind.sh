#!/usr/bin/env bash
# Instructions per whole login (callgrind), for the three apps of the
# whole-login benchmark: a count that does not depend on the machine's load.
# Each app runs under `valgrind --tool=callgrind` twice, for SHORT and LONG
# measured logins (default 50 and 250, concurrency 1); the difference of the
# two totals divided by LONG-SHORT is the cost of one login without the
# start-up and warm-up. Kernel time (sockets, scheduling) is not counted:
# it is the "of which system" column of benches/whole-login.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
short="${SHORT:-50}"
long="${LONG:-250}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p examples --example axum_login
cargo build --release --quiet -p oidc-benches --bin openidconnect_app --bin floor_app
driver=$(cargo bench --no-run -p oidc-benches --bench whole_login 2>&1 |
  sed -n 's/.*Executable .*(\(.*whole_login-[0-9a-f]*\)).*/\1/p' | tail -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for app in axum_login openidconnect_app floor_app; do
  case $app in
    axum_login) binary="$target/release/examples/axum_login" ;;
    *) binary="$target/release/$app" ;;
  esac
  printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s/%s.$WL_RUN.%%p %s "$@"\n' \
    "$work" "$app" "$(realpath "$binary")" >"$work/$app.sh"
  chmod +x "$work/$app.sh"
done
for run in "$short" "$long"; do
  WL_RUN=$run AXUM_LOGIN_BIN="$work/axum_login.sh" \
    OPENIDCONNECT_APP_BIN="$work/openidconnect_app.sh" FLOOR_APP_BIN="$work/floor_app.sh" \
    WHOLE_LOGIN_ROUNDS=1 WHOLE_LOGIN_LOGINS="$run" WHOLE_LOGIN_CONCURRENCY=1 \
    "$driver" --bench >/dev/null
done
total() { sed -n 's/^summary: //p' "$1" | head -1; }
echo "| app | instructions per login (callgrind, $short→$long logins) |"
echo "| --- | --- |"
for app in axum_login openidconnect_app floor_app; do
  a=$(total "$(ls "$work/$app.$short".*)")
  b=$(total "$(ls "$work/$app.$long".*)")
  echo "| $app | $(((b - a) / (long - short))) |"
done
