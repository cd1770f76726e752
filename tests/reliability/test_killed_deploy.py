"""A `pulumi up` killed with SIGKILL while creating 50 personas, then the recovery in docs/reliability.md.

The kill comes from the sandbox's request log (after N creates arrived), not from a timer. The
recovery is the documented one for the file backend with Pulumi v3.274.1: `pulumi cancel --yes`
removes the dead run's lock; `pulumi refresh --yes --clear-pending-creates` drops the pending
creates from the state; the next `up` adopts each persona the killed run had already created, by
name, instead of creating a duplicate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.testing import SandboxProcess
from tests.reliability.support import (
    FIGURES,
    assert_account_matches_files,
    assert_converged,
    kill_group,
    make_fleet,
    spawn,
    state_document,
    wait_for_requests,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FLEET = 50


@pytest.mark.parametrize("kill_after", [5, 25, 45])
def test_killed_up_recovers_without_duplicates_or_orphans(
    tmp_path: Path, sandbox: SandboxProcess, kill_after: int
) -> None:
    deployment = make_fleet(tmp_path, sandbox, FLEET)
    stack = deployment.stack
    sandbox.admin.update_faults(latency_ms=250)  # slow enough to kill mid-run
    cursor = sandbox.admin.cursor()
    process = spawn(stack, "up", "--yes", "--skip-preview", log=tmp_path / "killed-up.log")
    wait_for_requests(sandbox, "POST", kill_after, cursor, process)
    kill_group(process, stack.project_dir)
    FIGURES["deploys killed"] += 1

    checkpoint = state_document(stack)["checkpoint"]["latest"]
    locks = list((stack.backend_dir / ".pulumi" / "locks").rglob("*.json"))
    assert locks, "a killed run leaves its lock behind"
    blocked = stack.up(check=False)
    assert blocked.returncode != 0 and "locked" in blocked.output
    pending = checkpoint.get("pending_operations") or []
    FIGURES["pending creates left by kills"] += len(pending)

    # The documented recovery.
    sandbox.admin.update_faults(latency_ms=0)
    stack.run("cancel", "--yes", "--stack", stack.stack)
    stack.refresh("--clear-pending-creates")
    stack.up()

    assert not (state_document(stack)["checkpoint"]["latest"].get("pending_operations") or [])
    assert len(deployment.state_ids()) == FLEET
    assert_account_matches_files(deployment)
    assert_converged(deployment)
