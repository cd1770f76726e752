"""Documents (knowledge base): create/update rules and the simulated processing, as pure functions.

Processing is computed, not scheduled: each stored document keeps in `_sandbox` when its current
phase began, how long it takes (`ready_ms`) and how it ends (`error`), decided at create/recrawl
time by the `document_ready_ms` / `document_rules` switches. Reading a document computes where it
is now from the sandbox clock, so a restart continues where it stopped and nothing runs in the
background. The admin surface can pin a status instead (`pinned`).

    phase "processing": started (first fifth of ready_ms) -> processing (progress 1..99) -> ready | error
    phase "recrawling": recrawling (progress 1..99) -> ready | error
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORMATS = ("pdf", "txt", "docx", "doc", "png", "jpg", "pptx", "csv", "xlsx")
STATUSES = ("started", "processing", "recrawling", "ready", "error")
BUSY = ("started", "processing", "recrawling")
PATCHABLE = ("document_name", "tags")
MAX_CRAWL_DOCUMENTS = 100
MAX_CRAWLS_AT_ONCE = 5
CRAWL_LIMITS = {"depth": (1, 10), "max_pages": (1, 100)}
FIELD_ORDER = (
    "document_id", "document_name", "document_url", "status", "progress", "error_message", "tags",
    "crawl", "callback_url",
)  # fmt: skip
INTERNAL = "_sandbox"


@dataclass(frozen=True)
class Stage:
    status: str
    progress: int | None = None
    error_message: str | None = None
    remaining_ms: float = 0.0  # until the current phase ends (0 once ready/error or pinned)


def parse_time(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _crawl(crawl: Any) -> str | None:
    if not isinstance(crawl, dict):
        return "crawl must be an object {depth: 1..10, max_pages: 1..100}"
    unknown = sorted(set(crawl) - set(CRAWL_LIMITS))
    if unknown:
        return f"crawl: unknown key(s) {unknown}; known: depth, max_pages"
    for key, (low, high) in CRAWL_LIMITS.items():
        value = crawl.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"crawl.{key} must be an integer from {low} to {high}; got {value!r}"
    return None


def _url(url: Any, crawl: bool) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "document_url is required"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"document_url must be an http(s) URL; got {url!r}"
    extension = posixpath.splitext(parts.path)[1].lower().lstrip(".")
    if not crawl and extension and extension not in FORMATS:
        return f"Unsupported file format '.{extension}'; supported: {', '.join(FORMATS)}"
    return None


def validate_create(doc: Mapping[str, Any]) -> str | None:
    crawl = doc.get("crawl")
    problem = _url(doc.get("document_url"), crawl is not None)
    if problem is None and crawl is not None:
        problem = _crawl(crawl)
    if problem is None:
        problem = validate_update({k: doc[k] for k in PATCHABLE if k in doc})
    callback = doc.get("callback_url")
    if problem is None and callback is not None and not isinstance(callback, str):
        problem = "callback_url must be a string"
    return problem


def validate_update(body: Mapping[str, Any]) -> str | None:
    """A plain-body PATCH: only `document_name` (string) and `tags` (list of strings)."""
    other = sorted(set(body) - set(PATCHABLE))
    if other:
        return (
            f"{', '.join(other)} cannot be changed: a PATCH may set only document_name and tags "
            "(create a new document for another document_url or crawl)"
        )
    name = body.get("document_name")
    if name is not None and not isinstance(name, str):
        return "document_name must be a string"
    if "tags" in body and not _strings(body["tags"]):
        return "tags must be a list of strings"
    return None


def default_name(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return posixpath.basename(parts.path.rstrip("/")) or parts.netloc


def begin(phase: str, now: str, ready_ms: int, error: str | None) -> dict[str, Any]:
    """The `_sandbox` block of a document whose `phase` (processing | recrawling) starts `now`."""
    return {"phase": phase, "since": now, "ready_ms": ready_ms, "error": error, "pinned": None}


def stage(doc: Mapping[str, Any], now: dt.datetime) -> Stage:
    """Where the document's processing stands at `now`."""
    internal = doc.get(INTERNAL) or {}
    pinned = internal.get("pinned")
    if pinned:
        return Stage(pinned["status"], pinned.get("progress"), pinned.get("error_message"))
    if not internal.get("since"):
        return Stage("ready")  # an out-of-band edit removed the plan: nothing left to process
    ready_ms = int(internal.get("ready_ms", 0))
    elapsed = (now - parse_time(internal["since"])).total_seconds() * 1000.0
    if elapsed >= ready_ms:
        error = internal.get("error")
        return Stage("error", error_message=error) if error else Stage("ready")
    remaining = ready_ms - elapsed
    progress = max(1, min(99, math.floor(elapsed * 100 / ready_ms)))
    if internal.get("phase") == "recrawling":
        return Stage("recrawling", progress, remaining_ms=remaining)
    if elapsed < ready_ms / 5:
        return Stage("started", 0, remaining_ms=remaining)
    return Stage("processing", progress, remaining_ms=remaining)


def render(doc: Mapping[str, Any], now: dt.datetime, current: Stage | None = None) -> dict[str, Any]:
    """The API view: stored fields plus the status (computed unless given), without the internal block."""
    current = current or stage(doc, now)
    view = {k: v for k, v in doc.items() if k != INTERNAL}
    view["status"] = current.status
    if current.status in BUSY:
        view["progress"] = current.progress if current.progress is not None else 0
    if current.status == "error":
        view["error_message"] = current.error_message or "Document processing failed"
    ordered = {name: view.pop(name) for name in FIELD_ORDER if name in view}
    tail: dict[str, Any] = {name: view.pop(name) for name in ("created_at", "updated_at") if name in view}
    return {**ordered, **view, **tail}


def matches(view: Mapping[str, Any], status: str | None, name_or_uuid: str | None, tags: list[str]) -> bool:
    """The list filters: exact status, id or name substring (case-insensitive), any of the tags."""
    if status is not None and view["status"] != status:
        return False
    if name_or_uuid:
        needle = name_or_uuid.lower()
        name = str(view.get("document_name") or "").lower()
        if needle != str(view["document_id"]).lower() and needle not in name:
            return False
    return not tags or any(tag in (view.get("tags") or []) for tag in tags)
