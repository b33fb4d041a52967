#!/usr/bin/env bash
# Instructions per full-path decrypt, counted by valgrind's callgrind.
#
#   scripts/callgrind.sh [N]
#
# Runs the throughput example (the full path) and the floor example (base64 +
# AES alone), both in crates/measure, on each bench fixture twice, with 0 and
# with N iterations (default 2000), and prints (difference / N): the cost of one operation with start-up
# and fixture loading cancelled out, and the full path's ratio to the floor.
# Counts are repeatable for the same binary and input, whatever else the
# machine does.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
cargo build --quiet --release --example throughput --example floor
bin=target/release/examples/throughput
floor=target/release/examples/floor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count() { # program args... -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$@" >/dev/null 2>"$tmp/err"
  sed -n 's/^summary: //p; s/^totals: //p' "$tmp/out" | head -n 1
}

printf '%-10s %14s %14s %8s\n' fixture full-instr/op floor-instr/op ratio
for kind in phone user-info; do
  fixture=crates/wxdecrypt/benches/fixtures/$kind.json
  full=$(( ($(count "$bin" "$fixture" "$n" "$kind") - $(count "$bin" "$fixture" 0 "$kind")) / n ))
  base=$(( ($(count "$floor" "$fixture" "$n") - $(count "$floor" "$fixture" 0)) / n ))
  printf '%-10s %14d %14d %8s\n' "$kind" "$full" "$base" \
    "$(awk -v a="$full" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')"
done
