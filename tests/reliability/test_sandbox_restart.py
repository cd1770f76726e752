"""The sandbox stops and restarts (same database, same port) in the middle of an `up`."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.pulumi import CommandResult
from sandbox.testing import SandboxProcess
from tests.support.reliability import (
    FIGURES,
    assert_clean_failure,
    assert_converged,
    make_fleet,
    spawn,
    wait_for_requests,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FLEET = 30


@pytest.mark.parametrize("graceful", [True, False], ids=["sigterm", "sigkill"])
def test_up_survives_a_sandbox_restart(tmp_path: Path, sandbox: SandboxProcess, graceful: bool) -> None:
    deployment = make_fleet(tmp_path, sandbox, FLEET)
    stack = deployment.stack
    sandbox.admin.update_faults(latency_ms=200)
    cursor = sandbox.admin.cursor()
    log = tmp_path / "up.log"
    process = spawn(stack, "up", "--yes", "--skip-preview", log=log)
    wait_for_requests(sandbox, "POST", 10, cursor, process)

    port = sandbox.port
    sandbox.restart(graceful=graceful)  # the start-up faults (none) come back: no latency now
    assert sandbox.port == port, "the stack's tavus:baseUrl names the old port"
    FIGURES["sandbox restarts mid-run"] += 1
    code = process.wait(timeout=900)
    output = log.read_text(errors="replace")
    if code != 0:
        assert_clean_failure(CommandResult(("up",), code, output, ""))
        FIGURES["runs failed cleanly, then converged"] += 1
        stack.up()
    assert_converged(deployment)
