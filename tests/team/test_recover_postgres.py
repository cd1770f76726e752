"""`python -m providers recover` on a PostgreSQL backend: the lock is a row, read from the table.

Each case is planted: a dead run's lock (a row in the CLI's own format, with the pid of a process
that has exited), a live local run's lock (this test's pid), a lock from another machine; and a
real `pulumi up` killed mid-create, which leaves both its lock and pending creates.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness.postgres import PostgresServer
from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment
from tests.support.reliability import (
    assert_account_matches_files,
    assert_converged,
    fleet_persona,
    kill_group,
    spawn,
    wait_for_requests,
)
from tests.team.support import dead_pid, lock_holders, plant_lock, team_deployment, this_host

pytestmark = pytest.mark.e2e

TABLE = "recover_state"


@pytest.fixture
def deployed(tmp_path: Path, sandbox: SandboxProcess, postgres: PostgresServer) -> Deployment:
    deployment = team_deployment(tmp_path, sandbox, postgres, TABLE, f"rec-{tmp_path.name[-12:]}", None)
    for index in range(3):
        deployment.write_persona(f"fleet-{index:03d}", fleet_persona(index))
    deployment.stack.up()
    return deployment


def recover(deployment: Deployment, *flags: str) -> subprocess.CompletedProcess[str]:
    stack = deployment.stack
    return run_cli("recover", "--stack", stack.stack, *flags, cwd=deployment.project, stack=stack)


def test_dead_local_lock_is_removed(deployed: Deployment, postgres: PostgresServer) -> None:
    plant_lock(postgres, TABLE, deployed.stack.stack, pid=dead_pid(), hostname=this_host())
    blocked = deployed.stack.up(check=False)
    assert blocked.returncode != 0 and "currently locked" in blocked.output

    result = recover(deployed)

    assert result.returncode == 0, result.stderr
    assert "removing the lock of a dead run: ci@" in result.stdout
    assert lock_holders(deployed.stack, postgres) == []
    cursor = deployed.sandbox.admin.cursor()
    deployed.stack.up()
    assert deployed.writes_since(cursor) == []


def test_live_local_lock_is_kept_even_when_forced(deployed: Deployment, postgres: PostgresServer) -> None:
    plant_lock(postgres, TABLE, deployed.stack.stack, pid=os.getpid(), hostname=this_host())

    result = recover(deployed, "--force-unlock")

    assert result.returncode == 1
    assert "is in use by a live process" in result.stderr and f"(pid {os.getpid()})" in result.stderr
    assert [h["pid"] for h in lock_holders(deployed.stack, postgres)] == [os.getpid()]


def test_foreign_lock_needs_force_unlock(deployed: Deployment, postgres: PostgresServer) -> None:
    plant_lock(postgres, TABLE, deployed.stack.stack, pid=4242, hostname="ci-runner-7")

    refused = recover(deployed)

    assert refused.returncode == 1
    assert "locked from another machine: ci@ci-runner-7 (pid 4242)" in refused.stderr
    assert "--force-unlock" in refused.stderr
    assert len(lock_holders(deployed.stack, postgres)) == 1

    forced = recover(deployed, "--force-unlock")

    assert forced.returncode == 0, forced.stderr
    assert lock_holders(deployed.stack, postgres) == []


@pytest.mark.slow
def test_killed_up_leaves_lock_and_pending_creates_that_recover_clears(
    tmp_path: Path, sandbox: SandboxProcess, postgres: PostgresServer
) -> None:
    deployment = team_deployment(tmp_path / "killed", sandbox, postgres, TABLE, "killed", None)
    for index in range(20):
        deployment.write_persona(f"fleet-{index:03d}", fleet_persona(index))
    stack = deployment.stack
    sandbox.admin.update_faults(latency_ms=250)  # slow enough to kill mid-run
    cursor = sandbox.admin.cursor()
    process = spawn(stack, "up", "--yes", "--skip-preview", log=tmp_path / "killed-up.log")
    wait_for_requests(sandbox, "POST", 8, cursor, process)
    kill_group(process, stack.project_dir)

    assert [h["pid"] for h in lock_holders(stack, postgres)] == [process.pid]
    assert stack.export()["deployment"].get("pending_operations"), "the kill left pending creates"
    sandbox.admin.update_faults(latency_ms=0)

    recovered = recover(deployment)

    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "removing the lock of a dead run: " in recovered.stdout
    assert "pending operation(s) in the state; refreshing" in recovered.stdout
    assert not stack.export()["deployment"].get("pending_operations")
    stack.up()
    assert_account_matches_files(deployment)
    assert_converged(deployment)
