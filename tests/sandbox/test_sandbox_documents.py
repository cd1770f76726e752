"""Documents: the simulated processing (started -> processing -> ready | error), its switches,
list filters, plain-body PATCH, recrawl with its cooldown, and the account limits.

The processing follows the sandbox clock; tests step it with `admin.advance_clock` instead of
waiting, and poll with a bounded deadline where real time must pass."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess, SandboxStartError
from tests.sandbox.kinds import DOCUMENTS, create, get, wait_for

Start = Callable[..., SandboxProcess]
SITE = {"document_url": "https://docs.example.com/", "crawl": {"depth": 2, "max_pages": 20}}
NOT_FOUND = (404, {"message": "Document not found"})


def document(api: httpx.Client, url: str = "https://example.com/a.pdf", **extra: Any) -> str:
    return create(api, DOCUMENTS, {"document_url": url, **extra})


# -- processing -----------------------------------------------------------------------------------


def test_create_answers_started_and_a_get_becomes_ready(api: httpx.Client) -> None:
    response = api.post(
        DOCUMENTS.collection, json={**DOCUMENTS.sample, "callback_url": "https://hooks.example.com"}
    )
    assert response.status_code == 200
    answer = response.json()
    assert list(answer) == [
        "document_id", "document_name", "document_url", "status", "progress", "tags", "callback_url",
        "created_at", "updated_at",
    ]  # fmt: skip
    assert (answer["status"], answer["progress"], answer["tags"]) == ("started", 0, ["hr"])
    ready = wait_for(
        lambda: (doc := get(api, DOCUMENTS, answer["document_id"]))["status"] == "ready" and doc,
        "the document to become ready (default document_ready_ms 300)",
    )
    assert "progress" not in ready and "error_message" not in ready


def test_status_progresses_with_the_sandbox_clock(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_rules=[{"url_contains": "big.pdf", "ready_ms": 100_000}])
    document_id = document(api, "https://example.com/big.pdf")
    assert get(api, DOCUMENTS, document_id)["status"] == "started"
    sandbox.admin.advance_clock(30)
    middle = get(api, DOCUMENTS, document_id)
    assert middle["status"] == "processing" and 30 <= middle["progress"] < 40
    sandbox.admin.advance_clock(30)
    later = get(api, DOCUMENTS, document_id)
    assert later["status"] == "processing" and later["progress"] > middle["progress"]
    sandbox.admin.advance_clock(40)
    assert get(api, DOCUMENTS, document_id)["status"] == "ready"


def test_a_rule_can_end_in_error(sandbox: SandboxProcess, api: httpx.Client) -> None:
    rules = [
        {"url_contains": "broken", "ready_ms": 0, "error": "Could not fetch the file (HTTP 404)"},
        {"url_contains": "example.com", "ready_ms": 100_000},  # not reached for broken URLs
    ]
    sandbox.admin.update_faults(document_rules=rules)
    answer = api.post(DOCUMENTS.collection, json={"document_url": "https://example.com/broken.pdf"}).json()
    assert answer["status"] == "started" and "error_message" not in answer
    failed = get(api, DOCUMENTS, answer["document_id"])
    assert (failed["status"], failed["error_message"]) == ("error", "Could not fetch the file (HTTP 404)")
    assert get(api, DOCUMENTS, document(api, "https://example.com/fine.pdf"))["status"] == "started"


def test_a_plan_is_fixed_at_create(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_ready_ms=100_000)
    document_id = document(api)
    sandbox.admin.update_faults(document_ready_ms=0)
    assert get(api, DOCUMENTS, document_id)["status"] == "started"  # later switches do not change it
    assert get(api, DOCUMENTS, document(api))["status"] == "ready"


def test_admin_pins_a_status(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_ready_ms=0)
    document_id = document(api)
    pinned = sandbox.admin.set_document_status(document_id, "error", error_message="Virus found")
    assert (pinned["status"], pinned["error_message"]) == ("error", "Virus found")
    assert get(api, DOCUMENTS, document_id)["status"] == "error"
    sandbox.admin.set_document_status(document_id, "processing", progress=42)
    assert (get(api, DOCUMENTS, document_id)["progress"]) == 42
    sandbox.admin.set_document_status(document_id, None)
    assert get(api, DOCUMENTS, document_id)["status"] == "ready"
    with pytest.raises(httpx.HTTPStatusError):
        sandbox.admin.set_document_status(document_id, "done")


# -- switches ---------------------------------------------------------------------------------------


def test_document_switches_as_cli_flags_and_reset(start: Start) -> None:
    rules = [{"url_contains": "slow", "ready_ms": 5000}]
    sb = start("--document-ready-ms", "0", "--document-rules", json.dumps(rules), "--recrawl-cooldown", "5")
    faults = sb.admin.faults()
    assert (faults["document_ready_ms"], faults["document_rules"], faults["recrawl_cooldown_s"]) == (
        0,
        rules,
        5.0,
    )
    sb.admin.set_faults()
    assert (sb.admin.faults()["document_ready_ms"], sb.admin.faults()["recrawl_cooldown_s"]) == (300, 3600.0)
    sb.admin.reset()
    assert sb.admin.faults() == faults


@pytest.mark.parametrize(
    "args",
    [
        ("--document-rules", "not json"),
        ("--document-rules", '{"url_contains": "x"}'),
        ("--document-rules", '[{"ready_ms": 1}]'),
        ("--document-ready-ms", "-1"),
    ],
)
def test_invalid_document_flags_refuse_to_start(start: Start, args: tuple[str, ...]) -> None:
    with pytest.raises(SandboxStartError, match="exit code 2"):
        start(*args)


@pytest.mark.parametrize(
    ("switches", "fragment"),
    [
        ({"document_rules": [{"url_contains": ""}]}, "document_rules[0].url_contains"),
        ({"document_rules": [{"url_contains": "a", "delay": 1}]}, "unknown key(s) ['delay']"),
        ({"document_rules": [{"url_contains": "a", "ready_ms": -5}]}, "document_rules[0].ready_ms"),
        ({"document_rules": [{"url_contains": "a", "error": 3}]}, "document_rules[0].error"),
        ({"recrawl_cooldown_s": -1}, "recrawl_cooldown_s"),
        ({"document_ready_ms": 1.5}, "document_ready_ms must be an integer"),
    ],
)
def test_invalid_document_switches_are_400(
    sandbox: SandboxProcess, switches: dict[str, Any], fragment: str
) -> None:
    before = sandbox.admin.faults()
    response = httpx.patch(f"{sandbox.url}/_sandbox/faults", json=switches)
    assert response.status_code == 400 and fragment in response.json()["error"]
    assert sandbox.admin.faults() == before


# -- create validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "document_url is required"),
        ({"document_url": "ftp://example.com/a.pdf"}, "must be an http(s) URL"),
        ({"document_url": "example.com/a.pdf"}, "must be an http(s) URL"),
        ({"document_url": "https://example.com/tool.exe"}, "Unsupported file format '.exe'"),
        ({"document_url": "https://example.com/a.pdf", "tags": "hr"}, "tags must be a list of strings"),
        ({"document_url": "https://example.com/a.pdf", "document_name": 7}, "document_name must be a string"),
        ({"document_url": "https://example.com/a.pdf", "callback_url": 7}, "callback_url must be a string"),
        ({**SITE, "crawl": {"depth": 0, "max_pages": 1}}, "crawl.depth must be an integer from 1 to 10"),
        ({**SITE, "crawl": {"depth": 11, "max_pages": 1}}, "crawl.depth must be an integer from 1 to 10"),
        (
            {**SITE, "crawl": {"depth": 1, "max_pages": 101}},
            "crawl.max_pages must be an integer from 1 to 100",
        ),
        ({**SITE, "crawl": {"depth": 1, "pages": 1}}, "crawl: unknown key(s) ['pages']"),
        ({**SITE, "crawl": 3}, "crawl must be an object"),
    ],
)
def test_create_validation(
    sandbox: SandboxProcess, api: httpx.Client, body: dict[str, Any], fragment: str
) -> None:
    response = api.post(DOCUMENTS.collection, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert sandbox.admin.list_items("documents") == []


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/REPORT.PDF",
        "http://example.com/data.xlsx?download=1",
        "https://example.com/files/latest",  # no extension: judged by content
        "https://example.com/",
    ],
)
def test_accepted_urls(api: httpx.Client, url: str) -> None:
    assert document(api, url)


def test_a_crawl_url_may_be_a_web_page(api: httpx.Client) -> None:
    document_id = document(
        api, "https://docs.example.com/guide/index.html", crawl={"depth": 1, "max_pages": 1}
    )
    item = get(api, DOCUMENTS, document_id)
    assert item["crawl"] == {"depth": 1, "max_pages": 1} and item["document_name"] == "index.html"


def test_the_name_defaults_to_the_file_name(api: httpx.Client) -> None:
    assert (
        get(api, DOCUMENTS, document(api, "https://example.com/docs/Guide.pdf"))["document_name"]
        == "Guide.pdf"
    )
    assert get(api, DOCUMENTS, document(api, "https://example.com"))["document_name"] == "example.com"


# -- list filters ---------------------------------------------------------------------------------


def test_list_filters_and_sort(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_rules=[{"url_contains": "draft", "ready_ms": 100_000}])
    ready_hr = document(api, "https://example.com/hr.pdf", document_name="HR Handbook", tags=["hr", "policy"])
    ready_it = document(api, "https://example.com/it.pdf", document_name="IT Guide", tags=["it"])
    busy = document(api, "https://example.com/draft.pdf", document_name="Draft", tags=["policy"])
    sandbox.admin.advance_clock(1)

    def ids(**params: str) -> list[str]:
        response = api.get(DOCUMENTS.collection, params=params)
        assert response.status_code == 200, response.text
        return [d["document_id"] for d in response.json()["data"]]

    assert ids() == [ready_hr, ready_it, busy]
    assert ids(sort="descending") == [busy, ready_it, ready_hr]
    assert ids(status="ready") == [ready_hr, ready_it]
    assert ids(status="started") == [busy]
    assert ids(name_or_uuid="handbook") == [ready_hr]
    assert ids(name_or_uuid=ready_it) == [ready_it]
    assert ids(tags="policy") == [ready_hr, busy]
    assert ids(tags="it,hr") == [ready_hr, ready_it]
    assert ids(tags="policy", status="ready", limit="1") == [ready_hr]
    assert api.get(DOCUMENTS.collection, params={"tags": "policy", "limit": "1"}).json()["total_count"] == 2
    for bad in ({"status": "done"}, {"sort": "newest"}):
        response = api.get(DOCUMENTS.collection, params=bad)
        assert response.status_code == 400 and "Must be one of" in response.json()["error"]


# -- plain-body PATCH -------------------------------------------------------------------------------


def test_patch_sets_name_and_overwrites_tags(api: httpx.Client) -> None:
    document_id = document(api, tags=["a", "b"])
    before = get(api, DOCUMENTS, document_id)
    path = f"{DOCUMENTS.collection}/{document_id}"
    response = api.patch(path, json={"document_name": "Renamed", "tags": ["c"]})
    assert response.status_code == 200
    after = response.json()
    assert (after["document_name"], after["tags"]) == ("Renamed", ["c"])
    assert after["updated_at"] > before["updated_at"] and after["document_url"] == before["document_url"]
    assert api.patch(path, json={"tags": []}).json()["tags"] == []
    assert get(api, DOCUMENTS, document_id)["tags"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"document_url": "https://example.com/b.pdf"}, "document_url cannot be changed"),
        ({"crawl": {"depth": 1}, "tags": []}, "crawl cannot be changed"),
        ({"status": "ready"}, "status cannot be changed"),
        ({"tags": "x"}, "tags must be a list of strings"),
        ({"document_name": ["x"]}, "document_name must be a string"),
    ],
)
def test_patch_refuses_other_keys(api: httpx.Client, body: dict[str, Any], fragment: str) -> None:
    document_id = document(api)
    before = get(api, DOCUMENTS, document_id)
    response = api.patch(f"{DOCUMENTS.collection}/{document_id}", json=body)
    assert response.status_code == 400 and fragment in response.json()["error"]
    assert get(api, DOCUMENTS, document_id)["updated_at"] == before["updated_at"]


def test_patch_body_must_be_an_object(api: httpx.Client) -> None:
    document_id = document(api)
    response = api.patch(f"{DOCUMENTS.collection}/{document_id}", json=[{"op": "replace", "path": "/tags"}])
    assert response.status_code == 400 and "JSON object" in response.json()["error"]


# -- recrawl --------------------------------------------------------------------------------------


def test_recrawl_after_the_cooldown(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_rules=[{"url_contains": "docs.example.com", "ready_ms": 10_000}])
    document_id = create(api, DOCUMENTS, SITE)
    path = f"{DOCUMENTS.collection}/{document_id}/recrawl"
    early = api.post(path)
    assert early.status_code == 429 and "once every 3600 s" in early.json()["error"]
    assert 3500 <= int(early.headers["Retry-After"]) <= 3600
    sandbox.admin.advance_clock(3600)
    assert get(api, DOCUMENTS, document_id)["status"] == "ready"
    response = api.post(path)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["progress"]) == ("recrawling", 0)
    sandbox.admin.advance_clock(5)
    middle = get(api, DOCUMENTS, document_id)
    assert middle["status"] == "recrawling" and 50 <= middle["progress"] < 60
    sandbox.admin.advance_clock(5)
    assert get(api, DOCUMENTS, document_id)["status"] == "ready"
    again = api.post(path)  # the cooldown starts again at each recrawl
    assert again.status_code == 429 and int(again.headers["Retry-After"]) >= 3500
    assert sandbox.admin.count("POST", op="documents.recrawl") == 3


def test_recrawl_cooldown_switch(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(recrawl_cooldown_s=0, document_ready_ms=0)
    document_id = create(api, DOCUMENTS, SITE)
    for _ in range(2):
        assert api.post(f"{DOCUMENTS.collection}/{document_id}/recrawl").status_code == 200
    assert get(api, DOCUMENTS, document_id)["status"] == "ready"


def test_only_crawl_documents_can_be_recrawled(api: httpx.Client) -> None:
    response = api.post(f"{DOCUMENTS.collection}/{document(api)}/recrawl")
    assert response.status_code == 400 and "Only crawl documents" in response.json()["error"]
    missing = api.post(f"{DOCUMENTS.collection}/d00000000000/recrawl")
    assert (missing.status_code, missing.json()) == NOT_FOUND


# -- limits ---------------------------------------------------------------------------------------


def test_five_crawls_at_once(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_rules=[{"url_contains": "docs.example.com", "ready_ms": 60_000}])
    crawling = [create(api, DOCUMENTS, SITE) for _ in range(5)]
    assert document(api)  # a single file is not a crawl
    refused = api.post(DOCUMENTS.collection, json=SITE)
    assert refused.status_code == 429 and "At most 5 crawls" in refused.json()["error"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(sandbox.admin.list_items("documents")) == 6
    sandbox.admin.advance_clock(60)
    assert all(get(api, DOCUMENTS, d)["status"] == "ready" for d in crawling)
    assert create(api, DOCUMENTS, SITE)


def test_at_most_100_crawl_documents(sandbox: SandboxProcess, api: httpx.Client) -> None:
    sandbox.admin.update_faults(document_ready_ms=0)
    for index in range(100):
        sandbox.admin.create_item("documents", {**SITE, "document_name": f"site {index}"})
    refused = api.post(DOCUMENTS.collection, json=SITE)
    assert refused.status_code == 400 and "at most 100 crawl documents" in refused.json()["error"]
    assert document(api)  # files are not limited by this rule


def test_admin_document_routes(sandbox: SandboxProcess, api: httpx.Client) -> None:
    document_id = sandbox.admin.create_item(
        "documents", {"document_url": "https://example.com/x.pdf", "tags": []}
    )
    raw = sandbox.admin.get_item("documents", document_id)
    assert raw is not None and raw["_sandbox"]["phase"] == "processing"
    edited = sandbox.admin.edit_item(
        "documents", document_id, [{"op": "add", "path": "/tags/-", "value": "z"}]
    )
    assert edited["tags"] == ["z"] and get(api, DOCUMENTS, document_id)["tags"] == ["z"]
    assert sandbox.admin.delete_item("documents", document_id)
    assert (
        api.get(f"{DOCUMENTS.collection}/{document_id}").status_code,
        sandbox.admin.get_item("documents", document_id),
    ) == (404, None)
