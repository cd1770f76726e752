"""`python -m providers recover`: what a killed run leaves on a file backend, and when a lock may go.

The damage is planted exactly as a killed `pulumi up` leaves it (an empty `.attrs` sidecar, a lock
file in the CLI's own format), so each case is deterministic; test_killed_deploy.py kills real runs.
The backend here is a plain `file://` URL, sidecars on, as most users have it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment
from tests.support.reliability import assert_converged, make_fleet

pytestmark = pytest.mark.e2e


@pytest.fixture
def deployed(tmp_path: Path, sandbox: SandboxProcess) -> Deployment:
    deployment = make_fleet(tmp_path, sandbox, 3)
    deployment.stack.extra_env["PULUMI_BACKEND_URL"] = f"file://{deployment.stack.backend_dir}"
    deployment.stack.up()
    return deployment


def plant_lock(deployment: Deployment, *, pid: int, hostname: str) -> Path:
    """A lock file as the CLI writes one (backend/diy/lock.go) for this project's stack."""
    stack = deployment.stack
    directory = stack.backend_dir / ".pulumi" / "locks" / "organization" / "tavus-personas" / stack.stack
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid.uuid4()}.json"
    content = {"pid": pid, "username": "ci", "hostname": hostname, "timestamp": "2026-11-30T12:00:00Z"}
    path.write_text(json.dumps(content))
    return path


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def recover(deployment: Deployment, *flags: str) -> subprocess.CompletedProcess[str]:
    stack = deployment.stack
    return run_cli("recover", "--stack", stack.stack, *flags, cwd=deployment.project, stack=stack)


def assert_ready(deployment: Deployment) -> None:
    """The next up changes nothing in Tavus, and the stack has no diff left."""
    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up()
    assert deployment.writes_since(cursor) == []
    assert_converged(deployment)


def test_cut_off_sidecar_and_dead_lock_are_repaired(deployed: Deployment) -> None:
    stack = deployed.stack
    sidecars = list((stack.backend_dir / ".pulumi" / "stacks").rglob(f"{stack.stack}.json.attrs"))
    assert len(sidecars) == 1, "a plain file:// backend writes a sidecar beside the checkpoint"
    sidecars[0].write_bytes(b"")  # what a SIGKILL between create and write leaves
    lock = plant_lock(deployed, pid=dead_pid(), hostname=socket.gethostname())

    broken = stack.up(check=False)
    assert broken.returncode != 0 and "failed to load checkpoint: EOF" in broken.output

    result = recover(deployed)

    assert result.returncode == 0, result.stderr
    assert f"removed cut-off metadata file {sidecars[0]}" in result.stdout
    assert "removing the lock of a dead run: ci@" in result.stdout
    assert not lock.exists()
    assert "is ready; run `pulumi up --stack rel`" in result.stdout
    assert_ready(deployed)


def test_lock_of_a_live_local_process_is_kept(deployed: Deployment) -> None:
    lock = plant_lock(deployed, pid=os.getpid(), hostname=socket.gethostname())

    result = recover(deployed, "--force-unlock")

    assert result.returncode == 1
    assert "is in use by a live process" in result.stderr and f"(pid {os.getpid()})" in result.stderr
    assert lock.exists()


def test_lock_from_another_machine_needs_force_unlock(deployed: Deployment) -> None:
    lock = plant_lock(deployed, pid=4242, hostname="ci-runner-7")

    refused = recover(deployed)

    assert refused.returncode == 1
    assert "locked from another machine: ci@ci-runner-7 (pid 4242)" in refused.stderr
    assert "--force-unlock" in refused.stderr
    assert lock.exists()

    forced = recover(deployed, "--force-unlock")

    assert forced.returncode == 0, forced.stderr
    assert not lock.exists()
    assert_ready(deployed)


def test_healthy_stack_is_left_alone(deployed: Deployment) -> None:
    before = sorted(p.relative_to(deployed.stack.backend_dir) for p in deployed.stack.backend_dir.rglob("*"))

    result = recover(deployed)

    assert result.returncode == 0, result.stderr
    assert not any(word in result.stdout for word in ("removed", "removing", "refreshing"))
    after = sorted(p.relative_to(deployed.stack.backend_dir) for p in deployed.stack.backend_dir.rglob("*"))
    assert after == before
