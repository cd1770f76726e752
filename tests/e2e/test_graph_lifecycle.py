"""The persona's graph through the real Pulumi CLI against the sandbox: objectives and guardrails
as resources, personas referencing them by name (`{ref: guardrails/compliance}`).

The tests run in file order and share one stack, as a team's stack evolves.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment, assert_no_secrets, make_deployment

pytestmark = pytest.mark.e2e

INTAKE = """\
# yaml-language-server: $schema=../providers/schema/objectives.schema.json
name: Patient intake
data:
  - objective_name: ask_if_new_patient
    objective_prompt: Ask the patient if they are new or have been here before.
    next_conditional_objectives:
      get_patient_name: If the patient is new
      confirm_appointment: If the patient has been here before
  - objective_name: get_patient_name
    objective_prompt: Ask for the patient's full name.
    output_variables: [patient_name]
    next_required_objective: confirm_appointment
  - objective_name: confirm_appointment
    objective_prompt: Confirm the appointment time.
    confirmation_mode: manual
"""
FEEDBACK = """\
data:
  - objective_name: ask_rating
    objective_prompt: Ask how the visit went, from 1 to 5.
    output_variables: [rating]
"""
COMPLIANCE = """\
name: Compliance
data:
  - guardrail_name: no_medical_advice
    guardrail_prompt: Never give a diagnosis or recommend medication.
  - guardrail_name: no_pii_echo
    guardrail_prompt: Never repeat a card number back to the caller.
"""
TONE = """\
name: Tone
data:
  - guardrail_name: stay_calm
    guardrail_prompt: Stay calm and friendly, even with upset callers.
    modality: verbal
