#!/usr/bin/env bash
# Mutation testing of what the last change touched: cargo-mutants over the
# Rust lines of `git diff HEAD~1` (for a merge, everything the merged branch
# changed), time-bounded. A missed mutant fails CI; mutants no test can catch
# are skipped in .cargo/mutants.toml, each with its reason.
#
#   .ci/mutants.sh                     # against HEAD~1
#   MUTANTS_BASE=origin/main .ci/mutants.sh
#   MUTANTS_SECONDS=600 .ci/mutants.sh # the time bound (default 900 s)
#
# The mutants are built in place, in the warm target directory the test step
# left: no copy of the tree, no cold build. cargo-mutants puts every file
# back when it stops (it is stopped with SIGINT, which it handles, when the
# time bound is reached), and the script checks that it did.
set -euo pipefail
cd "$(dirname "$0")/.."
printf "\n==> %s\n" "mutants: what the last change touched (.ci/mutants.sh)"

version=27.1.0
if ! cargo mutants --version 2>/dev/null | grep -qx "cargo-mutants ${version}"; then
  cargo install cargo-mutants --locked --version "$version"
fi

base=${MUTANTS_BASE:-HEAD~1}
if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  echo "mutants: no commit ${base} in this clone (shallow?): nothing to compare with"
  exit 0
fi
out=target/mutants
mkdir -p "$out"
diff="$out/last-change.diff"
git diff "$base" -- '*.rs' >"$diff"
if [ ! -s "$diff" ]; then
  echo "mutants: no Rust change since ${base}"
  exit 0
fi
if ! git diff --quiet; then
  echo "mutants: the work tree has uncommitted changes; refusing to mutate in place" >&2
  exit 1
fi

status=0
timeout --signal=INT --kill-after=60 "${MUTANTS_SECONDS:-900}" \
  cargo mutants --in-diff "$diff" --in-place --no-shuffle \
  --cargo-test-arg=--lib --cargo-test-arg=--tests \
  --output "$out" || status=$?

if ! git diff --quiet; then
  echo "mutants: the source tree was left changed:" >&2
  git diff --stat >&2
  exit 1
fi
results="$out/mutants.out"
missed=$(cat "$results/missed.txt" 2>/dev/null || true)
if [ -n "$missed" ]; then
  echo "mutants: missed (add a test, or a skip with its reason in .cargo/mutants.toml):" >&2
  printf '%s\n' "$missed" >&2
  exit 1
fi
case $status in
  0) echo "mutants: every mutant of the last change was caught or unviable" ;;
  124 | 130)
    tested=$(cat "$results"/{caught,unviable,timeout}.txt 2>/dev/null | wc -l)
    echo "mutants: time bound reached after ${tested} mutants, none missed so far" ;;
  3) echo "mutants: some mutants timed out (an endless loop counts as caught):" &&
    cat "$results/timeout.txt" ;;
  *)
    echo "mutants: cargo mutants failed with status ${status}" >&2
    exit "$status" ;;
esac
