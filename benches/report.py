#!/usr/bin/env python3
"""Prints the medians of the last `cargo bench -p oidc-benches` run (from
criterion's estimates.json files) as Markdown tables, with the ratios the
performance targets are stated in.

    benches/report.py [--baseline NAME]      (default: the last run, "new")

Reads $CARGO_TARGET_DIR/criterion (default target/criterion).
"""
import json
import os
import sys

root = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "criterion")
baseline = "new"
if "--baseline" in sys.argv:
    baseline = sys.argv[sys.argv.index("--baseline") + 1]


def median(*parts):
    path = os.path.join(root, *parts, baseline, "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt(ns):
    if ns is None:
        return "n/a"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def ratio(a, b):
    return "n/a" if a is None or b is None else f"{a / b:.2f}×"


print("ID token verification, keys cached (median per token)\n")
print("| alg | oidc-core | openidconnect 4 | floor (parsed key) | unparsed key "
      "| oidc-core / floor | openidconnect / oidc-core |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for alg in ["RS256", "ES256", "EdDSA"]:
    sdk = median("id_token", "oidc-core", alg)
    other = median("id_token", "openidconnect", alg)
    floor = median("id_token", "floor", alg)
    unparsed = median("id_token", "unparsed", alg)
    print(f"| {alg} | {fmt(sdk)} | {fmt(other)} | {fmt(floor)} | {fmt(unparsed)} "
          f"| {ratio(sdk, floor)} | {ratio(other, sdk)} |")

print("\nJWKS key lookup through the key cache (last key of the set)\n")
print("| keys | median |")
print("| --- | --- |")
for count in ["1", "10", "100"]:
    print(f"| {count} | {fmt(median('jwks_lookup', count))} |")

print("\nPer-request work without network\n")
print("| step | median |")
print("| --- | --- |")
for name in ["authorization_url", "callback_parse_and_receive", "pending_seal", "pending_open"]:
    print(f"| {name} | {fmt(median('flow', name))} |")

groups = sorted(d for d in os.listdir(root) if d.startswith("full_callback_")) \
    if os.path.isdir(root) else []
for group in groups:
    alg = group.split("_", 2)[-1]
    print(f"\nFull callback, provider signing with {alg} (logins per second, median)\n")
    print("| logins in flight | oidc-core | bare reqwest (no verification) | oidc-core / bare "
          "| oidc-core's extra time per login |")
    print("| --- | --- | --- | --- | --- |")
    levels = sorted((l for l in os.listdir(os.path.join(root, group, "oidc-core")) if l.isdigit()),
                    key=int)
    for level in levels:
        sdk = median(group, "oidc-core", level)
        bare = median(group, "bare", level)
        per_s = lambda ns: "n/a" if ns is None else f"{1e9 / ns:,.0f}/s"
        extra = "n/a" if sdk is None or bare is None else fmt(sdk - bare)
        print(f"| {level} | {per_s(sdk)} | {per_s(bare)} | {ratio(bare, sdk)} | {extra} |")