"""


def _persona(name: str, extra: str) -> str:
    return f"persona_name: {name}\nsystem_prompt: You help patients of a clinic.\n{extra}"


PERSONAS = {
    "receptionist": _persona("Receptionist", "objectives_id: {ref: objectives/intake}\n"
                             "guardrails_id: {ref: guardrails/compliance}\n"),
    "follow-up": _persona("Follow-up", "objectives_id: {ref: objectives/feedback}\n"
                          "guardrail_ids: [{ref: guardrails/compliance}, {ref: guardrails/tone}]\n"),
    "triage": _persona("Triage", "guardrail_ids: [{ref: guardrails/compliance}]\n"),
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    root = tmp_path_factory.mktemp("graph")
    deployment = make_deployment(root, module_sandbox, personas=None, stack_name="graph")
    deployment.write_file("objectives/intake.yaml", INTAKE)
    deployment.write_file("objectives/feedback.yaml", FEEDBACK)
    deployment.write_file("guardrails/compliance.yaml", COMPLIANCE)
    deployment.write_file("guardrails/tone.yaml", TONE)
    for name, text in PERSONAS.items():
        deployment.write_persona(name, text)
    return deployment


def _live_personas(d: Deployment) -> dict[str, dict[str, Any]]:
    return {str(p["persona_name"]): p for p in d.user_personas()}


def _failed_requests(d: Deployment, cursor: int) -> list[dict[str, Any]]:
    return [e for e in d.sandbox.admin.requests(since=cursor)["requests"] if (e["status"] or 500) >= 400]


def test_a_preview_of_the_fresh_stack_plans_every_create_with_no_request(graph: Deployment) -> None:
    # Before anything exists, a persona's {ref:} ids are unknown: the plan must still go through
    # (this is the pull request's preview of a new environment).
    cursor = graph.sandbox.admin.cursor()
    plan = graph.stack.preview("--json")
    steps = json.loads(plan.stdout)["steps"]
    created = sorted(step["urn"].rsplit("::", 1)[1] for step in steps if step["op"] == "create")
    assert created == sorted([
        "objectives/feedback", "objectives/intake", "guardrails/compliance", "guardrails/tone",
        *PERSONAS, "tavus-personas-graph",
    ])
    assert graph.sandbox.admin.count(since=cursor) == 0


def test_a_fresh_stack_comes_up_in_one_up(graph: Deployment) -> None:
    cursor = graph.sandbox.admin.cursor()
    graph.stack.up("--diff")

    assert _failed_requests(graph, cursor) == []
    objectives = graph.resource_ids("Objectives")
    guardrails = graph.resource_ids("Guardrails")
    assert sorted(objectives) == ["objectives/feedback", "objectives/intake"]
    assert sorted(guardrails) == ["guardrails/compliance", "guardrails/tone"]
    live = _live_personas(graph)
    assert live["Receptionist"]["objectives_id"] == objectives["objectives/intake"]
    assert live["Receptionist"]["guardrails_id"] == guardrails["guardrails/compliance"]
    both = [guardrails["guardrails/compliance"], guardrails["guardrails/tone"]]
    assert live["Follow-up"]["guardrail_ids"] == both
    assert live["Triage"]["guardrail_ids"] == [guardrails["guardrails/compliance"]]
    stored = graph.sandbox.admin.get_item("objectives", objectives["objectives/intake"])
    assert stored is not None and stored["data"][2]["confirmation_mode"] == "manual"
    assert graph.stack.outputs()["graph_ids"] == {**objectives, **guardrails}


def test_second_preview_expects_no_changes_and_makes_no_request(graph: Deployment) -> None:
    cursor = graph.sandbox.admin.cursor()
    graph.stack.preview("--expect-no-changes", "--diff")
    assert graph.sandbox.admin.count(since=cursor) == 0


def test_pr_comment_has_a_section_per_kind_with_field_changes(graph: Deployment) -> None:
    tone = graph.project / "guardrails" / "tone.yaml"
    graph.edit_file("guardrails/tone.yaml", "Stay calm and friendly", "Stay calm and kind")
    graph.write_file("objectives/survey.yaml", FEEDBACK.replace("ask_rating", "ask_survey"))
    try:
        preview = graph.stack.preview("--json")
        rendered = run_cli("pr-comment", "-", "--root", str(graph.project), cwd=graph.project,
                           stdin=preview.stdout)
    finally:
        tone.write_text(TONE)
        (graph.project / "objectives" / "survey.yaml").unlink()
    assert rendered.returncode == 0, rendered.stderr
    comment = rendered.stdout
    assert "**1 to create, 1 to update, 0 to delete, 6 unchanged**" in comment
    objectives, guardrails = comment.index("## Objectives\n"), comment.index("## Guardrails\n")
    assert objectives < guardrails and "## Personas" not in comment  # no persona changes
    assert "+ create `objectives/survey`" in comment[objectives:guardrails]
    assert "~ update `guardrails/tone` — Tone" in comment[guardrails:]
    assert "`data[0].guardrail_prompt`" in comment[guardrails:]


def test_refresh_shows_no_phantom_drift(graph: Deployment) -> None:
    cursor = graph.sandbox.admin.cursor()
    graph.stack.refresh("--preview-only", "--expect-no-changes")
    assert graph.writes_since(cursor) == []


def test_editing_one_objective_prompt_sends_exactly_one_patch(graph: Deployment) -> None:
    graph.edit_file("objectives/intake.yaml", "Confirm the appointment time.", "Confirm the date and time.")
    cursor = graph.sandbox.admin.cursor()
    graph.stack.up("--diff")
    intake = graph.resource_ids("Objectives")["objectives/intake"]
    writes = graph.writes_since(cursor)
    assert [(w["method"], w["path"]) for w in writes] == [("PATCH", f"/v2/objectives/{intake}")]
    assert json.loads(str(writes[0]["body"])) == [
        {"op": "add", "path": "/data/2/objective_prompt", "value": "Confirm the date and time."}
    ]


def test_switching_guardrails_and_deleting_the_old_file_patches_before_deleting(graph: Deployment) -> None:
    tone = graph.resource_ids("Guardrails")["guardrails/tone"]
    compliance = graph.resource_ids("Guardrails")["guardrails/compliance"]
    receptionist = graph.state_ids()["receptionist"]
    # One commit: every persona moves off guardrails/compliance, whose file is removed.
    graph.edit_persona("receptionist", "{ref: guardrails/compliance}", "{ref: guardrails/tone}")
    graph.edit_persona("triage", "{ref: guardrails/compliance}", "{ref: guardrails/tone}")
    graph.edit_persona("follow-up", "[{ref: guardrails/compliance}, {ref: guardrails/tone}]",
                       "[{ref: guardrails/tone}]")
    (graph.project / "guardrails" / "compliance.yaml").unlink()
    cursor = graph.sandbox.admin.cursor()
    graph.stack.up()

    writes = graph.writes_since(cursor)
    assert _failed_requests(graph, cursor) == []
    deletes = [i for i, w in enumerate(writes) if w["method"] == "DELETE"]
    patches = [i for i, w in enumerate(writes) if w["method"] == "PATCH"]
    assert [writes[i]["path"] for i in deletes] == [f"/v2/guardrails/{compliance}"]
    assert len(patches) == 3 and max(patches) < deletes[0]
    assert f"/v2/personas/{receptionist}" in [writes[i]["path"] for i in patches]
    assert _live_personas(graph)["Receptionist"]["guardrails_id"] == tone
    assert graph.sandbox.admin.get_item("guardrails", compliance) is None


def test_guardrail_drift_is_reported_by_drift_and_reverted_by_up(graph: Deployment) -> None:
    tone = graph.resource_ids("Guardrails")["guardrails/tone"]
    graph.sandbox.admin.edit_item("guardrails", tone, [
        {"op": "replace", "path": "/data/0/guardrail_prompt", "value": "Edited in the web UI."},
    ])
    drift = run_cli("drift", "--stack", "graph", "--json", cwd=graph.project, stack=graph.stack)
    assert drift.returncode == 2, drift.stdout + drift.stderr
    report = json.loads(drift.stdout)
    [entry] = report["managed"]
    assert entry["resource"] == "guardrails/tone" and entry["kind"] == "guardrails"
    assert [c["path"] for c in entry["changes"]] == ["data[0].guardrail_prompt"]

    graph.stack.up("--refresh")
    stored = graph.sandbox.admin.get_item("guardrails", tone)
    assert stored is not None and stored["data"][0]["guardrail_prompt"].startswith("Stay calm")


def test_a_set_deleted_out_of_band_is_recreated_and_repointed(graph: Deployment) -> None:
    feedback = graph.resource_ids("Objectives")["objectives/feedback"]
    graph.sandbox.admin.delete_item("objectives", feedback)
    graph.stack.up("--refresh")
    recreated = graph.resource_ids("Objectives")["objectives/feedback"]
    assert recreated != feedback
    assert _live_personas(graph)["Follow-up"]["objectives_id"] == recreated


def test_a_web_editor_draft_stops_up_with_one_line_until_the_stack_allows_it(graph: Deployment) -> None:
    receptionist = graph.state_ids()["receptionist"]
    graph.sandbox.admin.set_draft(receptionist)
    graph.edit_persona("receptionist", "You help patients of a clinic.", "You welcome patients of a clinic.")

    refused = graph.stack.up(check=False)
    assert refused.returncode != 0
    assert "Traceback" not in refused.output
    said = "unpublished edits in the Tavus web editor"
    errors = [text.strip() for text in refused.output.splitlines() if text.strip().startswith("error: ")]
    lines = {text for text in errors if said in text}
    assert len(lines) == 1, "\n".join(lines)  # Pulumi repeats the diagnostic in its summary: the same line
    [line] = lines
    assert receptionist in line and "pulumi config set tavus:overrideDrafts true" in line
    assert _live_personas(graph)["Receptionist"]["system_prompt"] == "You help patients of a clinic."

    graph.stack.set_config("tavus:overrideDrafts", "true")
    graph.stack.up()
    assert _live_personas(graph)["Receptionist"]["system_prompt"] == "You welcome patients of a clinic."
    assert not graph.sandbox.admin.has_draft(receptionist)


def test_destroy_removes_everything_and_no_secret_was_written(graph: Deployment) -> None:
    graph.stack.destroy()
    assert graph.user_personas() == []
    assert graph.sandbox.admin.list_items("objectives") == []
    assert graph.sandbox.admin.list_items("guardrails") == []
    assert_no_secrets(graph.stack.captured_text(), "captured output")
    assert_no_secrets(graph.stack.state_files_text(), "state files")
