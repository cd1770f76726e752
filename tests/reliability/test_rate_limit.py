"""50 personas through a sandbox limited to 5 requests/s with 429 + Retry-After: no failed step."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sandbox.testing import SandboxProcess
from tests.support.reliability import FIGURES, NOTES, assert_converged, make_fleet, record_faults

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FLEET = 50
RATE = 5


def test_up_of_50_personas_under_a_rate_limit_succeeds(tmp_path: Path, sandbox: SandboxProcess) -> None:
    deployment = make_fleet(tmp_path, sandbox, FLEET, with_secret=True)
    sandbox.admin.update_faults(rate_limit=RATE, rate_limit_window_s=1.0)
    cursor = sandbox.admin.cursor()

    started = time.monotonic()
    result = deployment.stack.up()
    elapsed = time.monotonic() - started

    assert "error" not in result.output.lower(), result.output[-3000:]
    faults = record_faults(sandbox, cursor)
    assert faults.get("rate_limited", 0) > 0, "the limit must actually have been hit"
    log = sandbox.admin.requests(since=cursor)["requests"]
    served = sum(1 for entry in log if entry.get("fault") != "rate_limited")
    per_persona = served / FLEET
    floor = FLEET * per_persona / RATE
    NOTES.append(
        f"rate limit {RATE}/s: up of {FLEET} personas took {elapsed:.0f} s; {served} requests served "
        f"({per_persona:.1f} per persona), {faults['rate_limited']} answered 429; "
        f"the limit alone needs {floor:.0f} s (50 x {per_persona:.1f} / {RATE})"
    )
    sandbox.admin.update_faults(rate_limit=0)
    assert_converged(deployment)
    FIGURES["rate-limited ups of 50 succeeded"] += 1
