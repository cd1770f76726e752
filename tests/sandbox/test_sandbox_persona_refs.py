"""Personas that reference the other kinds (400 "Invalid <field>" for an id naming nothing) and
editing conflicts with an unpublished web-editor draft (409, `?force=true`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess
from tests.sandbox.kinds import DICTIONARIES, DOCUMENTS, GUARDRAILS, OBJECTIVES, create

PersonaFactory = Callable[..., str]
PROMPT = "You are a test persona."


@pytest.fixture
def items(api: httpx.Client) -> dict[str, str]:
    """One stored item of every kind, by kind."""
    return {case.kind: create(api, case) for case in (OBJECTIVES, GUARDRAILS, DOCUMENTS, DICTIONARIES)}


def referencing(items: dict[str, str]) -> dict[str, Any]:
    return {
        "objectives_id": items["objectives"],
        "guardrails_id": items["guardrails"],
        "guardrail_ids": [items["guardrails"]],
        "document_ids": [items["documents"]],
        "layers": {"tts": {"pronunciation_dictionary_id": items["pronunciation-dictionaries"]}},
    }


def with_bad(field: str, good: dict[str, Any]) -> dict[str, Any]:
    body = {**good, "layers": {"tts": dict(good["layers"]["tts"])}}
    if field == "pronunciation_dictionary_id":
        body["layers"]["tts"][field] = "pd_000000000000"
    elif field in ("guardrail_ids", "document_ids"):
        body[field] = [*good[field], "x000000000"]
    else:
        body[field] = "x000000000"
    return body


FIELDS = ["objectives_id", "guardrails_id", "guardrail_ids", "document_ids", "pronunciation_dictionary_id"]


def test_a_persona_may_reference_existing_items(api: httpx.Client, items: dict[str, str]) -> None:
    response = api.post("/v2/personas", json={"system_prompt": PROMPT, **referencing(items)})
    assert response.status_code == 200, response.text
    stored = api.get(f"/v2/personas/{response.json()['persona_id']}").json()
    assert stored["objectives_id"] == items["objectives"] and stored["document_ids"] == [items["documents"]]


@pytest.mark.parametrize("field", FIELDS)
def test_create_naming_nothing_is_refused(
    sandbox: SandboxProcess, api: httpx.Client, items: dict[str, str], field: str
) -> None:
    body = {"system_prompt": PROMPT, **with_bad(field, referencing(items))}
    response = api.post("/v2/personas", json=body)
    assert (response.status_code, response.json()) == (400, {"error": f"Invalid {field}"})
    assert sandbox.admin.list("user") == []


@pytest.mark.parametrize("field", FIELDS)
def test_patch_naming_nothing_is_refused(
    api: httpx.Client, items: dict[str, str], make_persona: PersonaFactory, field: str
) -> None:
    persona_id = make_persona(**referencing(items))
    before = api.get(f"/v2/personas/{persona_id}").json()
    bad = with_bad(field, referencing(items))
    path = (
        "/layers/tts/pronunciation_dictionary_id" if field == "pronunciation_dictionary_id" else f"/{field}"
    )
    value = bad["layers"]["tts"][field] if field == "pronunciation_dictionary_id" else bad[field]
    response = api.patch(f"/v2/personas/{persona_id}", json=[{"op": "replace", "path": path, "value": value}])
    assert (response.status_code, response.json()) == (400, {"error": f"Invalid {field}"})
    assert api.get(f"/v2/personas/{persona_id}").json() == before


def test_null_references_are_fine(make_persona: PersonaFactory) -> None:
    assert make_persona(objectives_id=None, layers={"tts": {"pronunciation_dictionary_id": None}})


def test_deleting_a_referenced_set_keeps_the_persona_field(
    api: httpx.Client, items: dict[str, str], make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(**referencing(items))
    assert api.delete(f"/v2/objectives/{items['objectives']}").status_code == 204
    assert api.delete(f"/v2/guardrails/{items['guardrails']}").status_code == 204
    stored = api.get(f"/v2/personas/{persona_id}").json()
    assert stored["objectives_id"] == items["objectives"] and stored["guardrail_ids"] == [items["guardrails"]]
    # the dangling id was not introduced by this patch, so other edits still go through
    ops = [{"op": "replace", "path": "/context", "value": "still editable"}]
    assert api.patch(f"/v2/personas/{persona_id}", json=ops).status_code == 200


# -- editing conflicts with a web-editor draft --------------------------------------------------

RENAME = [{"op": "replace", "path": "/persona_name", "value": "renamed"}]


def test_patch_during_a_draft_is_409(
    sandbox: SandboxProcess, api: httpx.Client, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona()
    before = api.get(f"/v2/personas/{persona_id}").json()
    sandbox.admin.set_draft(persona_id, True)
    assert sandbox.admin.has_draft(persona_id)
    response = api.patch(f"/v2/personas/{persona_id}", json=RENAME)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] == "maker_changes" and "force=true" in body["message"]
    assert api.get(f"/v2/personas/{persona_id}").json() == before
    sandbox.admin.set_draft(persona_id, False)
    assert api.patch(f"/v2/personas/{persona_id}", json=RENAME).status_code == 200


def test_force_discards_the_draft(
    sandbox: SandboxProcess, api: httpx.Client, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona()
    sandbox.admin.set_draft(persona_id, True)
    response = api.patch(f"/v2/personas/{persona_id}", params={"force": "true"}, json=RENAME)
    assert response.status_code == 200
    assert response.json() == {
        "message": "Persona updated",
        "persona_id": persona_id,
        "discarded_maker_changes": True,
    }
    assert api.get(f"/v2/personas/{persona_id}").json()["persona_name"] == "renamed"
    assert not sandbox.admin.has_draft(persona_id)
    assert api.patch(f"/v2/personas/{persona_id}", json=RENAME).status_code == 304  # no draft, no change


def test_force_with_an_invalid_patch_keeps_the_draft(
    sandbox: SandboxProcess, api: httpx.Client, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona()
    sandbox.admin.set_draft(persona_id, True)
    bad = [{"op": "replace", "path": "/pipeline_mode", "value": "loud"}]
    assert api.patch(f"/v2/personas/{persona_id}", params={"force": "true"}, json=bad).status_code == 400
    assert sandbox.admin.has_draft(persona_id)


def test_force_without_a_draft_is_an_ordinary_patch(api: httpx.Client, make_persona: PersonaFactory) -> None:
    persona_id = make_persona()
    response = api.patch(f"/v2/personas/{persona_id}", params={"force": "true"}, json=RENAME)
    assert response.json() == {"message": "Persona updated", "persona_id": persona_id}


def test_draft_admin_routes(sandbox: SandboxProcess, api: httpx.Client, make_persona: PersonaFactory) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sandbox.admin.set_draft("p000000000000", True)
    persona_id = make_persona()
    sandbox.admin.set_draft(persona_id, True)
    assert api.delete(f"/v2/personas/{persona_id}").status_code == 204
    sandbox.admin.create({"persona_id": persona_id, "system_prompt": PROMPT})
    assert not sandbox.admin.has_draft(persona_id)  # a deleted persona's draft goes with it
    sandbox.admin.set_draft(persona_id, True)
    sandbox.admin.reset()
    sandbox.admin.create({"persona_id": persona_id, "system_prompt": PROMPT})
    assert not sandbox.admin.has_draft(persona_id)
