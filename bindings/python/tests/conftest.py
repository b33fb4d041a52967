"""Shared fixtures of the Python test suite: the repository's vector files
and the ``wxdecrypt`` command, whose output ``to_dict()`` must equal.

The command is found through ``WXDECRYPT_CLI`` (``ci.sh`` sets it to the
binary that ``cargo test`` built, and the tests that use it fail when it is
missing); without the variable, ``target/debug/wxdecrypt`` is used if it
exists, and the comparisons with it are skipped otherwise.
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "crates" / "wxdecrypt" / "tests" / "vectors"
RESPONSES = VECTORS / "responses"
FIXTURES = ROOT / "crates" / "wxdecrypt" / "benches" / "fixtures"
# What the CLI appends to the library's decryption message (crates/wxdecrypt-cli).
DIAGNOSE_HINT = (
    "; `wxdecrypt diagnose` with the same input tells these causes apart"
    " (a stale session_key, data of another kind, altered data)"
)

#: The appid and time of every generated vector (vectors/README.md).
GENERATED_APPID = "wx4f4bc4dec97d474b"
GENERATED_NOW = 1700000000


def load(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


REAL = load(VECTORS / "real-world.json")
GENERATED = load(VECTORS / "generated.json")
OFFICIAL = load(VECTORS / "official-sample.json")


def cli_path() -> Optional[Path]:
    configured = os.environ.get("WXDECRYPT_CLI")
    if configured:
        return Path(configured)
    default = ROOT / "target" / "debug" / "wxdecrypt"
    return default if default.exists() else None


class Cli:
    """Runs the ``wxdecrypt`` command with its inputs on stdin."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, args: List[str], stdin: str) -> Tuple[int, str, str]:
        done = subprocess.run(
            [str(self.path), *args],
            input=stdin.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    def decrypt(self, command: str, case: Dict[str, Any], *flags: str) -> Tuple[int, str, str]:
        inputs = {k: case[k] for k in ("appid", "session_key", "iv", "encrypted_data")}
        return self.run([command, "--input", "-", *flags], json.dumps(inputs))

    def message(self, stderr: str) -> str:
        """The library's message in a rejection line, ``wxdecrypt: ...``."""
        line = stderr.strip()
        assert line.startswith("wxdecrypt: "), line
        # The CLI adds where to learn more to the one decryption message;
        # the library (and this package) say only the message.
        message, _, hint = line[len("wxdecrypt: ") :].partition(DIAGNOSE_HINT)
        assert hint == "", line
        return message


@pytest.fixture(scope="session")
def cli() -> Cli:
    path = cli_path()
    if path is None:
        pytest.skip("no wxdecrypt binary: build it (cargo build -p wxdecrypt-cli) or set WXDECRYPT_CLI")
    if not path.exists():
        pytest.fail(f"WXDECRYPT_CLI names {path}, which does not exist")
    return Cli(path)
