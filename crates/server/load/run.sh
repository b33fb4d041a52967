#!/usr/bin/env bash
# Load test of the reference server: a benchmark, not a test (BENCHMARKS.md,
# "Reference server under load"). On loopback only, bounded in time:
#
#   1. starts a redis-server, the fake WeChat API (example fake_wechat) and
#      two server instances (example axum_server) sharing that Redis;
#   2. logs $SESSIONS users in on instance A (POST /api/login through the
#      fake's code2session) and drives POST /api/phone-number with wrk on
#      both instances at once, each request under the next of those tokens,
#      for $DURATION seconds;
#   3. does the same with two in-memory instances ($SESSIONS logins on
#      each), the comparison;
#   4. prints requests/s, p50 and p99 latency and the error count per run
#      (the error count must be 0: the script fails otherwise).
#
# Needs wrk, redis-server, redis-cli and curl (Debian: apt-get install wrk
# redis-server curl). Settings: DURATION (seconds per run, default 10), CONNECTIONS (per
# instance, default 16).
set -euo pipefail
cd "$(dirname "$0")/../../.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
SESSIONS=${SESSIONS:-64}
for tool in wrk redis-server redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 1; }
done

cargo build --quiet --release -p wxdecrypt-server --example axum_server --example fake_wechat
bin=target/release/examples
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A loopback port nothing listens on.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Waits until http://127.0.0.1:$1 answers (any status).
wait_http() {
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return; fi
    sleep 0.05
  done
  echo "nothing answers on port $1" >&2
  exit 1
}

# The demo's mini program and the gopay-phone vector's frozen clock.
export WECHAT_APPID=wxdaa2ab9ef87b5497 WECHAT_SECRET=demo-app-secret FIXED_NOW=1558787220

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
pids+=($!)
fake_port=$(free_port)
PORT=$fake_port "$bin/fake_wechat" >/dev/null 2>"$work/fake.log" &
pids+=($!)
wait_http "$fake_port"
for _ in $(seq 1 100); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.05
done
export WECHAT_BASE_URL="http://127.0.0.1:$fake_port"

# Starts an instance on port $1 (extra variables as the other arguments)
# and waits until it answers.
instance() {
  local port=$1
  shift
  env PORT="$port" "$@" "$bin/axum_server" >/dev/null 2>"$work/instance-$port.log" &
  pids+=($!)
  wait_http "$port"
}

# $SESSIONS logins on port $1; prints the tokens, comma separated.
logins() {
  local tokens=() token
  for _ in $(seq 1 "$SESSIONS"); do
    token=$(curl -s "http://127.0.0.1:$1/api/login" -H 'Content-Type: application/json' \
      -d '{"code":"demo-login-code"}' | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
    [ -n "$token" ] || { echo "login failed" >&2; exit 1; }
    tokens+=("$token")
  done
  (IFS=,; echo "${tokens[*]}")
}

# wrk on two instances at once; prints one line per instance.
drive() {
  local label=$1 port_a=$2 token_a=$3 port_b=$4 token_b=$5
  TOKENS=$token_a wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s crates/server/load/phone.lua "http://127.0.0.1:$port_a/api/phone-number" >"$work/wrk-$label-a.txt" &
  local wrk_a=$!
  TOKENS=$token_b wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s crates/server/load/phone.lua "http://127.0.0.1:$port_b/api/phone-number" >"$work/wrk-$label-b.txt"
  wait "$wrk_a"
  for side in a b; do
    printf '%-8s instance %s: %s\n' "$label" "$side" "$(grep '^RESULT' "$work/wrk-$label-$side.txt" | cut -d' ' -f2-)"
  done
}

echo "load: $DURATION s per run, $CONNECTIONS connections per instance, $SESSIONS sessions, loopback, $(nproc) cores"

# Redis: two instances, the logins made on A, their tokens used on both.
a=$(free_port)
instance "$a" REDIS_URL="redis://127.0.0.1:$redis_port/0"
b=$(free_port)
instance "$b" REDIS_URL="redis://127.0.0.1:$redis_port/0"
tokens=$(logins "$a")
drive redis "$a" "$tokens" "$b" "$tokens"
redis_pids=("${pids[@]: -2}")
kill "${redis_pids[@]}"

# In memory: two instances, each with its own logins.
a=$(free_port)
instance "$a"
b=$(free_port)
instance "$b"
drive memory "$a" "$(logins "$a")" "$b" "$(logins "$b")"

# Every request must have succeeded, and no instance may have logged a
# refusal or a store failure.
if grep -h '^RESULT' "$work"/wrk-*.txt | grep -qv ' errors=0$'; then
  echo "some requests failed" >&2
  exit 1
fi
if grep -l -E 'cannot_decrypt|refused|store failed' "$work"/instance-*.log; then
  echo "an instance refused requests (logs above)" >&2
  exit 1
fi
echo "load: every request answered 200"
