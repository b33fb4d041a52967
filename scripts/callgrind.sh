#!/usr/bin/env bash
# Instructions per full-path decrypt, counted by valgrind's callgrind.
#
#   scripts/callgrind.sh [N]
#
# Runs examples/throughput on each bench fixture twice, with 0 and with N
# iterations (default 2000), and prints (difference / N): the cost of one
# decrypt with start-up and fixture loading cancelled out. Counts are
# repeatable for the same binary and input, whatever else the machine does.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
cargo build --quiet --release --example throughput
bin=target/release/examples/throughput
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count() { # fixture iterations kind -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$bin" "$1" "$2" "$3" >/dev/null 2>"$tmp/err"
  sed -n 's/^summary: //p; s/^totals: //p' "$tmp/out" | head -n 1
}

printf '%-10s %12s\n' fixture instr/op
for spec in phone:phone user-info:user-info; do
  fixture=benches/fixtures/${spec%%:*}.json
  kind=${spec##*:}
  base=$(count "$fixture" 0 "$kind")
  total=$(count "$fixture" "$n" "$kind")
  printf '%-10s %12d\n' "${spec%%:*}" $(( (total - base) / n ))
done
