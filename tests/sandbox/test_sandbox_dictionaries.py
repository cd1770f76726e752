"""Pronunciation dictionaries: create answer, rule validation, rules written whole, and the
delete that unlinks every persona using the dictionary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess
from tests.sandbox.kinds import DICTIONARIES, create, get

PersonaFactory = Callable[..., str]
RULE = {"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}


def test_create_answers_the_whole_dictionary(api: httpx.Client) -> None:
    response = api.post(DICTIONARIES.collection, json=DICTIONARIES.sample)
    assert response.status_code == 200
    answer = response.json()
    assert list(answer) == ["pronunciation_dictionary_id", "name", "rules", "created_at", "updated_at"]
    assert answer["rules"] == [RULE]
    assert get(api, DICTIONARIES, answer["pronunciation_dictionary_id"]) == answer


def test_empty_rules_and_ipa_are_accepted(api: httpx.Client) -> None:
    ipa = {"text": "GIF", "pronunciation": "dʒɪf", "type": "ipa"}
    dictionary_id = create(api, DICTIONARIES, {"name": "d", "rules": [ipa]})
    assert get(api, DICTIONARIES, dictionary_id)["rules"] == [ipa]
    assert create(api, DICTIONARIES, {"name": "empty", "rules": []})


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"rules": [RULE]}, "name is required"),
        ({"name": "d"}, "rules must be a list"),
        ({"name": "d", "rules": {"text": "a"}}, "rules must be a list"),
        ({"name": "d", "rules": ["Tavus"]}, "rules[0] must be an object"),
        ({"name": "d", "rules": [{**RULE, "text": ""}]}, "rules[0].text is required"),
        ({"name": "d", "rules": [{"text": "a", "type": "alias"}]}, "rules[0].pronunciation is required"),
        (
            {"name": "d", "rules": [RULE, {**RULE, "type": "phoneme"}]},
            "rules[1].type must be one of alias, ipa",
        ),
        ({"name": "d", "rules": [{**RULE, "weight": 1}]}, "rules[0]: unknown key(s) ['weight']"),
    ],
)
def test_rule_validation(
    sandbox: SandboxProcess, api: httpx.Client, body: dict[str, Any], fragment: str
) -> None:
    response = api.post(DICTIONARIES.collection, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert sandbox.admin.list_items("pronunciation-dictionaries") == []


def test_rules_are_replaced_whole(api: httpx.Client) -> None:
    dictionary_id = create(api, DICTIONARIES)
    path = f"{DICTIONARIES.collection}/{dictionary_id}"
    rules = [{"text": "PAL", "pronunciation": "pal", "type": "alias"}]
    response = api.patch(path, json=[{"op": "replace", "path": "/rules", "value": rules}])
    assert response.status_code == 200 and response.json()["rules"] == rules
    assert api.patch(path, json=[{"op": "replace", "path": "/rules", "value": rules}]).status_code == 304
    bad = [{"op": "replace", "path": "/rules", "value": [{"text": "x"}]}]
    assert api.patch(path, json=bad).status_code == 400
    assert get(api, DICTIONARIES, dictionary_id)["rules"] == rules


def _tts(dictionary_id: str | None, voice: str = "v1") -> dict[str, Any]:
    return {
        "tts": {
            "tts_engine": "cartesia",
            "external_voice_id": voice,
            "pronunciation_dictionary_id": dictionary_id,
        }
    }


def test_delete_unlinks_every_persona_that_used_it(
    sandbox: SandboxProcess, api: httpx.Client, make_persona: PersonaFactory
) -> None:
    doomed, kept = create(api, DICTIONARIES), create(api, DICTIONARIES)
    users = [make_persona(layers=_tts(doomed, voice=f"v{i}")) for i in range(2)]
    other = make_persona(layers=_tts(kept))
    before = {pid: api.get(f"/v2/personas/{pid}").json() for pid in [*users, other]}
    assert api.delete(f"{DICTIONARIES.collection}/{doomed}").status_code == 204
    for persona_id in users:
        after = api.get(f"/v2/personas/{persona_id}").json()
        assert after["layers"]["tts"]["pronunciation_dictionary_id"] is None
        assert (
            after["layers"]["tts"]["external_voice_id"]
            == before[persona_id]["layers"]["tts"]["external_voice_id"]
        )
        assert after["updated_at"] > before[persona_id]["updated_at"]
    assert api.get(f"/v2/personas/{other}").json() == before[other]


def test_admin_delete_unlinks_too(
    sandbox: SandboxProcess, api: httpx.Client, make_persona: PersonaFactory
) -> None:
    dictionary_id = create(api, DICTIONARIES)
    persona_id = make_persona(layers=_tts(dictionary_id))
    assert sandbox.admin.delete_item("pronunciation-dictionaries", dictionary_id)
    raw = sandbox.admin.get(persona_id)
    assert raw is not None and raw["layers"]["tts"]["pronunciation_dictionary_id"] is None
    assert not sandbox.admin.delete_item("pronunciation-dictionaries", dictionary_id)
