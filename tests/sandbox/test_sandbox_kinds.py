"""What every kind beyond personas shares (docs/graph-api.md "Common to every kind"): auth, ids,
timestamps, get/list/paging, unknown ids, delete, JSON Patch with 304 and 422, the fault switches
and the request log's per-kind `op`s."""

from __future__ import annotations

import httpx
import pytest

from sandbox.testing import SandboxProcess
from tests.sandbox.kinds import ALL_KINDS, JSON_PATCH_KINDS, TIMESTAMP_RE, KindCase, create, get

by_kind = pytest.mark.parametrize("case", ALL_KINDS, ids=lambda c: c.kind)
by_patch_kind = pytest.mark.parametrize("case", JSON_PATCH_KINDS, ids=lambda c: c.kind)


@by_kind
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", ""), ("GET", "/x1"), ("PATCH", "/x1"),
                                                ("DELETE", "/x1")])  # fmt: skip
def test_missing_or_wrong_key_is_401(
    sandbox: SandboxProcess, case: KindCase, method: str, suffix: str
) -> None:
    for headers in ({}, {"x-api-key": "wrong"}):
        response = httpx.request(method, f"{sandbox.url}{case.collection}{suffix}", headers=headers, json={})
        assert response.status_code == 401
        assert response.json() == {"message": "Invalid access token"}


@by_kind
def test_create_get_list_delete(sandbox: SandboxProcess, api: httpx.Client, case: KindCase) -> None:
    item_id = create(api, case)
    assert case.id_re.match(item_id)
    item = get(api, case, item_id)
    assert item[case.id_field] == item_id
    assert next(iter(item)) == case.id_field and list(item)[-2:] == ["created_at", "updated_at"]
    assert TIMESTAMP_RE.match(item["created_at"]) and item["created_at"] == item["updated_at"]
    assert "_sandbox" not in item
    listed = api.get(case.collection).json()
    assert listed["total_count"] == 1 and listed["data"][0][case.id_field] == item_id
    assert api.delete(f"{case.collection}/{item_id}").status_code == 204
    gone = api.get(f"{case.collection}/{item_id}")
    assert (gone.status_code, gone.json()) == (case.unknown_status, case.unknown_body)
    assert sandbox.admin.get_item(case.kind, item_id) is None


@by_kind
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_id(api: httpx.Client, case: KindCase, method: str) -> None:
    body = [] if method == "PATCH" and case.kind != "documents" else {} if method == "PATCH" else None
    response = api.request(method, f"{case.collection}/nothing-here", json=body)
    assert (response.status_code, response.json()) == (case.unknown_status, case.unknown_body)


@by_patch_kind
def test_unknown_id_follows_the_404_switch(start: object, case: KindCase) -> None:
    sb = start("--unknown-id-status", "404")  # type: ignore[operator]
    with sb.client() as client:
        response = client.get(f"{case.collection}/nothing-here")
    assert (response.status_code, response.json()) == (404, {"error": "Not found"})


@by_kind
def test_list_pages_and_clamps(sandbox: SandboxProcess, api: httpx.Client, case: KindCase) -> None:
    ids = [sandbox.admin.create_item(case.kind, case.sample) for _ in range(103)]
    first = api.get(case.collection).json()
    assert first["total_count"] == 103 and len(first["data"]) == 10  # default limit
    clamped = api.get(case.collection, params={"limit": 500}).json()
    assert len(clamped["data"]) == 100
    last = api.get(case.collection, params={"limit": 100, "page": 2}).json()
    assert [d[case.id_field] for d in clamped["data"] + last["data"]] == ids  # oldest first
    assert api.get(case.collection, params={"page": 12}).json()["data"] == []
    for bad in ({"limit": "0"}, {"page": "x"}):
        response = api.get(case.collection, params=bad)
        assert response.status_code == 400 and "Must be a positive integer" in response.json()["error"]


