"""ObjectivesProvider and GuardrailsProvider driven method by method against the real sandbox.

The engine-free counterpart of tests/e2e/test_graph_lifecycle.py: each test calls
check/diff/create/read/update/delete the way the engine does and inspects what reached the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from providers.item_provider import GuardrailsProvider, ItemProvider, ItemStateError, ObjectivesProvider
from sandbox.testing import SandboxProcess, start_sandbox
from tests.support.providers import checked_inputs, create

KEY = "tavus-item-provider-key-51c0de"

INTAKE = {
    "name": "Intake",
    "data": [
        {
            "objective_name": "ask_if_new",
            "objective_prompt": "Ask if the patient is new.",
            "next_conditional_objectives": {"get_name": "If they are new"},
        },
        {
            "objective_name": "get_name",
            "objective_prompt": "Ask for their name.",
            "output_variables": ["name"],
        },
    ],
}
RULES = {
    "name": "Compliance",
    "data": [{"guardrail_name": "no_advice", "guardrail_prompt": "Never diagnose."}],
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("items")
    with start_sandbox(root / "tavus.db", [KEY], log_path=root / "sandbox.log") as process:
        yield process


def _configured(provider: ItemProvider, sandbox: SandboxProcess) -> ItemProvider:
    sandbox.admin.reset()
    sandbox.admin.set_faults()
    provider.configure(ConfigureRequest(Config({"tavus:apiKey": KEY, "tavus:baseUrl": sandbox.url}, "p")))
    return provider


@pytest.fixture
def objectives(sandbox: SandboxProcess) -> ItemProvider:
    return _configured(ObjectivesProvider(), sandbox)


@pytest.fixture
def guardrails(sandbox: SandboxProcess) -> ItemProvider:
    return _configured(GuardrailsProvider(), sandbox)


def test_create_reads_back_and_a_plan_against_it_is_empty(
    objectives: ItemProvider, sandbox: SandboxProcess
) -> None:
    cursor = sandbox.admin.cursor()
    item_id, outs = create(objectives, INTAKE)
    log = sandbox.admin.requests(since=cursor)["requests"]
    assert [(e["method"], e["path"]) for e in log] == [
        ("GET", "/v2/objectives"),  # is there one like it already (left by a killed run)?
        ("POST", "/v2/objectives"),
        ("GET", f"/v2/objectives/{item_id}"),  # read-back
    ]
    assert outs["objectives_id"] == item_id and outs["data"] == INTAKE["data"]
    # Server defaults (confirmation_mode, modality) are not part of the managed body ...
    stored = sandbox.admin.get_item("objectives", item_id)
    assert stored is not None and stored["data"][0]["modality"] == "verbal"
    assert objectives.diff(item_id, outs, checked_inputs(objectives, INTAKE)).changes is False
    # ... nor of a refresh: read returns the same inputs.
    read = objectives.read(item_id, outs)
    assert read.inputs == checked_inputs(objectives, INTAKE)


def test_editing_one_prompt_is_one_patch_of_that_path(
    objectives: ItemProvider, sandbox: SandboxProcess
) -> None:
    item_id, outs = create(objectives, INTAKE)
    new = json.loads(json.dumps(INTAKE))
    new["data"][1]["objective_prompt"] = "Ask for their full name."
    cursor = sandbox.admin.cursor()
    updated = objectives.update(item_id, outs, checked_inputs(objectives, new))
    log = sandbox.admin.requests(since=cursor)["requests"]
    assert [(e["method"], e["op"]) for e in log if e["method"] != "GET"] == [("PATCH", "objectives.update")]
    patch = next(json.loads(e["body"]) for e in log if e["method"] == "PATCH")
    assert patch == [{"op": "add", "path": "/data/1/objective_prompt", "value": "Ask for their full name."}]
    assert updated.outs is not None
    assert updated.outs["data"][1]["objective_prompt"] == "Ask for their full name."


def test_out_of_band_edit_reads_as_drift_and_update_reverts_it(
    guardrails: ItemProvider, sandbox: SandboxProcess
) -> None:
    item_id, outs = create(guardrails, RULES)
    sandbox.admin.edit_item("guardrails", item_id, [
        {"op": "replace", "path": "/data/0/guardrail_prompt", "value": "Edited in the web UI."},
    ])
    read = guardrails.read(item_id, outs)
    assert read.inputs is not None and read.inputs["data"][0]["guardrail_prompt"] == "Edited in the web UI."
    desired = checked_inputs(guardrails, RULES)
    assert guardrails.diff(item_id, dict(read.outs or {}), desired).changes is None
    guardrails.update(item_id, dict(read.outs or {}), desired)
    stored = sandbox.admin.get_item("guardrails", item_id)
    assert stored is not None and stored["data"][0]["guardrail_prompt"] == "Never diagnose."


def test_deleted_out_of_band_reads_as_gone_and_delete_of_gone_succeeds(
    guardrails: ItemProvider, sandbox: SandboxProcess
) -> None:
    item_id, outs = create(guardrails, RULES)
    sandbox.admin.delete_item("guardrails", item_id)
    read = guardrails.read(item_id, outs)
    assert read.id == "" and read.outs == {}
    guardrails.delete(item_id, outs)  # already gone: success


def test_a_lost_create_answer_is_found_again_by_name_not_duplicated(
    guardrails: ItemProvider, sandbox: SandboxProcess
) -> None:
    sandbox.admin.set_faults(ambiguous_create_count=1, ambiguous_create_mode="504")
    item_id, _ = create(guardrails, RULES)
    assert [g["guardrails_id"] for g in sandbox.admin.list_items("guardrails")] == [item_id]


def test_a_lost_create_answer_of_unnamed_objectives_is_found_again_by_content(
    objectives: ItemProvider, sandbox: SandboxProcess
) -> None:
    unnamed = {"data": INTAKE["data"]}
    sandbox.admin.set_faults(ambiguous_create_count=1, ambiguous_create_mode="drop")
    item_id, _ = create(objectives, unnamed)
    assert [o["objectives_id"] for o in sandbox.admin.list_items("objectives")] == [item_id]


def test_a_same_named_set_with_the_files_values_is_adopted(
    guardrails: ItemProvider, sandbox: SandboxProcess
) -> None:
    orphan = sandbox.admin.create_item("guardrails", RULES)  # what a killed `up` leaves behind
    cursor = sandbox.admin.cursor()
    item_id, _ = create(guardrails, RULES)
    assert item_id == orphan and sandbox.admin.count("POST", since=cursor) == 0


def test_a_same_named_set_with_other_values_is_never_overwritten(
    guardrails: ItemProvider, sandbox: SandboxProcess
) -> None:
    theirs = sandbox.admin.create_item("guardrails", {**RULES, "data": [
        {"guardrail_name": "other", "guardrail_prompt": "Made by hand."},
    ]})
    cursor = sandbox.admin.cursor()
    with pytest.raises(ItemStateError, match=f"adopt: {theirs}"):
        guardrails.create(checked_inputs(guardrails, RULES))
    assert sandbox.admin.count("POST", since=cursor) == 0 and sandbox.admin.count("PATCH", since=cursor) == 0


def test_adoption_by_id_patches_the_existing_set(objectives: ItemProvider, sandbox: SandboxProcess) -> None:
    existing = sandbox.admin.create_item("objectives", {"data": [
        {"objective_name": "ask_if_new", "objective_prompt": "Old prompt."},
    ]})
    created = objectives.create({**checked_inputs(objectives, INTAKE), "adopt_id": existing})
    assert created.id == existing and sandbox.admin.count("POST") == 0
    stored = sandbox.admin.get_item("objectives", existing)
    assert stored is not None and [o["objective_name"] for o in stored["data"]] == ["ask_if_new", "get_name"]


def test_check_refuses_an_invalid_body_with_the_field_path(objectives: ItemProvider) -> None:
    bad = {"data": [{"objective_name": "has space", "objective_prompt": "x"}]}
    failures = objectives.check({}, bad).failures
    assert [f.property for f in failures] == ["data[0].objective_name"]


def test_import_is_refused_with_the_adopt_option_named(guardrails: ItemProvider) -> None:
    with pytest.raises(ItemStateError, match="adopt"):
        guardrails.read("g123", {})
