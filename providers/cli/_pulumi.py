"""Running the user's Pulumi CLI from the GitOps commands, and reading what it returns.

The CLI runs in the caller's environment (their backend, their passphrase): these commands
are run by people and CI jobs that already use `pulumi`, so nothing is forced here. The binary
is the project's pinned `.tools/bin/pulumi` when it exists, else `pulumi` on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from providers.cli._lock_error import explain_lock_error
from providers.errors import CliError as CliError  # re-exported: the commands import it from here
from providers.facts import persona
from providers.kind import TYPE_PREFIX

PERSONA_TYPE = persona.KIND.type_token
DEFAULT_PROJECT = "tavus-personas"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_TAIL_LINES = 200  # of a streamed run's output, kept to explain its failure


def project_name(root: Path) -> str:
    """The project's name from `Pulumi.yaml` (config keys are namespaced by it)."""
    try:
        document = yaml.safe_load((root / "Pulumi.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return DEFAULT_PROJECT
    name = document.get("name") if isinstance(document, dict) else None
    return name if isinstance(name, str) and name else DEFAULT_PROJECT


def pulumi_binary(root: Path) -> str:
    for candidate in (root / ".tools/bin/pulumi", _REPO_ROOT / ".tools/bin/pulumi"):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("pulumi")
    if found is None:
        raise CliError("no Pulumi CLI: run `make bootstrap` or put pulumi on PATH")
    return found


def pulumi_argv(root: Path, *args: str) -> list[str]:
    """`pulumi ARGS`, never prompting: these commands run in CI and scripts."""
    return [pulumi_binary(root), *args, "--non-interactive"]


def run_pulumi(root: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    """stdout of `pulumi ARGS --non-interactive` run in `root`; CliError (with stderr) otherwise."""
    proc = subprocess.run(pulumi_argv(root, *args), cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode not in ok_codes:
        # Pulumi masks secret values in its own messages; we add only the command line.
        detail = (proc.stderr.strip() or _json_errors(proc.stdout) or proc.stdout.strip())[-2000:]
        locked = explain_lock_error(proc.stderr, args)
        raise CliError(locked or f"`pulumi {' '.join(args[:2])}` exited {proc.returncode}: {detail}")
    return proc.stdout


def stream_pulumi(root: Path, *args: str) -> None:
    """Run `pulumi ARGS --non-interactive` in `root`, its output shown as it comes; CliError on failure.

    Output (stderr merged into stdout) is passed through line by line and its tail kept, so that a
    lock error can be explained (`_lock_error`).
    """
    sys.stdout.flush()
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    with subprocess.Popen(
        pulumi_argv(root, *args), cwd=root, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            tail.append(line)
    if proc.returncode != 0:
        locked = explain_lock_error("".join(tail), args)
        failed = f"`pulumi {' '.join(args[:2])}` exited {proc.returncode} (its output is above)"
        raise CliError(locked or failed)


def _json_errors(stdout: str) -> str:
    """Error diagnostics of a failed `--json` run (the CLI puts them in stdout, not stderr)."""
    try:
        document = json.loads(stdout)
    except ValueError:
        return ""
    diagnostics = document.get("diagnostics") if isinstance(document, dict) else None
    return "\n".join(
        str(d.get("message", "")).strip() for d in diagnostics or [] if d.get("severity") == "error"
    )


def pulumi_json(root: Path, *args: str) -> Any:
    text = run_pulumi(root, *args)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CliError(f"`pulumi {' '.join(args[:2])}` did not print JSON: {text[:200]!r}") from exc


@dataclass(frozen=True)
class StateResource:
    """A tavus:* resource as the stack's state holds it."""

    name: str
    persona_id: str  # the resource's id: a persona's, or an objectives or guardrails set's
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    type: str = PERSONA_TYPE


def resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def is_persona(resource: Mapping[str, Any] | None) -> bool:
    return bool(resource) and resource is not None and resource.get("type") == PERSONA_TYPE


def state_resources(root: Path, stack: str) -> list[StateResource]:
    """Every tavus:* resource of the stack's last deployment (`pulumi stack export`; secrets stay
    encrypted), sorted by name."""
    document = pulumi_json(root, "stack", "export", "--stack", stack)
    resources = (document.get("deployment") or {}).get("resources") or []
    return sorted(_state_resources(resources), key=lambda r: r.name)


def state_personas(root: Path, stack: str) -> list[StateResource]:
    """Persona resources of the stack's last deployment."""
    return [r for r in state_resources(root, stack) if r.type == PERSONA_TYPE]


def _state_resources(resources: list[dict[str, Any]]) -> Iterator[StateResource]:
    for resource in resources:
        kind = str(resource.get("type", ""))
        if kind.startswith(TYPE_PREFIX) and not resource.get("delete"):
            yield StateResource(
                name=resource_name(resource["urn"]),
                persona_id=str(resource.get("id", "")),
                inputs=resource.get("inputs") or {},
                outputs=resource.get("outputs") or {},
                type=kind,
            )
