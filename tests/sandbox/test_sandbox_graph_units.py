"""Unit tests of the pure parts behind the new kinds: document stages, rules, plans, fillers."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sandbox import Faults
from sandbox._documents import begin, render, stage
from sandbox._faults import FaultInjector
from sandbox._rules import fill_guardrails, fill_objectives, validate_objectives

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STAMP = "2026-01-01T00:00:00.000000Z"


def at(ms: float) -> dt.datetime:
    return T0 + dt.timedelta(milliseconds=ms)


def doc(phase: str = "processing", ready_ms: int = 1000, error: str | None = None) -> dict[str, Any]:
    return {"document_id": "d1", "_sandbox": begin(phase, STAMP, ready_ms, error)}


def test_processing_stages_in_order() -> None:
    seen = [(s.status, s.progress) for s in (stage(doc(), at(ms)) for ms in (0, 199, 200, 500, 999, 1000))]
    assert seen == [
        ("started", 0), ("started", 0), ("processing", 20), ("processing", 50), ("processing", 99),
        ("ready", None),
    ]  # fmt: skip


def test_recrawl_and_error_stages() -> None:
    assert stage(doc("recrawling"), at(10)).status == "recrawling"
    assert stage(doc("recrawling"), at(1000)).status == "ready"
    failed = stage(doc(error="boom"), at(1000))
    assert (failed.status, failed.error_message) == ("error", "boom")
    assert stage(doc(ready_ms=0), at(0)).status == "ready"


@given(st.integers(min_value=1, max_value=10_000), st.lists(st.floats(0, 20_000), min_size=2, max_size=6))
def test_progress_never_goes_back(ready_ms: int, times: list[float]) -> None:
    order = {"started": 0, "processing": 1, "ready": 2}
    stages = [stage(doc(ready_ms=ready_ms), at(ms)) for ms in sorted(times)]
    keys = [(order[s.status], s.progress or 0 if s.status != "ready" else 100) for s in stages]
    assert keys == sorted(keys)


def test_render_hides_the_plan_and_shows_fields_by_state() -> None:
    busy = render(doc(), at(500))
    assert "_sandbox" not in busy and busy["progress"] == 50 and "error_message" not in busy
    failed = render(doc(error="boom"), at(2000))
    assert failed["error_message"] == "boom" and "progress" not in failed


def test_document_plan_first_matching_rule_wins() -> None:
    rules = [{"url_contains": "bad", "error": "nope"}, {"url_contains": "b", "ready_ms": 7}]
    injector = FaultInjector(Faults.from_dict({"document_ready_ms": 50, "document_rules": rules}))
    assert injector.document_plan("https://x/bad.pdf") == (50, "nope")
    assert injector.document_plan("https://x/b.pdf") == (7, None)
    assert injector.document_plan("https://x/a.pdf") == (50, None)


names = st.text(alphabet="abc_", min_size=1, max_size=4)
entries = st.lists(
    st.fixed_dictionaries(
        {"objective_name": names, "objective_prompt": st.just("p")},
        optional={"modality": st.sampled_from(["verbal", "visual", None])},
    ),
    min_size=1,
    max_size=4,
)


@given(entries)
def test_fillers_are_idempotent_and_pure(data: list[dict[str, Any]]) -> None:
    body = {"data": data}
    original = copy.deepcopy(body)
    for filler in (fill_objectives, fill_guardrails):
        once = filler(body)
        assert filler(once) == once and body == original
        assert all(entry["modality"] in ("verbal", "visual") for entry in once["data"])


@given(entries)
def test_duplicate_names_are_always_refused(data: list[dict[str, Any]]) -> None:
    problem = validate_objectives({"data": data})
    names_used = [entry["objective_name"] for entry in data]
    assert (problem is not None and "used twice" in problem) == (len(set(names_used)) < len(names_used))
