"""PersonaProvider driven method by method against the real sandbox over HTTP.

The engine-free counterpart of tests/e2e: each test calls check/diff/create/read/
update/delete the way the engine does (plaintext inputs, outputs fed back as olds)
and inspects what reached the sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from providers import canonical
from providers.provider import PersonaProvider, PersonaStateError
from sandbox.testing import SandboxProcess
from tests.support.deployment import TAVUS_KEY

LLM_KEY = "sk-provider-test-llm-5b7d02"

CUSTOM = {
    "persona_name": "Custom",
    "system_prompt": "You answer briefly.",
    "pipeline_mode": "full",
    "layers": {
        "llm": {"model": "gpt-4o-mini", "base_url": "https://llm.example.com/v1", "api_key": LLM_KEY},
        "conversational_flow": {"turn_taking_patience": "high"},
    },
}


@pytest.fixture
def sandbox(module_sandbox: SandboxProcess) -> SandboxProcess:
    """The module's sandbox (tests/conftest.py), reset before each test."""
    module_sandbox.admin.reset()
    return module_sandbox


@pytest.fixture
def provider(sandbox: SandboxProcess) -> PersonaProvider:
    provider = PersonaProvider()
    config = Config({"tavus:apiKey": TAVUS_KEY, "tavus:baseUrl": sandbox.url}, "p")
    provider.configure(ConfigureRequest(config))
    return provider


