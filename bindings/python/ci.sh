#!/usr/bin/env bash
# CI for the Python package (called by .ci/run after the workspace tests):
# builds the wheel once with `maturin build --release`, installs it into a
# venv under target/ (gitignored), runs the pytest suite and mypy --strict
# on typing_usage.py, then checks the README's `pip install ./bindings/python`
# in a fresh venv. The suite compares to_dict() with the output
# of the `wxdecrypt` binary that `cargo test` has just built.
# Works with CI=true and no stdin; installs what it needs only when absent.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Debian and Ubuntu ship venv and ensurepip apart from python3.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
    $sudo apt-get install -y python3-venv </dev/null
  else
    echo "python3 has no venv module; install it" >&2
    exit 1
  fi
fi

venv=target/python-ci
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# maturin for the build, pytest and mypy for the checks.
for tool in maturin pytest mypy; do
  if ! "$venv/bin/python" -m pip show --quiet "$tool" >/dev/null 2>&1; then
    case "$tool" in
      maturin) "$venv/bin/python" -m pip install --quiet 'maturin>=1.16,<2' ;;
      *) "$venv/bin/python" -m pip install --quiet "$tool" ;;
    esac
  fi
done

# The one release build: the same command a user's `pip install` runs.
rm -f target/wheels/wxdecrypt-*.whl
"$venv/bin/maturin" build --release --manifest-path bindings/python/Cargo.toml \
  --interpreter "$venv/bin/python"
wheels=(target/wheels/wxdecrypt-*-abi3-*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "expected one abi3 wheel in target/wheels, found: ${wheels[*]}" >&2
  exit 1
fi
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "${wheels[0]}"

# The binary the suite compares with (built by `cargo test --workspace`;
# this is a no-op then, and a debug build of the CLI otherwise).
cargo build --quiet -p wxdecrypt-cli
export WXDECRYPT_CLI="$PWD/target/debug/wxdecrypt"

# Run from the tests' own directory, so `import wxdecrypt` is the installed
# wheel, not the source tree.
(cd bindings/python && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider tests)
(cd bindings/python && "../../$venv/bin/python" -m mypy --strict --no-incremental --cache-dir=/dev/null typing_usage.py)

# The install command of the README, into a fresh venv: it builds from
# source with maturin from PyPI, on the release build above (cargo's cache
# leaves only the link to redo).
fresh=target/python-ci-source
rm -rf "$fresh"
python3 -m venv "$fresh"
"$fresh/bin/pip" install --quiet ./bindings/python
(cd "$fresh" && bin/python -c 'import wxdecrypt; assert wxdecrypt.SessionKey("tiihtNczf5v6AKRyjwEUhQ==")')
