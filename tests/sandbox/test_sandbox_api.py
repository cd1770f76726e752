"""Contract tests for auth, create, get and delete. `tavus_live` tests can run against real Tavus."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess

PersonaFactory = Callable[..., str]
Target = Any

ID_RE = re.compile(r"^p[0-9a-f]{11}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
CUSTOM_LLM = "Bad Request. Please ensure both base_url and api_key are included in order to use a custom llm."
INVALID_TOKEN = {"message": "Invalid access token"}

live = pytest.mark.tavus_live


# -- auth ---------------------------------------------------------------------------------------


@live
@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("POST", ""),
        ("GET", "/p0123456789a"),
        ("PATCH", "/p0123456789a"),
        ("DELETE", "/p0123456789a"),
    ],
)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_wrong_key_is_401(
    target: Target, prefix: str, method: str, suffix: str, key: str | None
) -> None:
    headers = {"x-api-key": key} if key else {}
    body = [] if method == "PATCH" else {"system_prompt": "x"} if method == "POST" else None
    response = httpx.request(method, f"{target.base_url}{prefix}{suffix}", headers=headers, json=body)
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_every_configured_key_is_accepted(sandbox: SandboxProcess, prefix: str, second_key: str) -> None:
    with sandbox.client(second_key) as client:
        assert client.get(prefix).status_code == 200


def test_auth_checked_before_validation_by_default(target: Target, prefix: str) -> None:
    response = httpx.post(
        f"{target.base_url}{prefix}", headers={"x-api-key": "wrong"}, json={"pipeline_mode": "x"}
    )
    assert response.status_code == 401


# -- create -------------------------------------------------------------------------------------


@live
def test_create_returns_documented_fields(
    unique_name: Callable[[], str], api: httpx.Client, prefix: str
) -> None:
    name = unique_name()
    response = api.post(
        prefix, json={"persona_name": name, "system_prompt": "Be brief.", "pipeline_mode": "full"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    try:
        assert ID_RE.match(body["persona_id"])
        assert body["persona_name"] == name
        assert isinstance(body["created_at"], str) and body["created_at"]
    finally:
        api.delete(f"{prefix}/{body['persona_id']}")


def test_create_response_is_exactly_the_three_fields(api: httpx.Client, prefix: str) -> None:
    body = api.post(prefix, json={"persona_name": "n", "system_prompt": "p"}).json()
    assert set(body) == {"persona_id", "persona_name", "created_at"}
    assert TIMESTAMP_RE.match(body["created_at"])


@live
def test_echo_mode_needs_no_system_prompt(make_persona: PersonaFactory) -> None:
    make_persona(pipeline_mode="echo", system_prompt=None)


@live
@pytest.mark.parametrize(
    "body",
    [
        {"persona_name": "x"},  # full mode (the default) without system_prompt
        {"persona_name": "x", "pipeline_mode": "full"},
        {"persona_name": "x", "system_prompt": "p", "pipeline_mode": "turbo"},
    ],
    ids=["no-prompt-default-mode", "no-prompt-full", "bad-pipeline-mode"],
)
def test_invalid_create_is_400_with_error_key(
    api: httpx.Client, prefix: str, body: dict[str, object]
) -> None:
    response = api.post(prefix, json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Bad Request.")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"persona_name": "x"}, "system_prompt"),
        ({"system_prompt": "p", "pipeline_mode": "turbo"}, "pipeline_mode"),
        ({"system_prompt": 5}, "system_prompt"),
        ({"system_prompt": "p", "persona_name": 5}, "persona_name"),
        ({"system_prompt": "p", "document_ids": "d1"}, "document_ids"),
        ({"system_prompt": "p", "layers": []}, "layers"),
        ({"system_prompt": "p", "layers": {"llm": "tavus-gpt-oss"}}, "layers"),
    ],
)
def test_invalid_create_names_the_field(
    api: httpx.Client, prefix: str, body: dict[str, object], field: str
) -> None:
    response = api.post(prefix, json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"Bad Request. {{'{field}'")


@live
@pytest.mark.parametrize(
    "llm",
    [
        {"model": "my-llm", "base_url": "https://llm.example.com/v1"},
        {"model": "my-llm", "api_key": "sk-abcdef123456"},
    ],
    ids=["base_url-only", "api_key-only"],
)
def test_custom_llm_needs_both_base_url_and_api_key(
    unique_name: Callable[[], str], api: httpx.Client, prefix: str, llm: dict[str, str]
) -> None:
    response = api.post(
        prefix, json={"persona_name": unique_name(), "system_prompt": "p", "layers": {"llm": llm}}
    )
    assert response.status_code == 400
    assert response.json() == {"error": CUSTOM_LLM}


@live
def test_custom_llm_with_both_is_accepted(make_persona: PersonaFactory) -> None:
    llm = {"model": "my-llm", "base_url": "https://llm.example.com/v1", "api_key": "sk-abcdef1234567890"}
    make_persona(layers={"llm": llm})


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'"text"', b"42", b"null", b"{not json", b"", b'{"system_prompt": NaN}'],
    ids=["array", "string", "number", "null", "malformed", "empty", "nan"],
)
def test_non_object_body_is_400(api: httpx.Client, prefix: str, raw: bytes) -> None:
    response = api.post(prefix, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Bad Request.")


def test_create_ignores_client_supplied_read_only_fields(api: httpx.Client, prefix: str) -> None:
    body = {"system_prompt": "p", "persona_id": "pffffffffff1", "created_at": "2000-01-01T00:00:00Z"}
    created = api.post(prefix, json=body).json()
    assert created["persona_id"] != "pffffffffff1"
    assert created["created_at"] != "2000-01-01T00:00:00Z"


def test_ids_are_unique(api: httpx.Client, prefix: str) -> None:
    ids = {api.post(prefix, json={"system_prompt": "p"}).json()["persona_id"] for _ in range(20)}
    assert len(ids) == 20


# -- get ----------------------------------------------------------------------------------------

DOCUMENTED_FIELDS = {
    "persona_id",
    "persona_name",
    "system_prompt",
    "pipeline_mode",
    "context",
    "default_replica_id",
    "document_ids",
    "document_tags",
    "layers",
    "created_at",
    "updated_at",
}


def unwrap(body: dict[str, object]) -> dict[str, object]:
    """Accept both documented GET shapes, like the provider's client must."""
    data = body.get("data")
    if isinstance(data, list) and "persona_id" not in body:
        assert len(data) == 1
        item = data[0]
        assert isinstance(item, dict)
        return item
    return body


