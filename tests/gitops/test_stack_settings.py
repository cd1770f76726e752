"""The commands that call Tavus themselves use the stack's settings as the provider does.

`export` once built its client from the key and URL only, so `tavus:timeoutSeconds` was ignored:
against a Tavus that answers slower than the stack's timeout it waited and succeeded, where
`pulumi up` gives up. Real sandbox (its slow-response fault), real stack, real CLI.
"""

from __future__ import annotations

import pytest

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import assert_no_secrets, make_deployment

pytestmark = pytest.mark.e2e


def test_export_gives_up_after_the_stacks_timeout(
    tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess
) -> None:
    d = make_deployment(tmp_path_factory.mktemp("timeout"), module_sandbox, personas=None, stack_name="slow")
    d.stack.set_config("tavus:timeoutSeconds", "0.5")
    module_sandbox.admin.update_faults(slow_ms=3000, slow_methods=["GET"])  # 6x the timeout
    try:
        result = run_cli("export", "--stack", "slow", cwd=d.project, stack=d.stack)
    finally:
        module_sandbox.admin.update_faults(slow_ms=0, slow_methods=[])

    assert result.returncode == 1, result.stdout + result.stderr
    assert "export: No answer from Tavus in time on GET /v2/" in result.stderr
    assert "ReadTimeout" in result.stderr and "Traceback" not in result.stderr
    assert_no_secrets(result.stdout + result.stderr, "export's error")
    assert list(d.personas_dir.glob("*.yaml")) == []
