"""Documents (knowledge base) and pronunciation dictionaries through the real Pulumi CLI against
the sandbox: documents that process asynchronously, personas that reference them by name.

The tests run in file order and share one stack, as a team's stack evolves. The sandbox processes
every document in 300 ms, except a URL containing `slow` (4 s) and one containing `broken` (ends
in `error`): its `document_rules` switch.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from sandbox.testing import SandboxProcess, start_sandbox
from tests.support.cli import run_cli
from tests.support.deployment import TAVUS_KEY, Deployment, assert_no_secrets, make_deployment

pytestmark = pytest.mark.e2e

SLOW_MS = 4000
BROKEN_REASON = "Could not extract text: the file is password protected"
RULES = [
    {"url_contains": "slow", "ready_ms": SLOW_MS},
    {"url_contains": "broken", "error": BROKEN_REASON},
]
FILES = {
    "documents/guide.yaml": "# yaml-language-server: $schema=../providers/schema/documents.schema.json\n"
                            "document_url: https://example.com/files/guide.pdf\n"
                            "document_name: Product guide\ntags: [product]\n",
    "documents/pricing.yaml": "document_url: https://example.com/files/pricing.csv\n"
                              "document_name: Pricing\ntags: [pricing]\n",
    # Processing for seconds; Concierge uses it only through its tag, Sales by id.
    "documents/help.yaml": "document_url: https://example.com/slow-help\ncrawl: {depth: 2, max_pages: 20}\n"
                           "document_name: Help center\ntags: [help]\n",
    "dictionaries/brands.yaml": "name: Brand names\nrules:\n"
                                "  - {text: Tavus, pronunciation: TAH-vus, type: alias}\n",
    "personas/concierge.yaml": "persona_name: Concierge\nsystem_prompt: You answer product questions.\n"
                               "document_ids: [{ref: documents/guide}, {ref: documents/pricing}]\n"
                               "document_tags: [help]\n"
                               "layers:\n  tts:\n"
                               "    pronunciation_dictionary_id: {ref: dictionaries/brands}\n",
    "personas/sales.yaml": "persona_name: Sales\nsystem_prompt: You answer pricing questions.\n"
                           "document_ids: [{ref: documents/pricing}, {ref: documents/help}]\n"
                           "layers:\n  tts:\n    pronunciation_dictionary_id: {ref: dictionaries/brands}\n",
}
DICTIONARY_FIELD = "layers.tts.pronunciation_dictionary_id"


@pytest.fixture(scope="module")
def knowledge_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("knowledge-sandbox")
    rules = ["--document-rules", json.dumps(RULES)]
    log = root / "sandbox.log"
    with start_sandbox(root / "tavus.db", [TAVUS_KEY], log_path=log, extra_args=rules) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, knowledge_sandbox: SandboxProcess) -> Deployment:
    root = tmp_path_factory.mktemp("kb")
    deployment = make_deployment(root, knowledge_sandbox, personas=None, stack_name="kb")
    for relative, text in FILES.items():
        deployment.write_file(relative, text)
    return deployment


def _personas(d: Deployment) -> dict[str, dict[str, Any]]:
    return {str(p["persona_name"]): p for p in d.user_personas()}


def _dictionary_of(persona: dict[str, Any]) -> Any:
    return ((persona.get("layers") or {}).get("tts") or {}).get("pronunciation_dictionary_id")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ready_at(d: Deployment, document_id: str) -> datetime:
    """When the sandbox's plan for the document made it `ready` (sandbox clock)."""
    raw = d.sandbox.admin.get_item("documents", document_id)
    assert raw is not None
    plan = raw["_sandbox"]
    return _time(plan["since"]) + timedelta(milliseconds=plan["ready_ms"])


def _drift(d: Deployment) -> subprocess.CompletedProcess[str]:
    return run_cli("drift", "--stack", "kb", "--json", cwd=d.project, stack=d.stack)


