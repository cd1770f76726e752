"""`/v2/documents`: the knowledge base, on the shared `KindApi` (docs/graph-api.md, docs/sandbox.md)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _documents as documents
from . import _refs as refs
from ._http import error, message, reply
from ._kinds import Kind, KindApi
from ._pipeline import json_object_body
from ._state import SandboxState

DOCUMENTS = Kind(
    name=refs.DOCUMENTS,
    id_field="document_id",
    id_prefix="d",
    noun="document",
    validate=documents.validate_create,
    fill=dict,
    created_fields=(),
    server_fields=("status", "progress", "error_message"),  # computed on read, never stored
)
SORTS = ("ascending", "descending")


class DocumentApi(KindApi):
    def __init__(self, state: SandboxState) -> None:
        super().__init__(state, DOCUMENTS)

    def routes(self) -> list[Route]:
        recrawl = Route(self.kind.collection + "/{item_id}/recrawl", self.recrawl_route, methods=["POST"])
        return [*super().routes(), recrawl]

    async def recrawl_route(self, request: Request) -> Response:
        return await self.pipeline.run(request, self.op("recrawl"), self.recrawl)

    # -- what differs from the other kinds ----------------------------------------------------

    def unknown_id(self) -> Response:
        return message(404, "Document not found")  # documented by Tavus for this kind

    def now(self) -> dt.datetime:
        return documents.parse_time(self.state.clock.now())

    def view(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        return documents.render(doc, self.now())

    def busy_crawls(self) -> list[documents.Stage]:
        now = self.now()
        stages = (documents.stage(d, now) for d in self.state.store.items(self.kind.name) if d.get("crawl"))
        return [s for s in stages if s.status in documents.BUSY]

    def too_many_crawls(self) -> Response | None:
        """429 while 5 crawls are processing, with Retry-After until the first of them finishes."""
        busy = self.busy_crawls()
        if len(busy) < documents.MAX_CRAWLS_AT_ONCE:
            return None
        soonest = min(s.remaining_ms for s in busy)
        retry_after = max(1, math.ceil(soonest / 1000.0))
        text = f"At most {documents.MAX_CRAWLS_AT_ONCE} crawls can be processing at once; retry later"
        return reply(429, {"error": text}, headers={"Retry-After": str(retry_after)})

    def crawl_limits(self, doc: Mapping[str, Any]) -> Response | None:
        if doc.get("crawl") is None:
            return None
        crawls = sum(1 for d in self.state.store.items(self.kind.name) if d.get("crawl"))
        if crawls >= documents.MAX_CRAWL_DOCUMENTS:
            text = f"An account can hold at most {documents.MAX_CRAWL_DOCUMENTS} crawl documents; delete one"
            return error(400, text)
        return self.too_many_crawls()

    def answer(self, doc: Mapping[str, Any], status: str) -> dict[str, Any]:
        """The answer of a create or recrawl: always the phase's first status, even when
        `ready_ms` is 0 and a GET right after already shows the end."""
        return documents.render(doc, self.now(), documents.Stage(status, 0))

    # -- actions ------------------------------------------------------------------------------

    async def create(self, request: Request, body: bytes) -> Response:
        doc = self.create_body(body)
        if isinstance(doc, Response):
            return doc
        refused = self.crawl_limits(doc)
        if refused is not None:
            return refused
        state = self.state
        now = state.clock.now()
        url = doc["document_url"]
        ready_ms, failure = state.faults.document_plan(url)
        stored = {
            "document_id": self.new_id(),
            **doc,
            "document_name": doc.get("document_name") or documents.default_name(url),
            "tags": doc.get("tags") or [],
            "created_at": now,
            "updated_at": now,
            documents.INTERNAL: documents.begin("processing", now, ready_ms, failure),
        }
        self.save(stored)
        return await self.pipeline.created(request, self.answer(stored, "started"))

    def listed(self, request: Request, problems: dict[str, list[str]]) -> list[dict[str, Any]]:
        query = request.query_params
        status, sort = query.get("status"), query.get("sort", "ascending")
        if status is not None and status not in documents.STATUSES:
            problems["status"] = [f"Must be one of: {', '.join(documents.STATUSES)}."]
        if sort not in SORTS:
            problems["sort"] = ["Must be one of: ascending, descending."]
        tags = [t.strip() for t in query.get("tags", "").split(",") if t.strip()]
        now = self.now()  # one instant for the whole list, so a filter and its views agree
        views = [documents.render(doc, now) for doc in self.state.store.items(self.kind.name)]
        selected = [v for v in views if documents.matches(v, status, query.get("name_or_uuid"), tags)]
        return list(reversed(selected)) if sort == "descending" else selected

    async def patch(self, request: Request, body: bytes) -> Response:
        found = self.found(request)
        if isinstance(found, Response):
            return found
        changes = json_object_body(body)
        if isinstance(changes, Response):
            return changes
        problem = documents.validate_update(changes)
        if problem is not None:
            return error(400, problem)
        updated = {**found, **{k: v for k, v in changes.items() if v is not None}}
        if updated != found:
            updated["updated_at"] = self.state.clock.now()
            self.save(updated)
        return reply(200, self.view(updated))

    async def recrawl(self, request: Request, body: bytes) -> Response:
        found = self.found(request)
        if isinstance(found, Response):
            return found
        if not found.get("crawl"):
            return error(400, "Only crawl documents (created with `crawl`) can be recrawled")
        state = self.state
        since = (found.get(documents.INTERNAL) or {}).get("since")
        waited = (self.now() - documents.parse_time(since)).total_seconds() if since else math.inf
        cooldown = state.faults.recrawl_cooldown_s()
        if waited < cooldown:
            retry_after = max(1, math.ceil(cooldown - waited))
            text = f"A document can be recrawled once every {cooldown:g} s; retry in {retry_after} s"
            return reply(429, {"error": text}, headers={"Retry-After": str(retry_after)})
        busy = self.too_many_crawls()
        if busy is not None:
            return busy
        now = state.clock.now()
        ready_ms, failure = state.faults.document_plan(found["document_url"])
        updated = {
            **found,
            "updated_at": now,
            documents.INTERNAL: documents.begin("recrawling", now, ready_ms, failure),
        }
        self.save(updated)
        return reply(200, self.answer(updated, "recrawling"))
