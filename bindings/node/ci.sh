#!/usr/bin/env bash
# CI for the Node package (bindings/node), called by .ci/run: installs the
# npm dev dependencies from the lock file, builds the addon once in release,
# runs the tests (with the CLI as their oracle) and the type check.
# Needs node and npm (>= 18); runs with CI=true and no stdin.
set -euo pipefail
cd "$(dirname "$0")"
export CI=true

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq </dev/null
    apt-get install -y --no-install-recommends nodejs npm </dev/null
  else
    echo "node and npm are needed for bindings/node" >&2
    exit 1
  fi
fi
node --version
npm --version

# Exactly the locked dev dependencies (typescript, @types/node), no scripts.
npm ci --no-audit --no-fund --ignore-scripts </dev/null

# The addon, once, in release (the workspace's own target directory).
npm run build </dev/null

# The CLI the tests compare against: the debug build .ci/run already made.
cargo build --quiet -p wxdecrypt-cli
WXDECRYPT_CLI="$(cargo metadata --format-version 1 --no-deps | node -e '
  let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
    const dir = JSON.parse(text).target_directory;
    process.stdout.write(require("node:path").join(dir, "debug", process.platform === "win32" ? "wxdecrypt.exe" : "wxdecrypt"));
  });')"
export WXDECRYPT_CLI

node --test test/ </dev/null
npm run --silent typecheck </dev/null
# Loads from the repository root as other code relies on.
(cd ../.. && node -e "require('./bindings/node').decryptPhone" </dev/null)
echo "bindings/node: tests and type check passed"
