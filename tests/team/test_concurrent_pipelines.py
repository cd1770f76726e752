"""Two pipelines at once on a PostgreSQL backend: one stack is one run at a time, stacks run in parallel.

Each pipeline is its own runner (checkout and PULUMI_HOME) on the same server. The first run is
held inside its first Tavus call by pausing the sandbox (SIGSTOP) and is known to be inside its
update once its lock row is in the table; nothing waits on a timer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.postgres import PostgresServer
from providers.cli._lock_error import explain_lock_error
from sandbox.testing import SandboxProcess
from tests.support.deployment import Deployment
from tests.support.reliability import assert_account_matches_files, assert_converged, spawn
from tests.team.support import lock_holders, paused, second_runner, team_deployment, wait_for_locks

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TABLE = "concurrency_state"
# A paused sandbox must not look like a dead one to the provider's HTTP client.
PATIENT_TIMEOUT_S = "600"


def _deployment(root: Path, sandbox: SandboxProcess, server: PostgresServer, stack: str) -> Deployment:
    deployment = team_deployment(root, sandbox, server, TABLE, stack, personas=None)
    deployment.stack.set_config("tavus:timeoutSeconds", PATIENT_TIMEOUT_S)
    for name in ("greeter", "closer"):
        deployment.write_persona(name, f"persona_name: {stack} {name}\nsystem_prompt: You are the {name}.\n")
    return deployment


def test_second_up_on_a_locked_stack_fails_fast_then_converges(
    tmp_path: Path, sandbox: SandboxProcess, postgres: PostgresServer
) -> None:
    first = _deployment(tmp_path / "first", sandbox, postgres, "shared")
    second = second_runner(first, tmp_path / "second")
    # The second pipeline runs a newer commit: one more persona.
    second.write_persona("helper", "persona_name: shared helper\nsystem_prompt: You help.\n")

    with paused(sandbox):
        running = spawn(first.stack, "up", "--yes", "--skip-preview", log=tmp_path / "first-up.log")
        wait_for_locks([first.stack], postgres, [running])
        [holder] = lock_holders(first.stack, postgres)
        blocked = second.stack.up(check=False)
        assert running.poll() is None, "the second run returned while the first still held the lock"

    assert running.wait(timeout=600) == 0, (tmp_path / "first-up.log").read_text()[-3000:]
    assert holder["pid"] == running.pid
    assert blocked.returncode != 0
    assert "the stack is currently locked by 1 lock(s)" in blocked.output
    assert f"@{holder['hostname']} (pid {running.pid})" in blocked.output
    explained = explain_lock_error(blocked.output, ("up", "--stack", "shared"))
    assert explained is not None and f"(pid {running.pid})" in explained
    assert "python -m providers recover --stack shared" in explained

    assert_account_matches_files(first)  # the first run's personas, each once
    second.stack.up()  # the retry applies the newer commit on top of what the first run left
    assert lock_holders(first.stack, postgres) == []
    assert_account_matches_files(second)
    assert_converged(second)


def test_ups_on_different_stacks_run_at_the_same_time(
    tmp_path: Path, sandbox: SandboxProcess, postgres: PostgresServer
) -> None:
    stacks = [_deployment(tmp_path / name, sandbox, postgres, name) for name in ("team-x", "team-y")]

    with paused(sandbox):
        runs = [spawn(d.stack, "up", "--yes", "--skip-preview", log=tmp_path / f"{d.stack.stack}.log")
                for d in stacks]
        # Both hold their stack's lock at the same moment: neither waits for the other.
        wait_for_locks([d.stack for d in stacks], postgres, runs)

    for deployment, run in zip(stacks, runs, strict=True):
        log = tmp_path / f"{deployment.stack.stack}.log"
        assert run.wait(timeout=600) == 0, log.read_text()[-3000:]
        deployment.stack.preview("--refresh", "--expect-no-changes")
    # One account serves both stacks: each persona once, each stack's state naming its own.
    live = {str(p["persona_name"]): str(p["persona_id"]) for p in sandbox.admin.list(persona_type="user")}
    assert len(live) == len(sandbox.admin.list(persona_type="user")) == 4
    for deployment in stacks:
        name = deployment.stack.stack
        assert deployment.state_ids() == {n: live[f"{name} {n}"] for n in ("greeter", "closer")}