def _create(provider: PersonaProvider, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    checked = provider.check({}, json.loads(json.dumps(body)))
    assert checked.failures == []
    created = provider.create(dict(checked.inputs))
    assert created.outs is not None
    return created.id, dict(created.outs)


def test_create_reads_back_and_outputs_the_canonical_managed_body(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    stored = sandbox.admin.get(persona_id)
    assert stored is not None and stored["layers"]["llm"]["api_key"] == LLM_KEY
    # Server defaults the file did not set stay out of the managed body ...
    assert outs["layers"]["conversational_flow"] == {"turn_taking_patience": "high"}
    # ... and are kept aside for drift reports of unmanaged fields.
    assert outs["unmanaged"]["layers"]["conversational_flow"]["turn_detection_model"] == "sparrow-1"
    assert outs["secret_fingerprints"] == {"layers.llm.api_key": canonical.fingerprint(LLM_KEY)}
    assert LLM_KEY not in json.dumps(outs["unmanaged"])
    assert provider.diff(persona_id, outs, dict(provider.check({}, CUSTOM).inputs)).changes is False


def test_read_carries_masked_keys_over_and_reports_no_drift(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    read = provider.read(persona_id, outs)
    assert read.id == persona_id
    assert read.outs is not None and read.inputs is not None
    assert read.outs["layers"]["llm"]["api_key"] == LLM_KEY  # the live value is masked
    assert provider.diff(persona_id, dict(read.outs), dict(read.inputs)).changes is False


def test_read_of_an_out_of_band_edit_returns_the_live_value(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    sandbox.admin.edit(persona_id, [{"op": "replace", "path": "/system_prompt", "value": "Edited"}])
    read = provider.read(persona_id, outs)
    assert read.inputs is not None and read.inputs["system_prompt"] == "Edited"
    desired = dict(provider.check({}, CUSTOM).inputs)
    assert provider.diff(persona_id, dict(read.outs or {}), desired).changes is None  # engine diffs inputs


def test_read_of_a_deleted_persona_says_gone(provider: PersonaProvider, sandbox: SandboxProcess) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    sandbox.admin.delete(persona_id)
    read = provider.read(persona_id, outs)
    assert read.id == "" and read.outs == {}


def test_update_sends_one_patch_of_the_changed_leaves(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    new = json.loads(json.dumps(CUSTOM))
    new["layers"]["llm"]["model"] = "gpt-4.1-mini"
    new["context"] = "New context."
    cursor = sandbox.admin.cursor()
    updated = provider.update(persona_id, outs, dict(provider.check({}, new).inputs))

    log = sandbox.admin.requests(since=cursor)["requests"]
    assert [(e["method"], e["op"]) for e in log] == [("PATCH", "update"), ("GET", "get")]
    ops = json.loads(log[0]["body"])
    assert sorted(op["path"] for op in ops) == ["/context", "/layers/llm/model"]
    assert LLM_KEY not in log[0]["body"], "an unchanged key is not re-sent by leaf ops"
    assert updated.outs is not None and updated.outs["context"] == "New context."


def test_update_recomputes_the_patch_when_tavus_changed_shape(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    body = {**CUSTOM, "context": "Some context."}
    persona_id, outs = _create(provider, body)
    sandbox.admin.edit(persona_id, [{"op": "remove", "path": "/context"}])  # edited in the web UI
    new = {**body}
    del new["context"]  # state says context exists, so the first patch is a failing `remove`
    updated = provider.update(persona_id, outs, dict(provider.check({}, new).inputs))
    assert updated.outs is not None and "context" not in updated.outs
    stored = sandbox.admin.get(persona_id)
    assert stored is not None and not stored.get("context")


def test_update_of_a_deleted_persona_says_how_to_recover(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    sandbox.admin.delete(persona_id)
    with pytest.raises(PersonaStateError, match="pulumi up --refresh"):
        provider.update(persona_id, outs, dict(provider.check({}, {**CUSTOM, "context": "x"}).inputs))


def test_create_adopts_a_same_named_persona_left_by_a_killed_run(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    orphan = sandbox.admin.create(CUSTOM)  # what a killed `up` leaves: the file's own settings
    cursor = sandbox.admin.cursor()
    persona_id, _ = _create(provider, CUSTOM)
    assert persona_id == orphan
    assert sandbox.admin.count("POST", since=cursor) == 0
    assert sandbox.admin.count("GET", op="get", since=cursor) == 2  # compared once, read back once
    assert [p["persona_id"] for p in sandbox.admin.list(persona_type="user")] == [orphan]


def test_create_never_overwrites_a_different_same_named_persona(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    made_by_hand = sandbox.admin.create({**CUSTOM, "system_prompt": "Written in the web UI."})
    cursor = sandbox.admin.cursor()
    with pytest.raises(PersonaStateError) as refused:
        _create(provider, CUSTOM)
    message = str(refused.value)
    assert f"already exists in Tavus ({made_by_hand}) with other settings (system_prompt)" in message
    assert f"`pulumi: {{adopt: {made_by_hand}}}`" in message and LLM_KEY not in message
    assert sandbox.admin.count("POST", since=cursor) == sandbox.admin.count("PATCH", since=cursor) == 0
    stored = sandbox.admin.get(made_by_hand)
    assert stored is not None and stored["system_prompt"] == "Written in the web UI."


def test_create_refuses_to_guess_between_two_same_named_personas(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    sandbox.admin.create({"persona_name": "Custom", "system_prompt": "a"})
    sandbox.admin.create({"persona_name": "Custom", "system_prompt": "b"})
    with pytest.raises(PersonaStateError, match="adopt"):
        _create(provider, CUSTOM)


def test_delete_treats_gone_as_success(provider: PersonaProvider, sandbox: SandboxProcess) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    provider.delete(persona_id, outs)
    provider.delete(persona_id, outs)
    assert sandbox.admin.get(persona_id) is None


def test_refresh_of_many_personas_pages_the_list_once(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    created = [_create(provider, {**CUSTOM, "persona_name": f"P{i}"}) for i in range(12)]
    fresh = PersonaProvider()  # a new provider process, as in `pulumi refresh`
    fresh.configure(ConfigureRequest(Config({"tavus:apiKey": TAVUS_KEY, "tavus:baseUrl": sandbox.url}, "p")))
    cursor = sandbox.admin.cursor()
    for persona_id, outs in created:
        assert fresh.read(persona_id, outs).id == persona_id
    log = sandbox.admin.requests(since=cursor)
    assert log["op_counts"] == {"get": 2, "list": 1}


def test_check_reports_invalid_bodies_with_the_field_path(provider: PersonaProvider) -> None:
    result = provider.check({}, {"persona_name": "X", "pipeline_mode": "fast"})
    paths = {failure.property for failure in result.failures}
    assert "pipeline_mode" in paths


def test_read_without_state_explains_that_import_is_not_supported(provider: PersonaProvider) -> None:
    with pytest.raises(PersonaStateError, match="adopt"):
        provider.read("p0123456789a", {})


def test_provider_module_has_no_import_time_side_effects(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import providers.provider, providers.persona; print('ok')"
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert run.stdout.strip() == "ok" and run.stderr == ""


def test_a_web_editor_draft_stops_the_update_with_one_line_and_changes_nothing(
    provider: PersonaProvider, sandbox: SandboxProcess
) -> None:
    persona_id, outs = _create(provider, CUSTOM)
    sandbox.admin.set_draft(persona_id)
    with pytest.raises(PersonaStateError) as raised:
        provider.update(persona_id, outs, dict(provider.check({}, {**CUSTOM, "context": "x"}).inputs))
    message = str(raised.value)
    assert "\n" not in message and persona_id in message
    assert "unpublished edits in the Tavus web editor" in message and "tavus:overrideDrafts true" in message
    stored = sandbox.admin.get(persona_id)
    assert stored is not None and not stored.get("context") and sandbox.admin.has_draft(persona_id)


def test_override_drafts_overwrites_the_draft(sandbox: SandboxProcess) -> None:
    sandbox.admin.reset()
    provider = PersonaProvider()
    config = {"tavus:apiKey": TAVUS_KEY, "tavus:baseUrl": sandbox.url, "tavus:overrideDrafts": "true"}
    provider.configure(ConfigureRequest(Config(config, "p")))
    persona_id, outs = _create(provider, CUSTOM)
    sandbox.admin.set_draft(persona_id)
    provider.update(persona_id, outs, dict(provider.check({}, {**CUSTOM, "context": "x"}).inputs))
    stored = sandbox.admin.get(persona_id)
    assert stored is not None and stored["context"] == "x" and not sandbox.admin.has_draft(persona_id)
    patches = [e for e in sandbox.admin.requests()["requests"] if e["method"] == "PATCH"]
    assert [e["query"] for e in patches] == ["force=true"]