@live
def test_get_returns_what_was_created(
    unique_name: Callable[[], str], api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    name = unique_name()
    persona_id = make_persona(
        persona_name=name,
        system_prompt="You help with tests.",
        context="Some context.",
        layers={"llm": {"model": "tavus-gpt-oss"}},
    )
    response = api.get(f"{prefix}/{persona_id}")
    assert response.status_code == 200
    persona = unwrap(response.json())
    assert persona["persona_id"] == persona_id
    assert persona["persona_name"] == name
    assert persona["system_prompt"] == "You help with tests."
    assert persona["context"] == "Some context."


def test_get_is_top_level_object_with_all_fields(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(system_prompt="p")
    persona = api.get(f"{prefix}/{persona_id}").json()
    assert set(persona) == DOCUMENTED_FIELDS
    assert persona["created_at"] == persona["updated_at"]
    assert TIMESTAMP_RE.match(persona["created_at"])


def test_unset_fields_read_as_null_or_empty(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(system_prompt="p")
    persona = api.get(f"{prefix}/{persona_id}").json()
    assert persona["context"] is None
    assert persona["default_replica_id"] is None
    assert persona["document_ids"] == []
    assert persona["document_tags"] == []
    assert persona["layers"] == {}
    assert persona["pipeline_mode"] == "full"


def test_unknown_fields_pass_through(api: httpx.Client, prefix: str, make_persona: PersonaFactory) -> None:
    persona_id = make_persona(
        greeting="Hello!", layers={"llm": {"model": "m", "default_query": "q"}, "brand_new_layer": {"a": 1}}
    )
    persona = api.get(f"{prefix}/{persona_id}").json()
    assert persona["greeting"] == "Hello!"
    assert persona["layers"]["llm"]["default_query"] == "q"
    assert persona["layers"]["brand_new_layer"] == {"a": 1}


@live
def test_unknown_id_is_400_invalid_persona_id(api: httpx.Client, prefix: str) -> None:
    response = api.get(f"{prefix}/p0000000dead")
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid persona_id"}


# -- delete -------------------------------------------------------------------------------------


@live
def test_delete_is_204_empty_then_gone(api: httpx.Client, prefix: str, make_persona: PersonaFactory) -> None:
    persona_id = make_persona()
    response = api.delete(f"{prefix}/{persona_id}")
    assert response.status_code == 204
    assert response.content == b""
    for again in (api.get(f"{prefix}/{persona_id}"), api.delete(f"{prefix}/{persona_id}")):
        assert again.status_code == 400
        assert again.json() == {"error": "Invalid persona_id"}
    patched = api.patch(f"{prefix}/{persona_id}", json=[{"op": "replace", "path": "/context", "value": "x"}])
    assert patched.status_code == 400
    assert patched.json() == {"error": "Invalid persona_id"}


# -- routing ------------------------------------------------------------------------------------


def test_unknown_route_and_method(api: httpx.Client, prefix: str) -> None:
    assert api.get("/v2/nothing-here").status_code == 404
    response = api.put(f"{prefix}/p0123456789a", json={})
    assert response.status_code == 405
    assert "message" in response.json()


def test_trailing_slash_on_collection(api: httpx.Client, prefix: str) -> None:
    assert api.post(f"{prefix}/", json={"system_prompt": "p"}).status_code == 200
    assert api.get(f"{prefix}/").status_code == 200


def test_head_is_served_like_get(api: httpx.Client, prefix: str, make_persona: PersonaFactory) -> None:
    persona_id = make_persona()
    assert api.head(f"{prefix}/{persona_id}").status_code == 200
    assert api.head(prefix).status_code == 200


def test_deeply_nested_body_is_a_clean_400(api: httpx.Client, prefix: str) -> None:
    response = api.post(
        prefix, content=b"[" * 100_000 + b"]" * 100_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
