"""Admin routes for the kinds beyond personas, persona drafts and document statuses (`/_sandbox`).

Per kind (`objectives`, `guardrails`, `documents`, `pronunciation-dictionaries`), mirroring the
persona admin routes: list raw, create raw, get raw, out-of-band JSON Patch (`/edit`) and delete,
all without validation, as a person in the web UI would. Plus:
`POST /_sandbox/clock {"advance_s"}` moves the sandbox clock forward (document progress, cooldowns);
`POST /_sandbox/documents/{id}/status` pins a document's status, and
`POST|DELETE|GET /_sandbox/personas/{id}/draft` marks, clears or reads an unpublished web-editor draft.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _documents as documents
from . import _persona as persona
from . import _refs as refs
from ._documents_api import DOCUMENTS
from ._http import error, reply
from ._kinds import DICTIONARIES, GUARDRAILS, OBJECTIVES, Kind
from ._pipeline import patched_document
from ._state import SandboxState
from .config import ADMIN_PREFIX

KINDS: dict[str, Kind] = {kind.name: kind for kind in (OBJECTIVES, GUARDRAILS, DOCUMENTS, DICTIONARIES)}
TIMESTAMPS = ("created_at", "updated_at")


def _kind(request: Request) -> Kind:
    return KINDS[request.url.path[len(ADMIN_PREFIX) + 1 :].split("/", 1)[0]]


class KindAdmin:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        routes: list[Route] = []
        for name in KINDS:
            base = f"{ADMIN_PREFIX}/{name}"
            routes += [
                Route(base, self.collection, methods=["GET", "POST"]),
                Route(base + "/{item_id}", self.item, methods=["GET", "DELETE"]),
                Route(base + "/{item_id}/edit", self.edit, methods=["POST"]),
            ]
        return [
            Route(f"{ADMIN_PREFIX}/clock", self.clock, methods=["GET", "POST"]),
            Route(f"{ADMIN_PREFIX}/documents/{{item_id}}/status", self.document_status, methods=["POST"]),
            Route(
                f"{ADMIN_PREFIX}/personas/{{persona_id}}/draft", self.draft, methods=["GET", "POST", "DELETE"]
            ),
            *routes,
        ]

    async def _object(self, request: Request) -> dict[str, Any] | Response:
        try:
            body = persona.parse_json(await request.body())
        except ValueError:
            return error(400, "body must be valid JSON")
        return body if isinstance(body, dict) else error(400, "body must be a JSON object")

    def _save(self, kind: Kind, doc: dict[str, Any]) -> None:
        self.state.store.put_item(kind.name, doc[kind.id_field], doc, doc["created_at"])

    async def collection(self, request: Request) -> Response:
        kind = _kind(request)
        store = self.state.store
        if request.method == "GET":
            docs = store.items(kind.name)
            return reply(200, {"data": docs, "total_count": len(docs)})
        body = await self._object(request)
        if isinstance(body, Response):
            return body
        item_id = body.pop(kind.id_field, None) or kind.new_id()
        if not isinstance(item_id, str):
            return error(400, f"{kind.id_field} must be a string")
        if store.item_exists(kind.name, item_id):
            return error(409, f"{kind.id_field} {item_id} already exists")
        now = self.state.clock.now()
        created_at = body.pop("created_at", None) or now
        body.pop("updated_at", None)
        doc = kind.fill({kind.id_field: item_id, **body})
        for name, value in kind.server_values:
            doc.setdefault(name, value)
        doc.update(created_at=created_at, updated_at=now)
        if kind is DOCUMENTS and documents.INTERNAL not in doc:
            ready_ms, failure = self.state.faults.document_plan(str(doc.get("document_url", "")))
            doc[documents.INTERNAL] = documents.begin("processing", now, ready_ms, failure)
        self._save(kind, doc)
        return reply(201, doc)

    async def item(self, request: Request) -> Response:
        kind, item_id = _kind(request), request.path_params["item_id"]
        store = self.state.store
        if request.method == "DELETE":
            if not store.delete_item(kind.name, item_id):
                return error(404, "Not found")
            if kind is DICTIONARIES:
                self.state.unlink_dictionary(item_id)
            return reply(204)
        doc = store.item(kind.name, item_id)
        return error(404, "Not found") if doc is None else reply(200, doc)

    async def edit(self, request: Request) -> Response:
        """A JSON Patch applied as a person editing in the web UI: no validation, no 304."""
        kind, item_id = _kind(request), request.path_params["item_id"]
        found = self.state.store.item(kind.name, item_id)
        if found is None:
            return error(404, "Not found")
        patched = patched_document(found, await request.body(), (kind.id_field, *TIMESTAMPS), kind.noun)
        if isinstance(patched, Response):
            return patched
        patched = kind.fill(patched)
        patched["updated_at"] = self.state.clock.now()
        self._save(kind, patched)
        return reply(200, patched)

    async def document_status(self, request: Request) -> Response:
        """Pin `{"status", "progress"?, "error_message"?}`; `{"status": null}` resumes the clock."""
        found = self.state.store.item(DOCUMENTS.name, request.path_params["item_id"])
        if found is None:
            return error(404, "Not found")
        body = await self._object(request)
        if isinstance(body, Response):
            return body
        status = body.get("status")
        if status is not None and status not in documents.STATUSES:
            return error(400, f"status must be one of {', '.join(documents.STATUSES)} or null")
        progress = body.get("progress")
        if progress is not None and (isinstance(progress, bool) or not isinstance(progress, int)):
            return error(400, "progress must be an integer")
        pinned = None if status is None else {k: body.get(k) for k in ("status", "progress", "error_message")}
        found[documents.INTERNAL] = {**found.get(documents.INTERNAL, {}), "pinned": pinned}
        found["updated_at"] = self.state.clock.now()
        self._save(DOCUMENTS, found)
        return reply(200, documents.render(found, documents.parse_time(found["updated_at"])))

    async def clock(self, request: Request) -> Response:
        """`POST {"advance_s": N}` moves the sandbox clock N seconds forward; both answer `{"now"}`."""
        if request.method == "POST":
            body = await self._object(request)
            if isinstance(body, Response):
                return body
            seconds = body.get("advance_s")
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
                return error(400, "advance_s must be a number >= 0")
            self.state.clock.advance(float(seconds))
        return reply(200, {"now": self.state.clock.now()})

    async def draft(self, request: Request) -> Response:
        persona_id = request.path_params["persona_id"]
        store = self.state.store
        if not store.exists(persona_id):
            return error(404, "Not found")
        if request.method == "POST":
            refs.mark_draft(store, persona_id, self.state.clock.now())
        elif request.method == "DELETE":
            refs.clear_draft(store, persona_id)
        return reply(200, {"persona_id": persona_id, "draft": refs.has_draft(store, persona_id)})
