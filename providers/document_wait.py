"""Waiting for Tavus to finish processing a document: poll with backoff until a bounded deadline.

Tavus processes a document asynchronously (`started` -> `processing` -> `ready`, or `error`),
so a create is done only once the document is `ready`: a persona pointing at it must not come
first. The wait never sleeps blindly: it polls with a growing delay (capped, and never past the
deadline), reports every change of status or progress, and gives up at the deadline. `sleep`
and `clock` are injected so that tests move time instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from providers.errors import ItemStateError
from providers.facts import documents

FIRST_DELAY = 0.25  # seconds before the second poll: a small file is often ready at once
MAX_DELAY = 5.0  # a long crawl is polled every 5 s at most
GROWTH = 1.5


class DocumentFailedError(ItemStateError):
    """Tavus ended the document's processing in `error` (its reason is in the message)."""


class DocumentTimeoutError(ItemStateError):
    """The document was still processing at the deadline (`tavus:documentTimeoutSeconds`)."""


@dataclass(frozen=True)
class Waiter:
    """How to wait: the deadline, and the clock and sleep to measure and spend it with."""

    timeout_seconds: float
    sleep: Callable[[float], None]
    clock: Callable[[], float]  # monotonic seconds
    report: Callable[[str], None]  # one line per change of status or progress

    def until_ready(self, document_id: str, get: Callable[[str], dict[str, Any] | None]) -> dict[str, Any]:
        """The document once `ready`; DocumentFailedError on `error`, DocumentTimeoutError at the
        deadline, ItemStateError when it disappears while processing."""
        deadline = self.clock() + self.timeout_seconds
        delay = FIRST_DELAY
        last_seen: tuple[Any, Any] | None = None
        while True:
            live = get(document_id)
            if live is None:
                raise ItemStateError(f"document {document_id} was deleted while Tavus was processing it")
            status = live.get("status")
            if (status, live.get("progress")) != last_seen:
                last_seen = (status, live.get("progress"))
                self.report(describe(document_id, live))
            if status == documents.READY:
                return live
            if status == documents.FAILED:
                reason = live.get("error_message") or "Tavus gave no reason"
                raise DocumentFailedError(f"Tavus could not process document {document_id} "
                                          f"({live.get('document_url')}): {reason}")
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise DocumentTimeoutError(
                    f"document {document_id} was still {status} after {self.timeout_seconds:g} s; "
                    f"raise the limit with `pulumi config set tavus:documentTimeoutSeconds <seconds>`"
                )
            self.sleep(min(delay, remaining))
            delay = min(delay * GROWTH, MAX_DELAY)


def describe(document_id: str, live: dict[str, Any]) -> str:
    """`document d123 (guide.pdf): processing 40%`."""
    progress = live.get("progress")
    percent = f" {progress}%" if isinstance(progress, int | float) and not isinstance(progress, bool) else ""
    name = live.get("document_name")
    named = f" ({name})" if name else ""
    return f"document {document_id}{named}: {live.get('status')}{percent}"
