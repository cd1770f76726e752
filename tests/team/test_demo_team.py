"""`make demo-team` as a newcomer runs it: a real PostgreSQL server, dev -> prod, then nothing left over."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.pulumi import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_demo_team_promotes_dev_to_prod_and_cleans_up() -> None:
    make = shutil.which("make")
    assert make is not None
    result = subprocess.run(
        [make, "-s", "demo-team"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output[-4000:]
    assert "PULUMI_BACKEND_URL=postgres:/// with PGHOST" in output
    assert "## Tavus personas: plan for stack `prod`" in output and "**5 to create" in output
    assert "promote: stack prod now runs the files of stack dev" in output
    assert "no drift in stack prod (5 resource(s) checked)" in output
    assert ".pulumi/stacks/tavus-personas/prod.json " in output
    data_dir = re.search(r"\(data in (\S+)\)", output)
    assert data_dir is not None and not Path(data_dir.group(1)).exists(), "the server's directory was removed"
    assert "Traceback" not in output
