"""Run the project's pinned Pulumi CLI hermetically.

Why not `pulumi login --local`: it resolves to the OS user's real home directory,
so two runs would share state. Each `PulumiStack` instead owns a state directory
holding its PULUMI_HOME and, unless given another backend URL (`postgres://` for the
team tests: harness/postgres.py), its `file://` backend.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
PULUMI_BIN = REPO_ROOT / ".tools" / "bin"
DEFAULT_PASSPHRASE = "tavus-personas local passphrase"

# Variables a caller's environment must not leak into a hermetic run (PG*: libpq's settings,
# which a postgres:// backend would otherwise pick up from the developer's shell).
_SCRUBBED_PREFIXES = ("PULUMI_", "TAVUS_", "PG")

# Exit code of `--expect-no-changes` when changes were found (CLI >= v3.226.0).
EXIT_CHANGES_FOUND = 7


class PulumiCommandError(RuntimeError):
    """A Pulumi command exited non-zero where the caller expected success."""

    def __init__(self, run: CommandResult) -> None:
        super().__init__(
            f"`pulumi {' '.join(run.args)}` exited {run.returncode}\n"
            f"--- stdout ---\n{run.stdout[-4000:]}\n--- stderr ---\n{run.stderr[-4000:]}"
        )
        self.run = run


@dataclass(frozen=True)
class CommandResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def hermetic_env(
    state_dir: Path,
    passphrase: str = DEFAULT_PASSPHRASE,
    extra: Mapping[str, str] | None = None,
    backend_url: str | None = None,
) -> dict[str, str]:
    """The environment for one isolated Pulumi workspace rooted at `state_dir`.

    The backend is `backend_url` when given (its credentials, e.g. PG* variables, come in
    `extra`), else a `file://` directory in `state_dir`.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    home = state_dir / "pulumi-home"
    home.mkdir(parents=True, exist_ok=True)
    if backend_url is None:
        backend = state_dir / "backend"
        backend.mkdir(parents=True, exist_ok=True)
        # metadata=skip: no `.attrs` sidecars, which the file backend writes in place and a
        # killed run can leave cut off (docs/reliability.md, "Recovering from a killed pulumi up").
        backend_url = f"file://{backend}?metadata=skip"
    env.update(
        PATH=f"{PULUMI_BIN}{os.pathsep}{env.get('PATH', '')}",
        PULUMI_HOME=str(home),
        PULUMI_CREDENTIALS_PATH=str(home),
        PULUMI_BACKEND_URL=backend_url,
        PULUMI_CONFIG_PASSPHRASE=passphrase,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        PULUMI_DIY_BACKEND_NO_LEGACY_WARNING="true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK="true",
        NO_COLOR="1",
    )
    env.update(extra or {})
    return env


@dataclass
class PulumiStack:
    """One stack of one project, with its own hermetic Pulumi home and backend.

    `backend_url` None means a `file://` backend in `state_dir`; a shared URL (postgres://)
    lets several `PulumiStack`s (pipelines on different runners) use the same stacks.
    """

    project_dir: Path
    state_dir: Path
    stack: str = "test"
    passphrase: str = DEFAULT_PASSPHRASE
    extra_env: dict[str, str] = field(default_factory=dict)
    history: list[CommandResult] = field(default_factory=list)
    backend_url: str | None = None

    @property
    def env(self) -> dict[str, str]:
        return hermetic_env(self.state_dir, self.passphrase, self.extra_env, self.backend_url)

    @property
    def backend_dir(self) -> Path:
        return self.state_dir / "backend"

    def run(
        self, *args: str, check: bool = True, timeout: float = 900, stdin: str | None = None
    ) -> CommandResult:
        """Run `pulumi ARGS --non-interactive` in the project directory; every run is kept in `history`."""
        argv = [str(PULUMI_BIN / "pulumi"), *args, "--non-interactive"]
        proc = subprocess.run(
            argv,
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=stdin,
            check=False,
        )
        result = CommandResult(tuple(args), proc.returncode, proc.stdout, proc.stderr)
        self.history.append(result)
        if check and proc.returncode != 0:
            raise PulumiCommandError(result)
        return result

    def _stack_args(self, args: Sequence[str]) -> list[str]:
        return [*args, "--stack", self.stack]

    def init(self) -> CommandResult:
        return self.run("stack", "init", self.stack, "--secrets-provider", "passphrase")

    def set_config(self, key: str, value: str, *, secret: bool = False) -> CommandResult:
        flags = ["--secret"] if secret else ["--plaintext"]
        # The value goes through stdin so that it never shows in a process listing.
        return self.run(*self._stack_args(["config", "set", key, *flags]), stdin=value)

    def up(self, *flags: str, check: bool = True) -> CommandResult:
        return self.run(*self._stack_args(["up", "--yes", "--skip-preview", *flags]), check=check)

    def preview(self, *flags: str, check: bool = True) -> CommandResult:
        return self.run(*self._stack_args(["preview", *flags]), check=check)

    def refresh(self, *flags: str, check: bool = True) -> CommandResult:
        confirm = [] if "--preview-only" in flags else ["--yes"]  # the CLI refuses both together
        return self.run(*self._stack_args(["refresh", *confirm, *flags]), check=check)

    def destroy(self, *flags: str, check: bool = True) -> CommandResult:
        return self.run(*self._stack_args(["destroy", "--yes", "--skip-preview", *flags]), check=check)

    def outputs(self) -> dict[str, Any]:
        result = self.run(*self._stack_args(["stack", "output", "--json"]))
        outputs: dict[str, Any] = json.loads(result.stdout)
        return outputs

    def export(self) -> dict[str, Any]:
        result = self.run(*self._stack_args(["stack", "export"]))
        state: dict[str, Any] = json.loads(result.stdout)
        return state

    def captured_text(self) -> str:
        """Everything the CLI printed so far, for secret scans."""
        return "\n".join(run.output for run in self.history)

    def state_files_text(self) -> str:
        """Every file the backend wrote (state, backups, history, locks), for secret scans."""
        chunks = []
        for path in sorted(self.state_dir.rglob("*")):
            if path.is_file():
                chunks.append(path.read_bytes().decode("utf-8", errors="replace"))
        return "\n".join(chunks)
