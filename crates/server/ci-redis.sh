#!/usr/bin/env bash
# CI step for the reference server: makes sure `redis-server` (Debian's
# package) is on PATH and starts, so that `cargo test --workspace
# --all-features` runs the Redis tests of crates/server (with CI=true they
# refuse to skip). Installs only when absent, non-interactively, with sudo
# only when not root; then starts one server on a free loopback port, pings
# it and stops it. The tests start and stop their own servers the same way.
set -euo pipefail

install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "redis-server is missing and this is not a Debian-like system: install it by hand" >&2
    exit 1
  fi

  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends redis-server
  # The package starts a system service on port 6379 where there is an init
  # system; the tests do not use it, so stop it if it runs.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
    $sudo systemctl stop redis-server || true
  fi
}
command -v redis-server >/dev/null 2>&1 || install
redis-server --version

# Start, ping and stop one server on a free loopback port.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no >/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -qx PONG; then
    echo "redis-server answers on 127.0.0.1:$port"
    exit 0
  fi
  sleep 0.1
done
echo "redis-server did not answer on 127.0.0.1:$port" >&2
exit 1