@by_kind
def test_client_sent_server_fields_are_ignored(api: httpx.Client, case: KindCase) -> None:
    body = {**case.sample, case.id_field: "mine", "created_at": "2000-01-01T00:00:00.000000Z"}
    item_id = create(api, case, body)
    assert item_id != "mine"
    assert get(api, case, item_id)["created_at"] != body["created_at"]


@by_kind
@pytest.mark.parametrize("raw", [b"not json", b"[1]", b""])
def test_create_body_must_be_a_json_object(api: httpx.Client, case: KindCase, raw: bytes) -> None:
    response = api.post(case.collection, content=raw)
    assert response.status_code == 400 and "Request body must be" in response.json()["error"]


# -- JSON Patch ---------------------------------------------------------------------------------


RENAME = {"op": "replace", "path": "/name", "value": "renamed"}
ALL_OPS = {
    "replace": [RENAME],
    "add-remove": [{"op": "add", "path": "/note", "value": "n"}, {"op": "remove", "path": "/note"}, RENAME],
    "copy-move-test": [
        {"op": "copy", "from": "/name", "path": "/label"},
        {"op": "move", "from": "/label", "path": "/alias"},
        {"op": "test", "path": "/alias", "value": None},  # the name, filled in by the test
        RENAME,
    ],
}


@by_patch_kind
@pytest.mark.parametrize("ops", list(ALL_OPS.values()), ids=list(ALL_OPS))
def test_json_patch_all_ops(api: httpx.Client, case: KindCase, ops: list[dict[str, object]]) -> None:
    item_id = create(api, case)
    before = get(api, case, item_id)
    # `test` compares with the copied name; fill it in now that we know it
    ops = [{**op, "value": before["name"]} if op["op"] == "test" else op for op in ops]
    response = api.patch(f"{case.collection}/{item_id}", json=ops)
    assert response.status_code == 200, response.text
    after = get(api, case, item_id)
    assert response.json() == after
    assert after["name"] == "renamed" and after["updated_at"] > before["updated_at"]
    assert "note" not in after


@by_patch_kind
def test_json_patch_that_changes_nothing_is_304(
    sandbox: SandboxProcess, api: httpx.Client, case: KindCase
) -> None:
    item_id = create(api, case)
    before = get(api, case, item_id)
    same = [{"op": "replace", "path": "/name", "value": before["name"]}]
    response = api.patch(f"{case.collection}/{item_id}", json=same)
    assert response.status_code == 304 and response.content == b""
    assert get(api, case, item_id) == before


@by_patch_kind
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"op": "replace"}',
        b'[{"op": "replace", "path": "/missing/deep", "value": 1}]',
        b'[{"op": "test", "path": "/name", "value": "other"}]',
        b'[{"op": "jump", "path": "/name"}]',
    ],
)
def test_bad_patch_is_422(api: httpx.Client, case: KindCase, body: bytes) -> None:
    item_id = create(api, case)
    before = get(api, case, item_id)
    response = api.patch(f"{case.collection}/{item_id}", content=body)
    assert response.status_code == 422
    assert response.json()["message"] == "Invalid JSON patch format"
    assert get(api, case, item_id) == before


@by_patch_kind
@pytest.mark.parametrize("field", ["id", "created_at", "updated_at"])
def test_read_only_fields_cannot_be_patched(api: httpx.Client, case: KindCase, field: str) -> None:
    item_id = create(api, case)
    name = case.id_field if field == "id" else field
    response = api.patch(
        f"{case.collection}/{item_id}", json=[{"op": "replace", "path": f"/{name}", "value": "x"}]
    )
    assert response.status_code == 422
    assert response.json()["message"] == f"Cannot modify read-only field: {name}"


