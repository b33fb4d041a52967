#!/usr/bin/env bash
# Instructions per call of one contender of bench-loop.js, measured with
# valgrind callgrind: two runs of different lengths, the difference of their
# counts divided by the difference of the lengths (start-up cancels out).
#
#   scripts/callgrind.sh CONTENDER FIXTURE [N1 N2]     (default 10000 30000)
#
# Prints the program total, the total less the difference of V8's
# background compiler thread (which lands in either run unpredictably), and
# the addon's own callback, inclusive (the steadiest of the three). The two
# runs go in parallel; instruction counts do not depend on the load.
set -euo pipefail
cd "$(dirname "$0")/.."
contender=$1 fixture=$2 n1=${3:-10000} n2=${4:-30000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in "$n1" "$n2"; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$n.out" \
    node ${NODE_FLAGS:-} bench-loop.js "$contender" "$fixture" "$n" >/dev/null 2>&1 &
done
wait
inclusive() { # file, function name pattern: the inclusive count, 0 when absent
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    awk -v pat="$2" '!found && $0 ~ pat { gsub(",", "", $1); print $1; found = 1 } END { if (!found) print 0 }'
}
per_call() { echo "($2 - $1) / ($n2 - $n1)" | bc; }
t1=$(inclusive "$out/$n1.out" "PROGRAM TOTALS") t2=$(inclusive "$out/$n2.out" "PROGRAM TOTALS")
c1=$(inclusive "$out/$n1.out" "CompileTask::RunInternal") c2=$(inclusive "$out/$n2.out" "CompileTask::RunInternal")
case $fixture in phone) glue=glue::decrypt_phone ;; *) glue=glue::decrypt_user_info ;; esac
g1=$(inclusive "$out/$n1.out" "$glue") g2=$(inclusive "$out/$n2.out" "$glue")
echo "$contender $fixture ($n1 and $n2 calls): total $(per_call "$t1" "$t2")," \
  "less the compiler thread $(per_call $((t1 - c1)) $((t2 - c2)))," \
  "callback $(per_call "$g1" "$g2") instructions per call"
if [ -n "${KEEP:-}" ]; then cp "$out"/*.out "$KEEP"/; fi
