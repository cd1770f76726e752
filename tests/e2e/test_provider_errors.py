"""What `pulumi up` shows when Tavus refuses: the product's error and its fix, no Python traceback.

See providers/_engine_errors.py: the SDK's provider server would otherwise wrap every error in a
traceback of its own frames and ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.testing import SandboxProcess, start_sandbox
from tests.support.deployment import TAVUS_KEY, Deployment, make_deployment

pytestmark = pytest.mark.e2e

PERSONA = "persona_name: Errors Demo\nsystem_prompt: You help.\npipeline_mode: full\n"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    with start_sandbox(tmp_path / "tavus.db", [TAVUS_KEY], log_path=tmp_path / "sandbox.log") as process:
        yield process


@pytest.fixture
def deployment(tmp_path: Path, sandbox: SandboxProcess) -> Deployment:
    deployment = make_deployment(tmp_path, sandbox, personas=None)
    deployment.write_persona("errors-demo", PERSONA)
    return deployment


def test_refused_api_key_is_one_line_and_its_fix(deployment: Deployment) -> None:
    deployment.stack.set_config("tavus:apiKey", "tavus-wrong-key-0b7e2d", secret=True)

    result = deployment.stack.up(check=False)

    assert result.returncode != 0
    assert "Traceback" not in result.output and 'File "' not in result.output, result.output
    assert "error: AuthenticationError: Tavus API error 401 on GET /v2/personas: " in result.output
    assert "`pulumi config set --secret tavus:apiKey <key>`" in result.output
    assert "tavus-wrong-key-0b7e2d" not in result.output


def test_server_failing_every_create_says_to_run_again(deployment: Deployment) -> None:
    deployment.sandbox.admin.update_faults(error_rate=1.0, error_methods=["POST"], error_statuses=[503])

    result = deployment.stack.up(check=False)

    assert result.returncode != 0
    assert "Traceback" not in result.output, result.output
    assert "error: ServerError: Tavus API error 503 on POST /v2/personas" in result.output
    assert "Run `pulumi up` again: a failed run loses and duplicates nothing" in result.output

    deployment.sandbox.admin.update_faults(error_rate=0.0)
    deployment.stack.up()
    assert [p["persona_name"] for p in deployment.user_personas()] == ["Errors Demo"]