@by_patch_kind
def test_patch_result_is_validated(api: httpx.Client, case: KindCase) -> None:
    item_id = create(api, case)
    before = get(api, case, item_id)
    target = "/rules" if case.kind == "pronunciation-dictionaries" else "/data"
    response = api.patch(f"{case.collection}/{item_id}", json=[{"op": "replace", "path": target, "value": 7}])
    assert response.status_code == 400 and "error" in response.json()
    assert get(api, case, item_id) == before


# -- faults and the request log -------------------------------------------------------------------


@by_kind
def test_request_log_ops_are_per_kind(sandbox: SandboxProcess, api: httpx.Client, case: KindCase) -> None:
    cursor = sandbox.admin.cursor()
    item_id = create(api, case)
    get(api, case, item_id)
    api.get(case.collection)
    body = (
        {"tags": ["x"]} if case.kind == "documents" else [{"op": "replace", "path": "/name", "value": "n2"}]
    )
    assert api.patch(f"{case.collection}/{item_id}", json=body).status_code == 200
    api.delete(f"{case.collection}/{item_id}")
    api.get("/v2/personas")
    log = sandbox.admin.requests(cursor)
    verbs = ("create", "get", "list", "update", "delete")
    assert log["op_counts"] == {**{f"{case.kind}.{v}": 1 for v in verbs}, "list": 1}
    assert sandbox.admin.count("PATCH", path=case.collection, since=cursor) == 1
    assert sandbox.admin.count(path=f"{case.collection}/{item_id}", since=cursor) == 3
    assert sandbox.admin.count(op=f"{case.kind}.update", since=cursor) == 1
    patch_entry = next(e for e in log["requests"] if e["method"] == "PATCH")
    assert "n2" in patch_entry["body"] or '"x"' in patch_entry["body"]


@by_kind
def test_ambiguous_create_commits_but_loses_the_answer(
    sandbox: SandboxProcess, api: httpx.Client, case: KindCase
) -> None:
    sandbox.admin.set_faults(ambiguous_create_count=1)
    response = api.post(case.collection, json=case.sample)
    assert (response.status_code, response.json()) == (504, {"error": "Gateway Timeout"})
    assert len(sandbox.admin.list_items(case.kind)) == 1
    assert api.post(case.collection, json=case.sample).status_code == 200
    assert len(sandbox.admin.list_items(case.kind)) == 2


@by_kind
def test_rate_limit_and_injected_errors_apply(
    sandbox: SandboxProcess, api: httpx.Client, case: KindCase
) -> None:
    sandbox.admin.set_faults(rate_limit=1, rate_limit_window_s=60)
    assert api.get(case.collection).status_code == 200
    limited = api.get(case.collection)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    sandbox.admin.set_faults(error_rate=1.0, error_statuses=[503], error_methods=["POST"])
    failed = api.post(case.collection, json=case.sample)
    assert (failed.status_code, failed.json()) == (503, {"error": "Service Unavailable"})
    assert sandbox.admin.list_items(case.kind) == []  # returned before the create took effect


@by_kind
def test_slow_answer_after_the_write(sandbox: SandboxProcess, case: KindCase) -> None:
    sandbox.admin.set_faults(slow_ms=5000, slow_methods=["POST"])
    with sandbox.client(timeout=0.5) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(case.collection, json=case.sample)
    assert len(sandbox.admin.list_items(case.kind)) == 1


@by_kind
def test_validate_before_auth_applies_to_every_create(start: object, case: KindCase) -> None:
    sb = start("--validate-before-auth")  # type: ignore[operator]
    response = httpx.post(f"{sb.url}{case.collection}", headers={"x-api-key": "wrong"}, json={"x": 1})
    assert response.status_code == 400


@by_kind
def test_items_survive_a_restart_and_reset_clears_them(start: object, case: KindCase) -> None:
    sb = start()  # type: ignore[operator]
    with sb.client() as client:
        item_id = create(client, case)
    sb.restart()
    with sb.client() as client:
        assert get(client, case, item_id)[case.id_field] == item_id
    sb.admin.reset()
    assert sb.admin.list_items(case.kind) == []