def test_one_up_creates_everything_and_personas_only_after_every_document_is_ready(kb: Deployment) -> None:
    cursor = kb.sandbox.admin.cursor()
    result = kb.stack.up("--diff")

    documents = kb.resource_ids("Document")
    [brands] = kb.resource_ids("PronunciationDictionary").values()
    assert sorted(documents) == ["documents/guide", "documents/help", "documents/pricing"]
    log = kb.sandbox.admin.requests(since=cursor)["requests"]
    persona_posts = [e for e in log if (e["method"], e["path"]) == ("POST", "/v2/personas")]
    assert len(persona_posts) == 2
    first_persona = min(_time(e["time"]) for e in persona_posts)
    ready = {name: _ready_at(kb, doc_id) for name, doc_id in documents.items()}
    # Both personas, Concierge too (it selects the slow document by tag only), came after them all.
    assert all(at <= first_persona for at in ready.values()), (ready, first_persona)
    # The slow one was still processing long after the others: the wait was real, not luck.
    assert ready["documents/help"] - ready["documents/guide"] > timedelta(seconds=2)
    # Its progress was shown on the resource while the engine waited.
    assert f"document {documents['documents/help']} (Help center): processing" in result.output

    live = _personas(kb)
    assert live["Concierge"]["document_ids"] == [documents["documents/guide"], documents["documents/pricing"]]
    assert live["Sales"]["document_ids"] == [documents["documents/pricing"], documents["documents/help"]]
    assert _dictionary_of(live["Concierge"]) == brands and _dictionary_of(live["Sales"]) == brands
    stored = kb.sandbox.admin.get_item("documents", documents["documents/help"])
    assert stored is not None and stored["crawl"] == {"depth": 2, "max_pages": 20}
    outputs = kb.stack.export()["deployment"]["resources"]
    statuses = [r["outputs"]["status"] for r in outputs if r["type"].endswith("tavus:Document")]
    assert statuses == ["ready"] * 3


def test_a_second_preview_and_a_refresh_see_no_change_in_processed_documents(kb: Deployment) -> None:
    cursor = kb.sandbox.admin.cursor()
    kb.stack.preview("--expect-no-changes", "--diff")
    assert kb.sandbox.admin.count(since=cursor) == 0
    kb.stack.refresh("--preview-only", "--expect-no-changes")
    assert kb.writes_since(cursor) == []


def test_pr_comment_shows_a_document_replacement_and_a_dictionary_update_per_kind(kb: Deployment) -> None:
    kb.edit_file("documents/help.yaml", "depth: 2", "depth: 3")
    kb.edit_file("dictionaries/brands.yaml", "TAH-vus", "TAH-vuss")
    try:
        preview = kb.stack.preview("--json")
        rendered = run_cli("pr-comment", "-", "--root", str(kb.project), cwd=kb.project,
                           stdin=preview.stdout)
    finally:
        kb.edit_file("documents/help.yaml", "depth: 3", "depth: 2")
        kb.edit_file("dictionaries/brands.yaml", "TAH-vuss", "TAH-vus")
    assert rendered.returncode == 0, rendered.stderr
    comment = rendered.stdout
    documents = comment.index("## Documents\n")
    dictionaries = comment.index("## Pronunciation dictionaries\n")
    assert documents < dictionaries
    assert "+- replace `documents/help`" in comment[documents:dictionaries]
    assert "`crawl.depth`" in comment[documents:dictionaries]
    assert "~ update `dictionaries/brands` — Brand names" in comment[dictionaries:]
    assert "`rules`" in comment[dictionaries:]


def test_a_document_ending_in_error_fails_its_step_and_a_fixed_url_converges_without_orphans(
    kb: Deployment,
) -> None:
    kb.write_file("documents/manual.yaml", "document_url: https://example.com/files/broken-manual.pdf\n"
                                           "document_name: Manual\n")
    kb.edit_file("personas/sales.yaml", "{ref: documents/help}]",
                 "{ref: documents/help}, {ref: documents/manual}]")

    failed = kb.stack.up(check=False)

    assert failed.returncode != 0
    assert BROKEN_REASON in failed.output and "Traceback" not in failed.output
    urls = [d["document_url"] for d in kb.sandbox.admin.list_items("documents")]
    assert not any("broken" in url for url in urls)  # the failed document was deleted
    assert len(_personas(kb)["Sales"]["document_ids"]) == 2  # the persona never pointed at it

    kb.edit_file("documents/manual.yaml", "broken-manual.pdf", "manual.pdf")
    kb.stack.up()
    documents = kb.resource_ids("Document")
    live = sorted(d["document_id"] for d in kb.sandbox.admin.list_items("documents"))
    assert live == sorted(documents.values())
    assert _personas(kb)["Sales"]["document_ids"][-1] == documents["documents/manual"]


