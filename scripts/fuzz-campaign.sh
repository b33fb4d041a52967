#!/usr/bin/env bash
# A long fuzzing campaign: runs each named target (default: all) for SECONDS
# (default 1200) on one core, keeping its corpus in fuzz/corpus/TARGET, and
# prints executions, coverage and corpus size per target (the figures in
# fuzz/README.md, "Campaigns", were made this way).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-1200}
shift || true
fuzz() {
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    cargo +nightly fuzz "$@"
  else
    RUSTC_BOOTSTRAP=1 cargo fuzz "$@"
  fi
}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(fuzz list)
fi
fuzz build -O
mkdir -p target/campaign
status=0
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log="target/campaign/$target.log"
  if ! fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
    -dict=json.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1; then
    echo "$target: FAILED after $(grep -acE '^#[0-9]+' "$log") status lines; see fuzz/$log and fuzz/artifacts/$target"
    status=1
    continue
  fi
  runs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  last=$(grep -aE '#[0-9]+.*cov: ' "$log" | tail -n 1)
  cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last")
  features=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$last")
  corpus=$(find "corpus/$target" -type f | wc -l)
  printf '%s: %s s, %s executions, cov %s edges, ft %s features, corpus %s files\n' \
    "$target" "$seconds" "$runs" "$cov" "$features" "$corpus"
done
exit "$status"
