"""A `pulumi up` killed with SIGKILL while creating 50 personas, then the recovery in docs/reliability.md.

The kill comes from the sandbox's request log (after N creates arrived), not from a timer. The
backend is a plain `file://` URL (metadata sidecars on, as most users have it), so a kill can also
land while the CLI writes a sidecar. The recovery is the documented one: `python -m providers
recover` repairs a cut-off sidecar, removes the dead run's lock and clears the pending creates;
the next `up` adopts each persona the killed run had already created, by name, instead of creating
a duplicate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.reliability import (
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
    stack.extra_env["PULUMI_BACKEND_URL"] = f"file://{stack.backend_dir}"
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
    # "locked", or, when the kill cut off a metadata sidecar, "failed to load checkpoint: EOF".
    assert blocked.returncode != 0 and ("locked" in blocked.output or "checkpoint: EOF" in blocked.output)
    pending = checkpoint.get("pending_operations") or []
    FIGURES["pending creates left by kills"] += len(pending)

    # The documented recovery.
    sandbox.admin.update_faults(latency_ms=0)
    recovered = run_cli("recover", "--stack", stack.stack, cwd=stack.project_dir, stack=stack)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "removing the lock of a dead run" in recovered.stdout
    FIGURES["cut-off sidecars repaired"] += recovered.stdout.count("removed cut-off metadata file")
    stack.up()

    assert not (state_document(stack)["checkpoint"]["latest"].get("pending_operations") or [])
    assert len(deployment.state_ids()) == FLEET
    assert_account_matches_files(deployment)
    assert_converged(deployment)
