"""`drift` against the real Pulumi CLI and the sandbox: exit codes and reports for clean, a managed
edit, an unmanaged edit and an out-of-band delete. Tests run in file order on one stack.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment, assert_no_secrets, make_deployment

pytestmark = pytest.mark.e2e

WEB_UI_PROMPT = "Edited in the web UI: " + "you tell very short stories, one paragraph at most. " * 3


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    d = make_deployment(tmp_path_factory.mktemp("drift"), module_sandbox, stack_name="prod")
    d.stack.up()
    return d


def _drift(d: Deployment, *flags: str) -> tuple[int, str]:
    result = run_cli("drift", "--stack", "prod", "--root", ".", *flags, cwd=d.project, stack=d.stack)
    assert_no_secrets(result.stdout + result.stderr, "the drift report")
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout + result.stderr


def _report(d: Deployment) -> tuple[int, dict[str, Any]]:
    code, out = _drift(d, "--json")
    return code, json.loads(out)


def test_clean_stack_exits_0(deployment: Deployment) -> None:
    code, out = _drift(deployment)
    assert code == 0, out
    assert out.startswith("no drift in stack prod (2 resource(s) checked)")
    code, report = _report(deployment)
    assert code == 0
    assert report == {
        "schema": "tavus-personas.drift/v1",
        "stack": "prod",
        "drift": False,
        "checked": 2,
        "managed": [],
        "deleted": [],
        "unmanaged": [],
    }


def test_managed_field_edit_exits_2_with_a_field_diff(deployment: Deployment) -> None:
    ids = deployment.state_ids()
    deployment.sandbox.admin.edit(
        ids["storyteller"], [{"op": "replace", "path": "/system_prompt", "value": WEB_UI_PROMPT}]
    )
    cursor = deployment.sandbox.admin.cursor()

    code, report = _report(deployment)

    assert code == 2
    assert report["deleted"] == [] and report["unmanaged"] == []
    assert report["managed"] == [
        {
            "resource": "storyteller",
            "kind": "persona",
            "persona_id": ids["storyteller"],
            "persona_name": "Storyteller",
            "changes": [
                {
                    "path": "system_prompt",
                    "kind": "update",
                    "secret": False,
                    "old": "You are a storyteller who entertains people of all ages.",
                    "new": WEB_UI_PROMPT,
                }
            ],
        }
    ]
    code, text = _drift(deployment)
    assert code == 2
    assert "Managed fields changed outside Pulumi" in text
    assert "-You are a storyteller who entertains people of all ages." in text  # long text: unified diff
    code, markdown = _drift(deployment, "--markdown")
    assert code == 2 and "```diff" in markdown and "#### `storyteller` — Storyteller" in markdown
    assert deployment.writes_since(cursor) == []  # a drift check never writes to Tavus
    assert deployment.state_ids() == ids  # nor to the stack

    deployment.stack.up("--refresh")  # revert the edit
    assert _drift(deployment)[0] == 0


def test_unmanaged_field_edit_exits_2_in_its_own_section(deployment: Deployment) -> None:
    coach = deployment.state_ids()["health-coach"]
    deployment.sandbox.admin.edit(
        coach,
        [
            {
                "op": "add",
                "path": "/layers/tts",
                "value": {"tts_engine": "elevenlabs", "external_voice_id": "v42"},
            }
        ],
    )

    code, report = _report(deployment)

    assert code == 2
    assert report["managed"] == [] and report["deleted"] == []
    assert report["unmanaged"] == [
        {
            "resource": "health-coach",
            "kind": "persona",
            "persona_id": coach,
            "persona_name": "Health Coach",
            "changes": [
                {
                    "path": "layers.tts.external_voice_id",
                    "kind": "add",
                    "secret": False,
                    "old": None,
                    "new": "v42",
                },
                {
                    "path": "layers.tts.tts_engine",
                    "kind": "add",
                    "secret": False,
                    "old": None,
                    "new": "elevenlabs",
                },
            ],
        }
    ]
    code, text = _drift(deployment)
    assert "Fields the files do not set, changed outside Pulumi" in text
    assert 'layers.tts.tts_engine: "elevenlabs"' in text

    # Accepting the live value (refresh stores it as the new baseline) makes the stack clean again.
    deployment.stack.refresh()
    assert _drift(deployment)[0] == 0


def test_out_of_band_delete_exits_2_as_deleted(deployment: Deployment) -> None:
    coach = deployment.state_ids()["health-coach"]
    deployment.sandbox.admin.delete(coach)

    code, report = _report(deployment)

    assert code == 2
    assert report["managed"] == [] and report["unmanaged"] == []
    assert report["deleted"] == [
        {"resource": "health-coach", "kind": "persona", "persona_id": coach, "persona_name": "Health Coach"}
    ]
    code, markdown = _drift(deployment, "--markdown")
    assert "### Deleted outside Pulumi" in markdown and f"(`{coach}`)" in markdown


def test_unknown_stack_exits_1(deployment: Deployment) -> None:
    result = run_cli("drift", "--stack", "nope", cwd=deployment.project, stack=deployment.stack)
    assert result.returncode == 1
    assert result.stderr.startswith("drift: `pulumi refresh") and "Traceback" not in result.stderr
