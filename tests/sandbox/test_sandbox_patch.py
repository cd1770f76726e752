"""PATCH /v2/personas/{id}: RFC 6902 JSON Patch, 304 on no-op, 422s, secrets, read-only fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess

PersonaFactory = Callable[..., str]
CUSTOM_LLM = "Bad Request. Please ensure both base_url and api_key are included in order to use a custom llm."
LLM_KEY = "sk-live-0123456789abcdef"
live = pytest.mark.tavus_live


@pytest.fixture
def persona_id(make_persona: PersonaFactory) -> str:
    return make_persona(
        system_prompt="Original prompt.",
        context="Original context.",
        document_tags=["a", "b"],
        layers={"llm": {"model": "my-llm", "base_url": "https://llm.example.com/v1", "api_key": LLM_KEY}},
    )


def get(api: httpx.Client, prefix: str, persona_id: str) -> dict[str, Any]:
    response = api.get(f"{prefix}/{persona_id}")
    assert response.status_code == 200
    body = response.json()
    return body["data"][0] if "persona_id" not in body else body


def patch(api: httpx.Client, prefix: str, persona_id: str, ops: Any) -> httpx.Response:
    return api.patch(f"{prefix}/{persona_id}", json=ops)


# -- each op succeeds -----------------------------------------------------------------------------


@live
@pytest.mark.parametrize(
    ("ops", "path", "expected"),
    [
        (
            [{"op": "add", "path": "/default_replica_id", "value": "r0123456789a"}],
            "default_replica_id",
            "r0123456789a",
        ),
        ([{"op": "add", "path": "/document_tags/-", "value": "c"}], "document_tags", ["a", "b", "c"]),
        (
            [{"op": "replace", "path": "/system_prompt", "value": "New prompt."}],
            "system_prompt",
            "New prompt.",
        ),
        ([{"op": "copy", "from": "/system_prompt", "path": "/context"}], "context", "Original prompt."),
        (
            [{"op": "move", "from": "/document_tags/0", "path": "/document_tags/-"}],
            "document_tags",
            ["b", "a"],
        ),
        (
            [
                {"op": "test", "path": "/context", "value": "Original context."},
                {"op": "replace", "path": "/context", "value": "Tested."},
            ],
            "context",
            "Tested.",
        ),
    ],
    ids=["add", "add-to-array", "replace", "copy", "move", "test-then-replace"],
)
def test_op_succeeds(
    api: httpx.Client, prefix: str, persona_id: str, ops: Any, path: str, expected: Any
) -> None:
    response = patch(api, prefix, persona_id, ops)
    assert response.status_code == 200, response.text
    assert get(api, prefix, persona_id)[path] == expected


@live
def test_remove_succeeds(api: httpx.Client, prefix: str, persona_id: str) -> None:
    response = patch(api, prefix, persona_id, [{"op": "remove", "path": "/document_tags/0"}])
    assert response.status_code == 200, response.text
    assert get(api, prefix, persona_id)["document_tags"] == ["b"]


def test_remove_of_a_top_level_field_reads_back_as_null(
    api: httpx.Client, prefix: str, persona_id: str
) -> None:
    assert patch(api, prefix, persona_id, [{"op": "remove", "path": "/context"}]).status_code == 200
    assert get(api, prefix, persona_id)["context"] is None


def test_move_between_fields(api: httpx.Client, prefix: str, persona_id: str) -> None:
    ops = [{"op": "move", "from": "/context", "path": "/default_replica_id"}]
    assert patch(api, prefix, persona_id, ops).status_code == 200
    persona = get(api, prefix, persona_id)
    assert persona["default_replica_id"] == "Original context."
    assert persona["context"] is None


def test_200_body_and_updated_at_bump(api: httpx.Client, prefix: str, persona_id: str) -> None:
    before = get(api, prefix, persona_id)
    response = patch(api, prefix, persona_id, [{"op": "replace", "path": "/context", "value": "Changed."}])
    assert response.status_code == 200
    assert response.json()["message"] == "Persona updated"
    after = get(api, prefix, persona_id)
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]


def test_patch_accepts_json_patch_content_type(api: httpx.Client, prefix: str, persona_id: str) -> None:
    response = api.patch(
        f"{prefix}/{persona_id}",
        content=b'[{"op": "replace", "path": "/context", "value": "ct"}]',
        headers={"content-type": "application/json-patch+json"},
    )
    assert response.status_code == 200


# -- each op fails ------------------------------------------------------------------------------


FAILING_OPS = [
    [{"op": "add", "path": "/layers/missing_layer/field", "value": 1}],
    [{"op": "remove", "path": "/not_a_field"}],
    [{"op": "replace", "path": "/layers/stt/hotwords", "value": "x"}],
    [{"op": "copy", "from": "/not_a_field", "path": "/context"}],
    [{"op": "move", "from": "/not_a_field", "path": "/context"}],
    [{"op": "test", "path": "/context", "value": "something else"}],
    [{"op": "test", "path": "/not_a_field", "value": None}],
]
FAILING_IDS = ["add-no-parent", "remove", "replace", "copy", "move", "test-mismatch", "test-missing"]


@live
@pytest.mark.parametrize("ops", FAILING_OPS, ids=FAILING_IDS)
def test_failing_op_is_rejected_and_changes_nothing(
    api: httpx.Client, prefix: str, persona_id: str, ops: list[dict[str, Any]]
) -> None:
    before = get(api, prefix, persona_id)
    response = patch(
        api, prefix, persona_id, [{"op": "replace", "path": "/persona_name", "value": "X"}, *ops]
    )
    assert 400 <= response.status_code < 500
    assert get(api, prefix, persona_id) == before


@pytest.mark.parametrize("ops", FAILING_OPS, ids=FAILING_IDS)
def test_failing_op_is_422(
    api: httpx.Client, prefix: str, persona_id: str, ops: list[dict[str, Any]]
) -> None:
    response = patch(api, prefix, persona_id, ops)
    assert response.status_code == 422
    assert response.json()["message"] == "Invalid JSON patch format"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"op": "replace", "path": "/context", "value": "x"}',
        b"not json",
        b"",
        b'[{"path": "/context", "value": "x"}]',
        b'[{"op": "frobnicate", "path": "/context"}]',
        b'[{"op": "replace", "path": "context", "value": "x"}]',
        b'[{"op": "replace", "value": "x"}]',
        b'[{"op": "copy", "path": "/context"}]',
        b'[{"op": "add", "path": "/context"}]',
        b'["replace"]',
        b'[{"op": "replace", "path": "", "value": [1]}]',
    ],
    ids=[
        "object",
        "malformed",
        "empty",
        "no-op",
        "unknown-op",
        "bad-pointer",
        "no-path",
        "no-from",
        "no-value",
        "strings",
        "root-not-object",
    ],
)
def test_malformed_patch_is_422(api: httpx.Client, prefix: str, persona_id: str, raw: bytes) -> None:
    response = api.patch(f"{prefix}/{persona_id}", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["message"] == "Invalid JSON patch format"


@pytest.mark.parametrize("field", ["persona_id", "created_at", "updated_at"])
@pytest.mark.parametrize("op", ["replace", "remove"])
def test_read_only_fields_are_422(
    api: httpx.Client, prefix: str, persona_id: str, field: str, op: str
) -> None:
    ops = [{"op": op, "path": f"/{field}", "value": "p0123456789a"}]
    response = patch(api, prefix, persona_id, ops)
    assert response.status_code == 422
    assert field in response.json()["message"]


def test_read_only_fields_may_be_tested(api: httpx.Client, prefix: str, persona_id: str) -> None:
    ops = [{"op": "test", "path": "/persona_id", "value": persona_id}]
    assert patch(api, prefix, persona_id, ops).status_code == 304


# -- 304 ----------------------------------------------------------------------------------------


@live
@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "replace", "path": "/context", "value": "Original context."}],
        [{"op": "test", "path": "/context", "value": "Original context."}],
        [],
    ],
    ids=["same-value", "test-only", "empty"],
)
def test_no_op_is_304_with_empty_body(api: httpx.Client, prefix: str, persona_id: str, ops: Any) -> None:
    before = get(api, prefix, persona_id)
    response = patch(api, prefix, persona_id, ops)
    assert response.status_code == 304
    assert response.content == b""
    assert get(api, prefix, persona_id)["updated_at"] == before["updated_at"]


def test_type_change_is_not_a_no_op(api: httpx.Client, prefix: str, make_persona: PersonaFactory) -> None:
    persona_id = make_persona(layers={"tts": {"tts_engine": "cartesia", "tts_emotion_control": True}})
    ops = [{"op": "replace", "path": "/layers/tts/tts_emotion_control", "value": 1}]
    assert patch(api, prefix, persona_id, ops).status_code == 200


def test_setting_a_server_default_is_304(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(layers={"conversational_flow": {"turn_taking_patience": "high"}})
    ops = [
        {"op": "replace", "path": "/layers/conversational_flow/turn_detection_model", "value": "sparrow-1"}
    ]
    assert patch(api, prefix, persona_id, ops).status_code == 304


# -- custom LLM rule and secrets ----------------------------------------------------------------


@live
def test_llm_layer_without_api_key_is_400(api: httpx.Client, prefix: str, persona_id: str) -> None:
    ops = [
        {"op": "replace", "path": "/layers/llm", "value": {"model": "m2", "base_url": "https://x.example/v1"}}
    ]
    response = patch(api, prefix, persona_id, ops)
    assert response.status_code == 400
    assert response.json() == {"error": CUSTOM_LLM}


def test_removing_the_api_key_is_400(api: httpx.Client, prefix: str, persona_id: str) -> None:
    response = patch(api, prefix, persona_id, [{"op": "remove", "path": "/layers/llm/api_key"}])
    assert response.status_code == 400
    assert response.json() == {"error": CUSTOM_LLM}


def test_patch_applies_to_the_unmasked_document(
    api: httpx.Client, prefix: str, persona_id: str, sandbox: SandboxProcess
) -> None:
    # The stored key is the real value, so a `test` against it passes and other llm edits keep it.
    ops = [
        {"op": "test", "path": "/layers/llm/api_key", "value": LLM_KEY},
        {"op": "replace", "path": "/layers/llm/model", "value": "my-llm-2"},
    ]
    assert patch(api, prefix, persona_id, ops).status_code == 200
    raw = sandbox.admin.get(persona_id)
    assert raw is not None
    assert raw["layers"]["llm"] == {
        "model": "my-llm-2",
        "base_url": "https://llm.example.com/v1",
        "api_key": LLM_KEY,
    }
    masked = get(api, prefix, persona_id)["layers"]["llm"]["api_key"]
    assert (
        patch(
            api, prefix, persona_id, [{"op": "test", "path": "/layers/llm/api_key", "value": masked}]
        ).status_code
        == 422
    )
    same = [{"op": "replace", "path": "/layers/llm/api_key", "value": LLM_KEY}]
    assert patch(api, prefix, persona_id, same).status_code == 304


def test_key_rotation_is_stored(
    api: httpx.Client, prefix: str, persona_id: str, sandbox: SandboxProcess
) -> None:
    new_key = "sk-rotated-abcdef0123456789"
    ops = [{"op": "replace", "path": "/layers/llm/api_key", "value": new_key}]
    assert patch(api, prefix, persona_id, ops).status_code == 200
    raw = sandbox.admin.get(persona_id)
    assert raw is not None and raw["layers"]["llm"]["api_key"] == new_key
    assert get(api, prefix, persona_id)["layers"]["llm"]["api_key"] == "****6789"


def test_patch_result_is_validated(api: httpx.Client, prefix: str, persona_id: str) -> None:
    for ops in (
        [{"op": "remove", "path": "/system_prompt"}],
        [{"op": "replace", "path": "/pipeline_mode", "value": "turbo"}],
    ):
        response = patch(api, prefix, persona_id, ops)
        assert response.status_code == 400
        assert response.json()["error"].startswith("Bad Request.")


def test_switch_to_echo_allows_removing_the_prompt(api: httpx.Client, prefix: str, persona_id: str) -> None:
    ops = [
        {"op": "replace", "path": "/pipeline_mode", "value": "echo"},
        {"op": "remove", "path": "/system_prompt"},
    ]
    assert patch(api, prefix, persona_id, ops).status_code == 200


# -- system personas ----------------------------------------------------------------------------


def test_system_personas_cannot_be_patched_or_deleted(
    api: httpx.Client, prefix: str, sandbox: SandboxProcess
) -> None:
    system_ids = [p["persona_id"] for p in api.get(prefix, params={"persona_type": "system"}).json()["data"]]
    assert len(system_ids) == 2
    for persona_id in system_ids:
        response = patch(api, prefix, persona_id, [{"op": "replace", "path": "/context", "value": "x"}])
        assert response.status_code == 400
        assert response.json()["error"].startswith("Bad Request.")
        response = api.delete(f"{prefix}/{persona_id}")
        assert response.status_code == 400
        assert api.get(f"{prefix}/{persona_id}").status_code == 200
