"""GET /v2/personas: pagination, filter, order, parameter validation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess

live = pytest.mark.tavus_live


def user_page(api: httpx.Client, prefix: str, **params: Any) -> dict[str, Any]:
    response = api.get(prefix, params={"persona_type": "user", **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "total_count"}
    return body


def create_many(sandbox: SandboxProcess, count: int) -> list[str]:
    """Out-of-band creation is fast and keeps creation order = id order in the list."""
    return [sandbox.admin.create({"persona_name": f"n{i:03}", "system_prompt": "p"}) for i in range(count)]


@live
def test_list_shape_and_limit(api: httpx.Client, prefix: str) -> None:
    response = api.get(prefix, params={"limit": 2, "page": 1})
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["data"], list) and len(body["data"]) <= 2
    assert isinstance(body["total_count"], int) and body["total_count"] >= len(body["data"])


@live
def test_created_persona_is_listed(api: httpx.Client, prefix: str, make_persona: Any) -> None:
    persona_id = make_persona()
    total = api.get(prefix, params={"persona_type": "user", "limit": 1}).json()["total_count"]
    pages = (total + 99) // 100
    ids = {
        p["persona_id"]
        for page in range(1, pages + 1)
        for p in api.get(prefix, params={"persona_type": "user", "limit": 100, "page": page}).json()["data"]
    }
    assert persona_id in ids


def test_empty_account(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    assert user_page(api, prefix) == {"data": [], "total_count": 0}


def test_defaults_are_limit_10_page_1(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    ids = create_many(sandbox, 12)
    body = user_page(api, prefix)
    assert [p["persona_id"] for p in body["data"]] == ids[:10]
    assert body["total_count"] == 12


def test_exact_multiple_partial_and_past_the_end(
    api: httpx.Client, prefix: str, sandbox: SandboxProcess
) -> None:
    ids = create_many(sandbox, 6)
    assert [p["persona_id"] for p in user_page(api, prefix, limit=3, page=2)["data"]] == ids[3:6]
    assert user_page(api, prefix, limit=3, page=3) == {"data": [], "total_count": 6}
    assert [p["persona_id"] for p in user_page(api, prefix, limit=4, page=2)["data"]] == ids[4:6]
    assert user_page(api, prefix, limit=4, page=99)["data"] == []
    collected = [
        p["persona_id"] for page in (1, 2, 3) for p in user_page(api, prefix, limit=2, page=page)["data"]
    ]
    assert collected == ids


def test_limit_is_clamped_to_100(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    create_many(sandbox, 101)
    body = user_page(api, prefix, limit=1000)
    assert len(body["data"]) == 100
    assert body["total_count"] == 101
    assert len(user_page(api, prefix, limit=1000, page=2)["data"]) == 1


def test_order_is_created_at_then_id(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    same = "2026-01-01T00:00:00.000000Z"
    for persona_id in ("pbbbbbbbbbbb", "paaaaaaaaaa1", "pccccccccccc"):
        sandbox.admin.create({"persona_id": persona_id, "system_prompt": "p", "created_at": same})
    sandbox.admin.create(
        {"persona_id": "p00000000000", "system_prompt": "p", "created_at": "2026-02-01T00:00:00Z"}
    )
    ids = [p["persona_id"] for p in user_page(api, prefix)["data"]]
    assert ids == ["paaaaaaaaaa1", "pbbbbbbbbbbb", "pccccccccccc", "p00000000000"]


def test_persona_type_filter(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    ids = create_many(sandbox, 3)
    system = api.get(prefix, params={"persona_type": "system"}).json()
    assert system["total_count"] == 2
    assert all(p["persona_id"] not in ids for p in system["data"])
    everything = api.get(prefix).json()
    assert everything["total_count"] == 5
    # System personas are older than anything a user creates, so they come first.
    assert [p["persona_id"] for p in everything["data"]][2:] == ids


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"page": "0"},
        {"page": "-3"},
        {"page": "x"},
        {"persona_type": "admin"},
    ],
)
def test_invalid_parameters_are_400(api: httpx.Client, prefix: str, params: dict[str, str]) -> None:
    response = api.get(prefix, params=params)
    assert response.status_code == 400
    name = next(iter(params))
    assert response.json()["error"].startswith(f"Bad Request. {{'{name}'")


def test_huge_page_number_is_an_empty_page(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    create_many(sandbox, 1)
    assert user_page(api, prefix, page=10**30) == {"data": [], "total_count": 1}
