"""The document wait on its own: statuses from a scripted timeline, time moved by the fake sleep."""

from __future__ import annotations

from typing import Any

import pytest

from providers.document_wait import (
    FIRST_DELAY,
    MAX_DELAY,
    DocumentFailedError,
    DocumentTimeoutError,
    Waiter,
    describe,
)
from providers.errors import ItemStateError


class Timeline:
    """A document whose status depends on the (fake) time: `[(from_second, fields), ...]`."""

    def __init__(self, steps: list[tuple[float, dict[str, Any] | None]]) -> None:
        self.steps = steps
        self.now = 0.0
        self.sleeps: list[float] = []
        self.lines: list[str] = []

    def get(self, _document_id: str) -> dict[str, Any] | None:
        current = [fields for start, fields in self.steps if start <= self.now][-1]
        return None if current is None else {"document_name": "guide.pdf", **current}

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def waiter(self, timeout: float) -> Waiter:
        return Waiter(timeout, self.sleep, lambda: self.now, self.lines.append)


def test_ready_at_once_costs_one_poll_and_no_sleep() -> None:
    timeline = Timeline([(0, {"status": "ready"})])
    assert timeline.waiter(600).until_ready("d1", timeline.get)["status"] == "ready"
    assert timeline.sleeps == [] and timeline.lines == ["document d1 (guide.pdf): ready"]


def test_delays_grow_to_the_cap_and_each_change_is_reported_once() -> None:
    timeline = Timeline([(0, {"status": "started", "progress": 0}),
                         (10, {"status": "processing", "progress": 50}),
                         (60, {"status": "ready"})])
    timeline.waiter(600).until_ready("d1", timeline.get)
    assert timeline.sleeps[0] == FIRST_DELAY and max(timeline.sleeps) == MAX_DELAY
    assert timeline.sleeps == sorted(timeline.sleeps)
    assert timeline.lines == ["document d1 (guide.pdf): started 0%",
                              "document d1 (guide.pdf): processing 50%",
                              "document d1 (guide.pdf): ready"]


def test_error_status_raises_with_tavus_reason() -> None:
    failed = {"status": "error", "error_message": "Unsupported content", "document_url": "u"}
    timeline = Timeline([(0, {"status": "processing", "progress": 5}), (1, failed)])
    with pytest.raises(DocumentFailedError, match=r"document d1 \(u\): Unsupported content"):
        timeline.waiter(600).until_ready("d1", timeline.get)


def test_the_deadline_is_never_overslept_and_names_the_setting() -> None:
    timeline = Timeline([(0, {"status": "processing", "progress": 1})])
    with pytest.raises(DocumentTimeoutError, match=r"still processing after 7 s.*documentTimeoutSeconds"):
        timeline.waiter(7).until_ready("d1", timeline.get)
    assert timeline.now == pytest.approx(7)


def test_a_document_deleted_while_processing_is_an_item_state_error() -> None:
    timeline = Timeline([(0, {"status": "processing"}), (1, None)])
    with pytest.raises(ItemStateError, match="deleted while Tavus was processing it"):
        timeline.waiter(600).until_ready("d1", timeline.get)


def test_describe_leaves_out_what_tavus_did_not_say() -> None:
    assert describe("d9", {"status": "ready"}) == "document d9: ready"
    assert describe("d9", {"status": "processing", "progress": True}) == "document d9: processing"
