"""The /_sandbox admin surface: request log, out-of-band edit/delete/create, raw read, faults, reset."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess


def admin_url(sandbox: SandboxProcess, path: str) -> str:
    return f"{sandbox.url}/_sandbox{path}"


# -- request log --------------------------------------------------------------------------------


def test_request_log_entries_and_counts(sandbox: SandboxProcess, prefix: str) -> None:
    with sandbox.client() as client:
        persona_id = client.post(prefix, json={"system_prompt": "p"}).json()["persona_id"]
        client.get(f"{prefix}/{persona_id}")
        client.get(prefix, params={"limit": 5})
        client.patch(f"{prefix}/{persona_id}", json=[{"op": "add", "path": "/context", "value": "c"}])
        client.patch(f"{prefix}/{persona_id}", json=[{"op": "add", "path": "/context", "value": "c"}])
        client.delete(f"{prefix}/{persona_id}")
    httpx.get(f"{sandbox.url}{prefix}")  # no key: 401, still logged
    sandbox.admin.faults()  # admin requests are not logged
    log = sandbox.admin.requests()
    entries = log["requests"]
    assert [(e["method"], e["op"], e["status"]) for e in entries] == [
        ("POST", "create", 200),
        ("GET", "get", 200),
        ("GET", "list", 200),
        ("PATCH", "update", 200),
        ("PATCH", "update", 304),
        ("DELETE", "delete", 204),
        ("GET", "list", 401),
    ]
    first = entries[0]["seq"]
    assert [e["seq"] for e in entries] == list(range(first, first + 7))
    assert entries[2]["query"] == "limit=5" and entries[2]["path"] == prefix
    assert entries[1]["path"] == f"{prefix}/{persona_id}"
    assert all(re.match(r"^\d{4}-\d\d-\d\dT.*Z$", e["time"]) and e["duration_ms"] >= 0 for e in entries)
    assert log["counts"] == {"POST": 1, "GET": 3, "PATCH": 2, "DELETE": 1}
    assert log["op_counts"] == {"create": 1, "get": 1, "list": 2, "update": 2, "delete": 1}
    assert log["status_counts"] == {"200": 4, "304": 1, "204": 1, "401": 1}
    assert log["total"] == 7 and log["cursor"] == first + 6


def test_since_cursor_and_clear(sandbox: SandboxProcess, prefix: str) -> None:
    with sandbox.client() as client:
        client.get(prefix)
        cursor = sandbox.admin.cursor()
        client.get(prefix)
        client.post(prefix, json={"system_prompt": "p"})
    newer = sandbox.admin.requests(since=cursor)
    assert [e["method"] for e in newer["requests"]] == ["GET", "POST"]
    assert newer["counts"] == {"GET": 1, "POST": 1}
    assert sandbox.admin.count("POST", since=cursor) == 1
    assert sandbox.admin.count(op="list") == 2
    end = sandbox.admin.clear_requests()
    assert end == cursor + 2
    assert sandbox.admin.requests()["requests"] == []
    with sandbox.client() as client:
        client.get(prefix)
    assert [e["seq"] for e in sandbox.admin.requests()["requests"]] == [end + 1]  # seq is never reused
    assert httpx.get(admin_url(sandbox, "/requests"), params={"since": "x"}).status_code == 400


def test_unknown_paths_are_logged_without_op(sandbox: SandboxProcess) -> None:
    httpx.get(f"{sandbox.url}/v2/unknown")
    (entry,) = sandbox.admin.requests()["requests"]
    assert (entry["status"], entry["op"]) == (404, None)


# -- out-of-band create / raw read / delete -----------------------------------------------------


def test_admin_create_and_raw_read(sandbox: SandboxProcess, prefix: str) -> None:
    key = "sk-out-of-band-0123456789"
    persona_id = sandbox.admin.create(
        {"persona_name": "ui", "layers": {"llm": {"model": "m", "api_key": key}}}
    )
    assert re.match(r"^p[0-9a-f]{11}$", persona_id)
    raw = sandbox.admin.get(persona_id)
    assert raw is not None
    assert raw["layers"]["llm"]["api_key"] == key  # unmasked
    assert raw["system_prompt"] is None and raw["document_ids"] == []  # no validation, nulls filled
    with sandbox.client() as client:
        assert client.get(f"{prefix}/{persona_id}").json()["layers"]["llm"]["api_key"] == "****6789"


def test_admin_create_with_chosen_id(sandbox: SandboxProcess) -> None:
    assert sandbox.admin.create({"persona_id": "pabcabcabc01", "system_prompt": "p"}) == "pabcabcabc01"
    duplicate = httpx.post(admin_url(sandbox, "/personas"), json={"persona_id": "pabcabcabc01"})
    assert duplicate.status_code == 409
    for bad in (b"[]", b"nope"):
        assert httpx.post(admin_url(sandbox, "/personas"), content=bad).status_code == 400
    assert httpx.post(admin_url(sandbox, "/personas"), json={"persona_id": 5}).status_code == 400


def test_admin_list_includes_system_personas(sandbox: SandboxProcess) -> None:
    sandbox.admin.create({"system_prompt": "p"})
    assert len(sandbox.admin.list()) == 3
    assert len(sandbox.admin.list("system")) == 2
    assert len(sandbox.admin.list("user")) == 1


def test_admin_delete(sandbox: SandboxProcess, prefix: str) -> None:
    persona_id = sandbox.admin.create({"system_prompt": "p"})
    assert sandbox.admin.delete(persona_id) is True
    assert sandbox.admin.delete(persona_id) is False
    assert sandbox.admin.get(persona_id) is None
    with sandbox.client() as client:
        response = client.get(f"{prefix}/{persona_id}")
    assert response.status_code == 400 and response.json() == {"error": "Invalid persona_id"}


# -- out-of-band edit ---------------------------------------------------------------------------


def test_admin_edit_is_seen_by_the_api_and_bumps_updated_at(sandbox: SandboxProcess, prefix: str) -> None:
    with sandbox.client() as client:
        persona_id = client.post(prefix, json={"system_prompt": "p"}).json()["persona_id"]
        before = client.get(f"{prefix}/{persona_id}").json()
        edited = sandbox.admin.edit(
            persona_id, [{"op": "replace", "path": "/system_prompt", "value": "UI edit"}]
        )
        assert edited["system_prompt"] == "UI edit"
        after = client.get(f"{prefix}/{persona_id}").json()
    assert after["system_prompt"] == "UI edit"
    assert after["updated_at"] > before["updated_at"]
    assert [e["method"] for e in sandbox.admin.requests()["requests"]] == ["POST", "GET", "GET"]  # no edit


def test_admin_edit_has_no_304_and_no_validation(sandbox: SandboxProcess) -> None:
    persona_id = sandbox.admin.create({"system_prompt": "p"})
    first = sandbox.admin.edit(persona_id, [])
    second = sandbox.admin.edit(persona_id, [{"op": "remove", "path": "/system_prompt"}])
    assert second["updated_at"] > first["updated_at"]
    assert second["system_prompt"] is None


def test_admin_edit_errors(sandbox: SandboxProcess) -> None:
    persona_id = sandbox.admin.create({"system_prompt": "p"})
    url = admin_url(sandbox, f"/personas/{persona_id}/edit")
    assert httpx.post(admin_url(sandbox, "/personas/p0000000dead/edit"), json=[]).status_code == 404
    for body in (
        [{"op": "remove", "path": "/nope"}],
        {"op": "add"},
        [{"op": "remove", "path": "/persona_id"}],
    ):
        response = httpx.post(url, json=body)
        assert response.status_code == 422
        assert "message" in response.json()
    assert httpx.post(url, content=b"{bad").status_code == 422


def test_admin_raw_read_unknown_is_404(sandbox: SandboxProcess) -> None:
    assert sandbox.admin.get("p0000000dead") is None
    assert httpx.get(admin_url(sandbox, "/personas/p0000000dead")).json() == {"error": "Not found"}


# -- faults -------------------------------------------------------------------------------------


def test_faults_get_put_patch(sandbox: SandboxProcess) -> None:
    defaults = sandbox.admin.faults()
    assert defaults["error_rate"] == 0.0 and defaults["error_statuses"] == [500, 502, 503]
    put = sandbox.admin.set_faults(latency_ms=10, error_methods=["get"])
    assert put["latency_ms"] == 10 and put["error_methods"] == ["GET"]
    patched = sandbox.admin.update_faults(error_rate=0.25)
    assert patched["latency_ms"] == 10 and patched["error_rate"] == 0.25
    replaced = sandbox.admin.set_faults(error_rate=0.5)
    assert replaced["latency_ms"] == 0  # PUT replaces everything
    assert sandbox.admin.faults() == replaced


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"nope": 1}, "nope"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"latency_ms": "5"}, "latency_ms"),
        ({"error_rate": 1.5}, "error_rate"),
        ({"error_rate": True}, "error_rate"),
        ({"error_methods": ["PUT"]}, "error_methods"),
        ({"error_statuses": [404]}, "error_statuses"),
        ({"error_statuses": []}, "error_statuses"),
        ({"ambiguous_create_mode": "lost"}, "ambiguous_create_mode"),
        ({"rate_limit_window_s": 0}, "rate_limit_window_s"),
        ([], "object"),
    ],
)
def test_invalid_faults_are_400_and_change_nothing(sandbox: SandboxProcess, body: Any, word: str) -> None:
    before = sandbox.admin.faults()
    response = httpx.put(admin_url(sandbox, "/faults"), json=body)
    assert response.status_code == 400
    assert word in response.json()["error"]
    assert sandbox.admin.faults() == before


# -- reset and config ---------------------------------------------------------------------------


def test_reset(sandbox: SandboxProcess, prefix: str) -> None:
    with sandbox.client() as client:
        client.post(prefix, json={"system_prompt": "p"})
    sandbox.admin.create({"system_prompt": "p"})
    system_id = sandbox.admin.list("system")[0]["persona_id"]
    sandbox.admin.delete(system_id)
    sandbox.admin.set_faults(error_rate=1.0)
    sandbox.admin.reset()
    assert sandbox.admin.list("user") == []
    assert len(sandbox.admin.list("system")) == 2  # system personas come back
    assert sandbox.admin.requests()["requests"] == []
    assert sandbox.admin.faults()["error_rate"] == 0.0


def test_admin_needs_no_key_and_is_not_under_the_api_prefix(sandbox: SandboxProcess) -> None:
    assert httpx.get(admin_url(sandbox, "/config")).status_code == 200
    assert sandbox.admin.config()["path_prefix"] == "/v2/personas"
    assert sandbox.admin.config()["max_list_limit"] == 100
