"""Helpers for the team tests: stacks on a shared postgres:// backend, runners, locks, paused sandboxes.

A "runner" is what a CI job is: its own checkout (project copy) and PULUMI_HOME, the same backend
and stack as the others. Synchronisation is by observable state (a lock row in the table, the
sandbox's request log), polled with a deadline; a paused sandbox (SIGSTOP) holds a run inside
its first API call for exactly as long as a test needs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from harness.postgres import PostgresServer
from harness.project import make_project
from harness.pulumi import REPO_ROOT, PulumiStack
from providers.cli._postgres_state import PostgresState, lock_prefix
from sandbox.testing import SandboxProcess
from tests.support.deployment import SECRETS, Deployment, make_deployment

PROJECT = "tavus-personas"
LOCK_DEADLINE_S = 120.0


def team_deployment(
    root: Path, sandbox: SandboxProcess, server: PostgresServer, table: str, stack_name: str,
    personas: Path | None = REPO_ROOT / "personas",
) -> Deployment:
    """A deployment whose stack lives in `table` of the shared server (credentials via PG*)."""
    root.mkdir(parents=True, exist_ok=True)
    return make_deployment(
        root, sandbox, personas, stack_name, backend_url=server.backend_url(table), backend_env=server.env
    )


def second_runner(first: Deployment, root: Path) -> Deployment:
    """Another CI runner on the same stack: a fresh checkout (same files and stack config), own home."""
    root.mkdir(parents=True, exist_ok=True)
    project = make_project(root, first.personas_dir)
    for config in first.project.glob("Pulumi.*.yaml"):
        shutil.copy(config, project / config.name)
    stack = first.stack
    runner = PulumiStack(
        project_dir=project, state_dir=root / "state", stack=stack.stack,
        backend_url=stack.backend_url, extra_env=dict(stack.extra_env),
    )
    return Deployment(project, runner, first.sandbox)


def state_of(stack: PulumiStack, server: PostgresServer) -> PostgresState:
    assert stack.backend_url is not None
    return PostgresState(stack.backend_url, env=server.env)


def lock_holders(stack: PulumiStack, server: PostgresServer) -> list[dict[str, object]]:
    """The decoded lock rows of the stack (pid, hostname, username, timestamp)."""
    blobs = state_of(stack, server).blobs(lock_prefix(PROJECT, stack.stack))
    return [json.loads(blob.content) for blob in blobs]


def wait_for_locks(
    stacks: list[PulumiStack], server: PostgresServer, runs: list[subprocess.Popen[bytes]]
) -> None:
    """Poll until every stack has a lock row at the same moment (each run is inside its update)."""
    deadline = time.monotonic() + LOCK_DEADLINE_S
    while not all(lock_holders(stack, server) for stack in stacks):
        for run in runs:
            assert run.poll() is None, f"pulumi exited ({run.returncode}) before taking its lock"
        assert time.monotonic() < deadline, f"no lock row within {LOCK_DEADLINE_S}s"
        time.sleep(0.05)  # polling interval of the state table, not a synchronisation sleep


def plant_lock(server: PostgresServer, table: str, stack: str, *, pid: int, hostname: str) -> str:
    """A lock row exactly as the CLI writes one (backend/diy/lock.go + postgres/bucket.go)."""
    key = f"{lock_prefix(PROJECT, stack)}{uuid.uuid4()}.json"
    content = {"pid": pid, "username": "ci", "hostname": hostname, "timestamp": "2026-11-30T12:00:00Z"}
    data = json.dumps({"data": base64.b64encode(json.dumps(content).encode()).decode()})
    with server.admin() as admin:
        admin.execute(f"INSERT INTO {table} (key, data) VALUES (%s, %s)".encode(), (key, data))
    return key


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def this_host() -> str:
    return socket.gethostname()


@contextlib.contextmanager
def paused(sandbox: SandboxProcess) -> Iterator[None]:
    """SIGSTOP the sandbox (connections queue in the kernel; calls wait) until the block ends."""
    assert sandbox.pid is not None
    os.kill(sandbox.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(sandbox.pid, signal.SIGCONT)


def scan_rows(state: PostgresState, secrets: tuple[str, ...] = SECRETS) -> tuple[int, list[str]]:
    """(rows scanned, 'key: secret…' findings) over every row, stored form and decoded form."""
    findings = []
    blobs = state.blobs()
    for blob in blobs:
        text = blob.raw + "\n" + blob.content.decode("utf-8", errors="replace")
        findings += [f"{blob.key}: {secret[:6]}…" for secret in secrets if secret in text]
    return len(blobs), findings
