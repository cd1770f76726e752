"""The full persona lifecycle through the real Pulumi CLI against the sandbox (README: Tests).

The tests run in file order and share one stack: each step starts from the state
the previous one left, the way a team's stack evolves.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.pulumi import EXIT_CHANGES_FOUND
from tests.support.deployment import REPLICA_ID, ROTATED_KEY, STORYTELLER_KEY, Deployment, assert_no_secrets

pytestmark = pytest.mark.e2e

HEALTH_CONTEXT_EDIT = "You now also coach sleep hygiene."


def _by_name(d: Deployment) -> dict[str, dict[str, Any]]:
    return {str(p["persona_name"]): p for p in d.user_personas()}


def _persona_state(d: Deployment, name: str) -> dict[str, Any]:
    for resource in d.stack.export()["deployment"]["resources"]:
        if resource["urn"].endswith(f"::{name}"):
            return dict(resource)
    raise AssertionError(f"{name} is not in the state")


def test_up_creates_every_example_persona(deployment: Deployment) -> None:
    deployment.stack.up("--diff")

    personas = _by_name(deployment)
    assert sorted(personas) == ["Health Coach", "Storyteller"]
    storyteller = personas["Storyteller"]
    assert storyteller["system_prompt"] == "You are a storyteller who entertains people of all ages."
    assert storyteller["default_replica_id"] == REPLICA_ID  # {config: replicaId} resolved
    assert storyteller["layers"]["llm"]["api_key"] == STORYTELLER_KEY  # {secret: ...} resolved
    assert storyteller["layers"]["llm"]["extra_body"] == {"temperature": 0.5}
    coach = personas["Health Coach"]
    assert coach["layers"]["llm"] == {"model": "tavus-gpt-4o", "speculative_inference": True}

    ids = deployment.state_ids()
    assert ids == {"health-coach": coach["persona_id"], "storyteller": storyteller["persona_id"]}
    assert deployment.stack.outputs() == {"persona_ids": ids}


def test_no_phantom_changes_right_after_up(deployment: Deployment) -> None:
    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.preview("--expect-no-changes", "--diff")
    deployment.stack.up("--expect-no-changes")
    deployment.stack.refresh("--preview-only", "--expect-no-changes")
    assert deployment.writes_since(cursor) == []


def test_editing_one_field_patches_exactly_that_path(deployment: Deployment) -> None:
    deployment.edit_persona("health-coach", "and you help people", f"{HEALTH_CONTEXT_EDIT} You help people")
    plan = deployment.stack.preview("--diff")
    assert "health-coach" in plan.stdout and "context" in plan.stdout
    assert "storyteller" not in "\n".join(
        line for line in plan.stdout.splitlines() if line.lstrip()[:1] in "~+-"
    )

    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up()
    writes = deployment.writes_since(cursor)
    coach_id = deployment.state_ids()["health-coach"]
    assert [(w["method"], w["path"]) for w in writes] == [("PATCH", f"/v2/personas/{coach_id}")]
    ops = json.loads(str(writes[0]["body"]))
    assert [op["path"] for op in ops] == ["/context"]
    assert HEALTH_CONTEXT_EDIT in _by_name(deployment)["Health Coach"]["context"]


def test_out_of_band_edit_is_detected_and_reverted(deployment: Deployment) -> None:
    storyteller_id = deployment.state_ids()["storyteller"]
    deployment.sandbox.admin.edit(
        storyteller_id, [{"op": "replace", "path": "/system_prompt", "value": "Edited in the web UI"}]
    )

    drift = deployment.stack.refresh("--preview-only", "--expect-no-changes", check=False)
    assert drift.returncode == EXIT_CHANGES_FOUND, drift.output
    plan = deployment.stack.preview("--refresh", "--diff")
    assert "system_prompt" in plan.stdout and "Edited in the web UI" in plan.stdout

    deployment.stack.up("--refresh")
    assert _by_name(deployment)["Storyteller"]["system_prompt"].startswith("You are a storyteller")
    deployment.stack.preview("--refresh", "--expect-no-changes")


def test_out_of_band_delete_is_recreated_once(deployment: Deployment) -> None:
    old_id = deployment.state_ids()["health-coach"]
    assert deployment.sandbox.admin.delete(old_id)

    deployment.stack.up("--refresh")
    coaches = [p for p in deployment.user_personas() if p["persona_name"] == "Health Coach"]
    assert len(coaches) == 1
    assert coaches[0]["persona_id"] != old_id
    assert deployment.state_ids()["health-coach"] == coaches[0]["persona_id"]


def test_rotating_a_secret_updates_only_that_key(deployment: Deployment) -> None:
    before = _persona_state(deployment, "storyteller")["outputs"]["secret_fingerprints"]
    deployment.stack.set_config("storytellerOpenaiApiKey", ROTATED_KEY, secret=True)

    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up("--diff")
    writes = deployment.writes_since(cursor)
    storyteller_id = deployment.state_ids()["storyteller"]
    assert [(w["method"], w["path"]) for w in writes] == [("PATCH", f"/v2/personas/{storyteller_id}")]
    assert [op["path"] for op in json.loads(str(writes[0]["body"]))] == ["/layers/llm/api_key"]
    assert _by_name(deployment)["Storyteller"]["layers"]["llm"]["api_key"] == ROTATED_KEY

    after = _persona_state(deployment, "storyteller")["outputs"]["secret_fingerprints"]
    assert set(after) == {"layers.llm.api_key"}
    assert after != before
    deployment.stack.preview("--expect-no-changes")


def test_a_key_changed_in_the_web_ui_is_detected_and_written_back(deployment: Deployment) -> None:
    storyteller_id = deployment.state_ids()["storyteller"]
    web_ui_key = "sk-set-in-the-web-ui-0000"  # the sandbox shows it as ****0000
    deployment.sandbox.admin.edit(
        storyteller_id, [{"op": "replace", "path": "/layers/llm/api_key", "value": web_ui_key}]
    )

    drift = deployment.stack.refresh("--preview-only", "--expect-no-changes", check=False)
    assert drift.returncode == EXIT_CHANGES_FOUND, drift.output
    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up("--refresh")
    writes = deployment.writes_since(cursor)
    assert [op["path"] for op in json.loads(str(writes[0]["body"]))] == ["/layers/llm/api_key"]
    assert _by_name(deployment)["Storyteller"]["layers"]["llm"]["api_key"] == ROTATED_KEY
    deployment.stack.preview("--refresh", "--expect-no-changes")


def test_removing_a_file_deletes_exactly_that_persona(deployment: Deployment) -> None:
    bystander = deployment.sandbox.admin.create(
        {"persona_name": "Made by hand", "system_prompt": "Not managed."}
    )
    system_before = deployment.sandbox.admin.list(persona_type="system")
    (deployment.personas_dir / "health-coach.yaml").unlink()

    deployment.stack.up()
    assert sorted(_by_name(deployment)) == ["Made by hand", "Storyteller"]
    assert deployment.sandbox.admin.get(bystander) is not None
    assert deployment.sandbox.admin.list(persona_type="system") == system_before
    assert set(deployment.state_ids()) == {"storyteller"}


def test_adopting_an_existing_persona_patches_it_without_creating(deployment: Deployment) -> None:
    existing = deployment.sandbox.admin.create(
        {"persona_name": "Receptionist", "system_prompt": "Old prompt.", "pipeline_mode": "full"}
    )
    deployment.write_persona(
        "receptionist",
        f"persona_name: Receptionist\nsystem_prompt: You greet visitors.\npipeline_mode: full\n"
        f"pulumi:\n  adopt: {existing}\n",
    )
    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up()

    writes = deployment.writes_since(cursor)
    assert [w["method"] for w in writes] == ["PATCH"]
    assert deployment.state_ids()["receptionist"] == existing
    assert _by_name(deployment)["Receptionist"]["system_prompt"] == "You greet visitors."
    deployment.stack.preview("--expect-no-changes")


def test_invalid_file_is_refused_before_any_api_call(deployment: Deployment) -> None:
    plaintext = "sk-e2e-plaintext-0b7d2c94"
    path = deployment.write_persona(
        "broken",
        "persona_name: Broken\nsystem_prompt: x\nlayers:\n  llm:\n    model: gpt-4o\n"
        f"    base_url: https://llm.example.com/v1\n    api_key: {plaintext}\n",
    )
    cursor = deployment.sandbox.admin.cursor()
    result = deployment.stack.preview(check=False)
    path.unlink()

    assert result.returncode != 0
    assert "personas/broken.yaml:7" in result.output and "layers.llm.api_key" in result.output
    assert "pulumi config set --secret" in result.output
    assert plaintext not in result.output
    assert deployment.sandbox.admin.count(since=cursor) == 0


def test_destroy_removes_every_managed_persona(deployment: Deployment) -> None:
    deployment.stack.destroy()
    assert sorted(_by_name(deployment)) == ["Made by hand"]
    assert deployment.state_ids() == {}


def test_no_secret_in_state_or_any_output(deployment: Deployment) -> None:
    stack = deployment.stack
    assert_no_secrets(stack.captured_text(), "the CLI's output")
    assert_no_secrets(stack.state_files_text(), "the backend's files")
    assert_no_secrets((deployment.project / "Pulumi.e2e.yaml").read_text(), "the stack config file")
    assert len(stack.history) > 15, "the scan must cover the whole lifecycle"
