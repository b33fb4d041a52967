#!/usr/bin/env bash
# CI step for the reference server: makes sure `redis-server` (Debian's
# package) is on PATH, so that `cargo test --workspace --all-features` runs
# the Redis tests of crates/server. The tests start and stop their own
# servers on free loopback ports; none is started here. Installs only when
# absent, non-interactively, with sudo only when not root.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  redis-server --version
  exit 0
fi

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
redis-server --version
