"""DocumentProvider and DictionaryProvider driven method by method against the real sandbox.

The engine-free counterpart of tests/e2e/test_knowledge_lifecycle.py. Document processing in the
sandbox follows the sandbox clock, so the provider's sleep is injected to move that clock instead
of waiting: a 60-second processing takes no real time, and the polls it made are inspectable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from providers.document_wait import MAX_DELAY, DocumentFailedError, DocumentTimeoutError
from providers.item_provider import DictionaryProvider, DocumentProvider, ItemProvider, ItemStateError
from sandbox.testing import SandboxAdmin, SandboxProcess, start_sandbox
from tests.support.providers import checked_inputs, create

KEY = "tavus-knowledge-provider-key-3d9e"

GUIDE = {
    "document_url": "https://example.com/files/guide.pdf",
    "document_name": "Product guide",
    "tags": ["product"],
}
SITE = {"document_url": "https://example.com/help", "crawl": {"depth": 2, "max_pages": 20}}
BRANDS = {
    "name": "Brand names",
    "rules": [{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}],
}


class SandboxTime:
    """A sleep that moves the sandbox clock, and the monotonic clock that goes with it."""

    def __init__(self, admin: SandboxAdmin) -> None:
        self.admin = admin
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        self.admin.advance_clock(seconds)

    def clock(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("knowledge")
    with start_sandbox(root / "tavus.db", [KEY], log_path=root / "sandbox.log") as process:
        yield process


def _configure(provider: ItemProvider, sandbox: SandboxProcess, **config: str) -> None:
    values = {"tavus:apiKey": KEY, "tavus:baseUrl": sandbox.url, **config}
    provider.configure(ConfigureRequest(Config(values, "p")))


@pytest.fixture
def time(sandbox: SandboxProcess) -> SandboxTime:
    sandbox.admin.reset()
    sandbox.admin.set_faults(document_ready_ms=60_000)  # a minute of processing per document
    return SandboxTime(sandbox.admin)


@pytest.fixture
def docs(sandbox: SandboxProcess, time: SandboxTime) -> DocumentProvider:
    provider = DocumentProvider(sleep=time.sleep, clock=time.clock)
    _configure(provider, sandbox)
    return provider


@pytest.fixture
def dictionaries(sandbox: SandboxProcess, time: SandboxTime) -> ItemProvider:
    provider = DictionaryProvider()
    _configure(provider, sandbox)
    return provider


# -- documents ----------------------------------------------------------------------------------


def test_create_waits_until_ready_polling_with_backoff_and_reports_progress(
    docs: DocumentProvider, sandbox: SandboxProcess, time: SandboxTime, capsys: pytest.CaptureFixture[str]
) -> None:
    cursor = sandbox.admin.cursor()
    doc_id, outs = create(docs, GUIDE)

    assert outs["status"] == "ready" and outs["document_id"] == doc_id
    assert time.now >= 60  # it waited for the whole processing ...
    assert time.sleeps == sorted(time.sleeps) and max(time.sleeps) == MAX_DELAY  # ... backing off, capped
    gets = sandbox.admin.count("GET", path=f"/v2/documents/{doc_id}", since=cursor)
    assert gets < 25  # a minute of processing costs a bounded number of polls
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"document {doc_id} (Product guide): started 0%"
    assert any(": processing " in line for line in lines) and lines[-1].endswith(": ready")


def test_status_fields_are_outputs_never_inputs_so_a_plan_is_empty(docs: DocumentProvider) -> None:
    doc_id, outs = create(docs, GUIDE)
    desired = checked_inputs(docs, GUIDE)
    assert "status" not in desired and docs.diff(doc_id, outs, desired).changes is False
    read = docs.read(doc_id, outs)
    assert read.inputs == desired and read.outs is not None and read.outs["status"] == "ready"


def test_processing_error_fails_with_tavus_reason_and_deletes_the_document(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    sandbox.admin.update_faults(document_rules=[{"url_contains": "broken", "error": "The file is not a PDF"}])
    bad = {**GUIDE, "document_url": "https://example.com/broken.pdf"}
    with pytest.raises(DocumentFailedError, match="The file is not a PDF"):
        docs.create(checked_inputs(docs, bad))
    assert sandbox.admin.list_items("documents") == []  # no orphan


def test_a_document_still_processing_at_the_deadline_fails_naming_the_setting_and_is_deleted(
    sandbox: SandboxProcess, time: SandboxTime
) -> None:
    provider = DocumentProvider(sleep=time.sleep, clock=time.clock)
    _configure(provider, sandbox, **{"tavus:documentTimeoutSeconds": "20"})
    with pytest.raises(DocumentTimeoutError, match="tavus:documentTimeoutSeconds"):
        provider.create(checked_inputs(provider, GUIDE))
    assert time.now == pytest.approx(20)  # never slept past the deadline
    assert sandbox.admin.list_items("documents") == []


def test_name_and_tags_change_with_one_plain_body_patch(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    doc_id, outs = create(docs, GUIDE)
    new = {**GUIDE, "document_name": "Guide v2", "tags": ["product", "faq"]}
    assert docs.diff(doc_id, outs, checked_inputs(docs, new)).replaces == []
    cursor = sandbox.admin.cursor()
    updated = docs.update(doc_id, outs, checked_inputs(docs, new))
    patches = [e for e in sandbox.admin.requests(since=cursor)["requests"] if e["method"] == "PATCH"]
    assert [(e["op"], json.loads(e["body"])) for e in patches] == [
        ("documents.update", {"document_name": "Guide v2", "tags": ["product", "faq"]}),
    ]
    assert updated.outs is not None and updated.outs["tags"] == ["product", "faq"]


def test_removing_the_tags_from_the_file_clears_them(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    doc_id, outs = create(docs, GUIDE)
    untagged = {k: v for k, v in GUIDE.items() if k != "tags"}
    docs.update(doc_id, outs, checked_inputs(docs, untagged))
    assert sandbox.admin.get_item("documents", doc_id)["tags"] == []  # type: ignore[index]


@pytest.mark.parametrize(("change", "replaced"), [
    ({"document_url": "https://example.com/files/guide-v2.pdf"}, ["document_url"]),
    ({"crawl": {"depth": 3}}, ["crawl"]),
])
def test_another_url_or_crawl_is_a_create_before_delete_replacement(
    docs: DocumentProvider, change: dict[str, Any], replaced: list[str]
) -> None:
    old = {**SITE, "document_name": "Help"}
    result = docs.diff("d1", checked_inputs(docs, old), checked_inputs(docs, {**old, **change}))
    assert result.changes is True and result.replaces == replaced
    assert result.delete_before_replace is False


def test_out_of_band_retag_reads_as_drift_of_tags_only(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    doc_id, outs = create(docs, GUIDE)
    sandbox.admin.edit_item("documents", doc_id, [{"op": "replace", "path": "/tags", "value": ["other"]}])
    read = docs.read(doc_id, outs)
    assert read.inputs is not None and read.inputs["tags"] == ["other"]
    assert read.inputs["document_url"] == GUIDE["document_url"]


def test_a_document_left_by_a_killed_run_is_adopted_and_awaited_not_duplicated(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    orphan = sandbox.admin.create_item("documents", GUIDE)  # still processing
    cursor = sandbox.admin.cursor()
    doc_id, outs = create(docs, GUIDE)
    assert doc_id == orphan and outs["status"] == "ready"
    assert sandbox.admin.count("POST", since=cursor) == 0


def test_a_lost_create_answer_is_found_again_by_content(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    sandbox.admin.update_faults(ambiguous_create_count=1, ambiguous_create_mode="504")
    doc_id, _ = create(docs, SITE)
    assert [d["document_id"] for d in sandbox.admin.list_items("documents")] == [doc_id]


def test_adopting_a_document_with_another_url_is_refused_not_patched(
    docs: DocumentProvider, sandbox: SandboxProcess
) -> None:
    theirs = sandbox.admin.create_item("documents", {**GUIDE, "document_url": "https://example.com/other.pdf"})
    with pytest.raises(Exception, match="document_url"):
        docs.create({**checked_inputs(docs, GUIDE), "adopt_id": theirs})
    assert sandbox.admin.count("PATCH") == 0


def test_check_refuses_a_bad_crawl_depth_with_its_path(docs: DocumentProvider) -> None:
    failures = docs.check({}, {**SITE, "crawl": {"depth": 11}}).failures
    assert [f.property for f in failures] == ["crawl.depth"]


def test_a_new_recrawl_value_recrawls_once_and_waits_and_a_cooldown_fails_at_once(
    docs: DocumentProvider, sandbox: SandboxProcess, time: SandboxTime
) -> None:
    doc_id, outs = create(docs, SITE)
    time.sleep(3601)  # Tavus allows one crawl an hour
    news = {**checked_inputs(docs, SITE), "recrawl": "2026-12-01"}
    assert docs.diff(doc_id, outs, news).changes is True and docs.diff(doc_id, outs, news).replaces == []
    cursor = sandbox.admin.cursor()
    updated = docs.update(doc_id, outs, news)
    assert sandbox.admin.count(op="documents.recrawl", since=cursor) == 1
    assert sandbox.admin.count("PATCH", since=cursor) == 0
    assert updated.outs is not None and updated.outs["status"] == "ready"
    assert updated.outs["recrawl"] == "2026-12-01"
    assert docs.diff(doc_id, updated.outs, news).changes is False  # the same value never recrawls again

    cursor = sandbox.admin.cursor()
    with pytest.raises(ItemStateError, match="once an hour"):  # no waiting out an hour-long Retry-After
        docs.update(doc_id, updated.outs, {**news, "recrawl": "2026-12-02"})
    assert sandbox.admin.count(op="documents.recrawl", since=cursor) == 1


# -- pronunciation dictionaries -----------------------------------------------------------------


def test_dictionary_rules_are_written_whole_with_one_json_patch(
    dictionaries: ItemProvider, sandbox: SandboxProcess
) -> None:
    dict_id, outs = create(dictionaries, BRANDS)
    assert dict_id.startswith("pd_")
    rules = [*BRANDS["rules"], {"text": "GIF", "pronunciation": "dʒɪf", "type": "ipa"}]
    cursor = sandbox.admin.cursor()
    dictionaries.update(dict_id, outs, checked_inputs(dictionaries, {**BRANDS, "rules": rules}))
    patches = [e for e in sandbox.admin.requests(since=cursor)["requests"] if e["method"] == "PATCH"]
    # `add` on an existing member replaces it (RFC 6902); the project writes every value with it.
    assert [json.loads(e["body"]) for e in patches] == [[{"op": "add", "path": "/rules", "value": rules}]]
    assert dictionaries.diff(dict_id, outs, checked_inputs(dictionaries, BRANDS)).changes is False


def test_dictionary_check_refuses_an_unknown_rule_type(dictionaries: ItemProvider) -> None:
    bad = {"name": "x", "rules": [{"text": "a", "pronunciation": "b", "type": "phonetic"}]}
    assert [f.property for f in dictionaries.check({}, bad).failures] == ["rules[0].type"]


def test_a_dictionary_without_rules_sends_an_empty_list_on_create_and_on_update(
    dictionaries: ItemProvider, sandbox: SandboxProcess
) -> None:
    empty_id, _ = create(dictionaries, {"name": "Nothing yet"})  # Tavus requires `rules`, even empty
    assert sandbox.admin.get_item("pronunciation-dictionaries", empty_id)["rules"] == []  # type: ignore[index]
    dict_id, outs = create(dictionaries, BRANDS)
    cursor = sandbox.admin.cursor()
    dictionaries.update(dict_id, outs, checked_inputs(dictionaries, {"name": BRANDS["name"]}))
    patches = [e for e in sandbox.admin.requests(since=cursor)["requests"] if e["method"] == "PATCH"]
    assert [json.loads(e["body"]) for e in patches] == [[{"op": "add", "path": "/rules", "value": []}]]