def test_a_new_document_url_replaces_the_document_after_personas_moved_to_the_new_one(kb: Deployment) -> None:
    old = kb.resource_ids("Document")["documents/guide"]
    kb.edit_file("documents/guide.yaml", "files/guide.pdf", "files/guide-v2.pdf")
    cursor = kb.sandbox.admin.cursor()
    kb.stack.up()

    new = kb.resource_ids("Document")["documents/guide"]
    assert new != old
    writes = [(w["method"], w["path"]) for w in kb.writes_since(cursor)]
    concierge = kb.state_ids()["concierge"]
    create, repoint, delete = (("POST", "/v2/documents"), ("PATCH", f"/v2/personas/{concierge}"),
                               ("DELETE", f"/v2/documents/{old}"))
    assert writes.index(create) < writes.index(repoint) < writes.index(delete), writes
    assert _personas(kb)["Concierge"]["document_ids"][0] == new
    assert kb.sandbox.admin.get_item("documents", old) is None


def test_renaming_and_retagging_a_document_patches_it_in_place(kb: Deployment) -> None:
    pricing = kb.resource_ids("Document")["documents/pricing"]
    kb.edit_file("documents/pricing.yaml", "tags: [pricing]", "tags: [pricing, plans]")
    cursor = kb.sandbox.admin.cursor()
    kb.stack.up()
    writes = kb.writes_since(cursor)
    assert [(w["method"], w["path"], json.loads(str(w["body"]))) for w in writes] == [
        ("PATCH", f"/v2/documents/{pricing}", {"tags": ["pricing", "plans"]}),
    ]


def test_a_new_recrawl_value_recrawls_the_website_once(kb: Deployment) -> None:
    site = kb.resource_ids("Document")["documents/help"]
    kb.sandbox.admin.advance_clock(3601)  # Tavus allows one crawl of a document an hour
    kb.edit_file("documents/help.yaml", "tags: [help]\n", "tags: [help]\npulumi: {recrawl: 2026-12-01}\n")
    cursor = kb.sandbox.admin.cursor()
    kb.stack.up()
    assert [(w["method"], w["path"]) for w in kb.writes_since(cursor)] == [
        ("POST", f"/v2/documents/{site}/recrawl"),
    ]
    cursor = kb.sandbox.admin.cursor()
    kb.stack.preview("--expect-no-changes")  # the same value never recrawls again
    assert kb.sandbox.admin.count(since=cursor) == 0


def test_a_dictionary_deleted_out_of_band_is_drift_on_its_personas_and_up_refresh_restores_both(
    kb: Deployment,
) -> None:
    [old] = kb.resource_ids("PronunciationDictionary").values()
    assert kb.sandbox.admin.delete_item("pronunciation-dictionaries", old)
    assert {_dictionary_of(p) for p in _personas(kb).values()} == {None}  # Tavus nulls the field

    drift = _drift(kb)

    assert drift.returncode == 2, drift.stdout + drift.stderr
    report = json.loads(drift.stdout)
    drifted = {entry["resource"]: entry for entry in report["managed"]}
    for persona in ("concierge", "sales"):
        assert [c["path"] for c in drifted[persona]["changes"]] == [DICTIONARY_FIELD]
    assert "dictionaries/brands" in json.dumps(report)  # the deleted dictionary itself

    kb.stack.up("--refresh")
    [new] = kb.resource_ids("PronunciationDictionary").values()
    assert new != old
    assert {_dictionary_of(p) for p in _personas(kb).values()} == {new}
    assert _drift(kb).returncode == 0


def test_destroy_removes_everything_and_no_secret_was_written(kb: Deployment) -> None:
    kb.stack.destroy()
    assert kb.user_personas() == []
    assert kb.sandbox.admin.list_items("documents") == []
    assert kb.sandbox.admin.list_items("pronunciation-dictionaries") == []
    assert_no_secrets(kb.stack.captured_text(), "captured output")
    assert_no_secrets(kb.stack.state_files_text(), "state files")
