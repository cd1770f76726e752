"""Running `python -m providers COMMAND` as a user would: a subprocess in the project directory.

With a stack, the command gets the stack's hermetic environment (its own PULUMI_HOME, file
backend and passphrase, the pinned CLI first on PATH); the product command itself forces nothing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from harness.pulumi import REPO_ROOT, PulumiStack

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")


def run_cli(
    *args: str,
    cwd: Path,
    stack: PulumiStack | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`env` replaces the environment (default: the stack's, else this process's)."""
    if env is None:
        env = stack.env if stack is not None else dict(os.environ)
    return subprocess.run(
        [PYTHON, "-m", "providers", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,  # a hung command fails the test instead of the whole run
        check=False,
    )
