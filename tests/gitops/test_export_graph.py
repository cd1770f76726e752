"""`export` of the persona's graph: hand-made objectives and guardrails sets become files, and the
personas pointing at them are written with `{ref:}` by name instead of ids; `pulumi up` adopts it all.
"""

from __future__ import annotations

import pytest
import yaml

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment, make_deployment

pytestmark = pytest.mark.e2e

INTAKE = {"data": [{"objective_name": "greet", "objective_prompt": "Greet the visitor."}]}
RULES = {
    "name": "House rules",
    "data": [{"guardrail_name": "no_prices", "guardrail_prompt": "Never quote prices."}],
}


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    root = tmp_path_factory.mktemp("export-graph")
    d = make_deployment(root, module_sandbox, personas=None, stack_name="prod")
    objectives_id = module_sandbox.admin.create_item("objectives", INTAKE)
    guardrails_id = module_sandbox.admin.create_item("guardrails", RULES)
    module_sandbox.admin.create({
        "persona_name": "Concierge",
        "system_prompt": "You welcome hotel guests.",
        "objectives_id": objectives_id,
        "guardrail_ids": [guardrails_id],
    })
    return d


def test_export_writes_sets_and_personas_that_reference_them_by_name(account: Deployment) -> None:
    d = account
    result = run_cli("export", "--stack", "prod", cwd=d.project, stack=d.stack)
    assert result.returncode == 0, result.stderr

    [objectives_file] = sorted((d.project / "objectives").glob("*.yaml"))
    objectives = yaml.safe_load(objectives_file.read_text())
    assert objectives["data"] == INTAKE["data"] and "adopt" in objectives["pulumi"]
    rules = yaml.safe_load((d.project / "guardrails" / "house-rules.yaml").read_text())
    assert rules["name"] == "House rules" and rules["data"] == RULES["data"]
    concierge = yaml.safe_load((d.personas_dir / "concierge.yaml").read_text())
    assert concierge["objectives_id"] == {"ref": f"objectives/{objectives_file.stem}"}
    assert concierge["guardrail_ids"] == [{"ref": "guardrails/house-rules"}]
    assert "3 file(s) exported" in result.stdout

    cursor = d.sandbox.admin.cursor()
    d.stack.up()
    assert d.sandbox.admin.count("POST", since=cursor) == 0, "export + up must adopt, never duplicate"
    d.stack.preview("--expect-no-changes")

    again = run_cli("export", "--stack", "prod", cwd=d.project, stack=d.stack)
    assert again.returncode == 0 and "0 file(s) exported" in again.stdout
