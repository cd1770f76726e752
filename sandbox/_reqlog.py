"""In-memory log of Tavus-API requests (admin requests are not logged)."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

MAX_ENTRIES = 100_000


@dataclass
class LogEntry:
    seq: int  # 1, 2, 3, ... for the life of the process; never reused, also not after a clear
    time: str  # when the request arrived (ISO-8601 UTC)
    method: str
    path: str
    query: str
    op: str | None = None  # create | get | list | update | delete; None for unknown routes
    status: int | None = None  # None while in flight, or when the connection was dropped
    duration_ms: float | None = None
    fault: str | None = None  # rate_limited | error_5xx | ambiguous_504 | ambiguous_drop | slow
    # PATCH bodies (JSON Patch text), so tests can assert exactly which paths a client wrote.
    # It may hold api keys sent by the client: the log is a test surface of a loopback server.
    body: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LogEntry] = deque(maxlen=MAX_ENTRIES)
        self._seq = 0

    def start(self, method: str, path: str, query: str, now_iso: str) -> LogEntry:
        """Record a request as soon as it arrives, so counts never miss one still in flight."""
        with self._lock:
            self._seq += 1
            entry = LogEntry(seq=self._seq, time=now_iso, method=method, path=path, query=query)
            self._entries.append(entry)
            return entry

    @staticmethod
    def finish(entry: LogEntry, status: int | None, started: float) -> None:
        entry.status = status
        entry.duration_ms = round((time.perf_counter() - started) * 1000.0, 3)

    def cursor(self) -> int:
        with self._lock:
            return self._seq

    def clear(self) -> int:
        with self._lock:
            self._entries.clear()
            return self._seq

    def snapshot(self, since: int = 0) -> dict[str, Any]:
        """Entries with seq > since, counts over those entries, and the cursor for the next call."""
        with self._lock:
            entries = [e.to_dict() for e in self._entries if e.seq > since]
            cursor = self._seq
        return {
            "requests": entries,
            "total": len(entries),
            "counts": dict(Counter(e["method"] for e in entries)),
            "op_counts": dict(Counter(e["op"] for e in entries if e["op"])),
            "status_counts": dict(Counter(str(e["status"]) for e in entries)),
            "cursor": cursor,
        }
