"""The admin surface of the kinds beyond personas: raw list/create/get/edit/delete per kind."""

from __future__ import annotations

import httpx
import pytest

from sandbox.testing import SandboxProcess
from tests.sandbox.kinds import ALL_KINDS, OBJECTIVES, KindCase, create, get

by_kind = pytest.mark.parametrize("case", ALL_KINDS, ids=lambda c: c.kind)


@by_kind
def test_raw_create_with_a_chosen_id_skips_validation(
    sandbox: SandboxProcess, api: httpx.Client, case: KindCase
) -> None:
    item_id = sandbox.admin.create_item(case.kind, {case.id_field: "chosen-id", "name": "has no data"})
    assert item_id == "chosen-id"
    assert get(api, case, item_id)[case.id_field] == "chosen-id"
    taken = httpx.post(f"{sandbox.url}/_sandbox/{case.kind}", json={case.id_field: "chosen-id"})
    assert taken.status_code == 409 and "already exists" in taken.json()["error"]


@by_kind
def test_raw_list_get_edit_delete(sandbox: SandboxProcess, api: httpx.Client, case: KindCase) -> None:
    item_id = create(api, case)
    raw = sandbox.admin.get_item(case.kind, item_id)
    assert raw is not None and [r[case.id_field] for r in sandbox.admin.list_items(case.kind)] == [item_id]
    edited = sandbox.admin.edit_item(case.kind, item_id, [{"op": "add", "path": "/name", "value": ""}])
    assert edited["name"] == "" and edited["updated_at"] > raw["updated_at"]  # no validation, no 304
    assert get(api, case, item_id)["name"] == ""
    for bad in ([{"op": "replace", "path": f"/{case.id_field}", "value": "x"}], [{"op": "nope"}]):
        response = httpx.post(f"{sandbox.url}/_sandbox/{case.kind}/{item_id}/edit", json=bad)
        assert response.status_code == 422
    assert sandbox.admin.delete_item(case.kind, item_id)
    assert sandbox.admin.get_item(case.kind, item_id) is None
    assert not sandbox.admin.delete_item(case.kind, item_id)
    assert httpx.post(f"{sandbox.url}/_sandbox/{case.kind}/{item_id}/edit", json=[]).status_code == 404


def test_raw_create_fills_server_defaults(sandbox: SandboxProcess) -> None:
    body = {"data": [{"objective_name": "a", "objective_prompt": "p"}]}
    raw = sandbox.admin.get_item("objectives", sandbox.admin.create_item("objectives", body))
    assert raw is not None and raw["status"] == "active" and raw["data"][0]["modality"] == "verbal"


def test_admin_requests_are_not_logged(sandbox: SandboxProcess, api: httpx.Client) -> None:
    cursor = sandbox.admin.cursor()
    item_id = sandbox.admin.create_item("objectives", OBJECTIVES.sample)
    sandbox.admin.edit_item("objectives", item_id, [])
    sandbox.admin.advance_clock(0)
    assert sandbox.admin.count(since=cursor) == 0


def test_clock_only_moves_forward(sandbox: SandboxProcess, api: httpx.Client) -> None:
    before = create(api, OBJECTIVES)
    sandbox.admin.advance_clock(86_400)
    after = create(api, OBJECTIVES)
    first, second = get(api, OBJECTIVES, before)["created_at"], get(api, OBJECTIVES, after)["created_at"]
    assert first[:10] < second[:10]  # a day later
    response = httpx.post(f"{sandbox.url}/_sandbox/clock", json={"advance_s": -1})
    assert response.status_code == 400 and "advance_s" in response.json()["error"]


def test_a_document_without_a_plan_reads_as_ready(sandbox: SandboxProcess, api: httpx.Client) -> None:
    body = {"document_url": "https://docs.example.com/", "crawl": {"depth": 1, "max_pages": 1}}
    document_id = sandbox.admin.create_item("documents", body)
    sandbox.admin.edit_item("documents", document_id, [{"op": "remove", "path": "/_sandbox"}])
    assert api.get(f"/v2/documents/{document_id}").json()["status"] == "ready"
    assert api.post(f"/v2/documents/{document_id}/recrawl").status_code == 200
