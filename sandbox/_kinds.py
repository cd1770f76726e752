"""The kinds beyond personas (docs/graph-api.md) and one API class that serves any of them.

A `Kind` says what differs between objectives, guardrails and pronunciation dictionaries (paths,
id field and format, validation, defaults, the create answer); `KindApi` is everything they share:
create/get/list/JSON-Patch/delete behind the common pipeline. Documents extend it (`_documents_api`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _persona as persona
from . import _refs as refs
from . import _rules as rules
from ._documents import INTERNAL
from ._http import error, reply
from ._pipeline import Pipeline, bad_query, json_object_body, paged, patched_document
from ._state import SandboxState

Validator = Callable[[Mapping[str, Any]], str | None]
Filler = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    name: str  # the collection's last path segment; also the store kind and the admin path segment
    id_field: str
    id_prefix: str
    noun: str  # in error details: "the <noun> must remain a JSON object"
    validate: Validator
    fill: Filler
    # The POST answer: (answer key, stored field, fallback when unset); () answers the whole item.
    created_fields: tuple[tuple[str, str, Any], ...]
    server_fields: tuple[str, ...] = ()  # set by the server besides id and timestamps (read-only)
    server_values: tuple[tuple[str, Any], ...] = ()  # their values on create
    id_hex: int = 11  # lowercase hex characters after the prefix

    @property
    def collection(self) -> str:
        return f"/v2/{self.name}"

    @property
    def read_only(self) -> tuple[str, ...]:
        return (self.id_field, *self.server_fields, "created_at", "updated_at")

    def new_id(self) -> str:
        """The prefix and lowercase hex, like Tavus's ids (`o1a2b3c4d5e6`, `pd_0a1b2c3d4e5f`)."""
        return self.id_prefix + secrets.token_hex(8)[: self.id_hex]

    def view(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """The read-side object: the id first, timestamps last, nothing internal (`_sandbox`)."""
        body = {k: v for k, v in doc.items() if k != INTERNAL}
        head = {self.id_field: body.pop(self.id_field, None)}
        tail: dict[str, Any] = {name: body.pop(name) for name in ("created_at", "updated_at") if name in body}
        return {**head, **body, **tail}

    def created(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        if not self.created_fields:
            return self.view(doc)
        return {
            key: doc.get(field) if doc.get(field) is not None else fallback
            for key, field, fallback in self.created_fields
        }


OBJECTIVES = Kind(
    name=refs.OBJECTIVES,
    id_field="objectives_id",
    id_prefix="o",
    noun="objectives set",
    validate=rules.validate_objectives,
    fill=rules.fill_objectives,
    # `objective_name` in the answer is the set's name ("New Objectives" when it has none).
    created_fields=(
        ("objectives_id", "objectives_id", None),
        ("objective_name", "name", "New Objectives"),
        ("status", "status", None),
        ("created_at", "created_at", None),
    ),
    server_fields=("status",),
    server_values=(("status", "active"),),
)
GUARDRAILS = Kind(
    name=refs.GUARDRAILS,
    id_field="guardrails_id",
    id_prefix="g",
    noun="guardrails set",
    validate=rules.validate_guardrails,
    fill=rules.fill_guardrails,
    created_fields=(
        ("guardrails_id", "guardrails_id", None),
        ("name", "name", None),
        ("created_at", "created_at", None),
    ),
)
DICTIONARIES = Kind(
    name=refs.DICTIONARIES,
    id_field="pronunciation_dictionary_id",
    id_prefix="pd_",
    noun="pronunciation dictionary",
    validate=rules.validate_dictionary,
    fill=rules.fill_dictionary,
    created_fields=(),
    id_hex=12,
)


class KindApi:
    """create / get / list / JSON Patch (304 on no change) / delete of one kind."""

    def __init__(self, state: SandboxState, kind: Kind) -> None:
        self.state = state
        self.kind = kind
        self.pipeline = Pipeline(state)

    def routes(self) -> list[Route]:
        path = self.kind.collection
        return [
            Route(path, self.collection, methods=["GET", "POST"]),
            Route(path + "/", self.collection, methods=["GET", "POST"]),
            Route(path + "/{item_id}", self.item, methods=["GET", "PATCH", "DELETE"]),
        ]

    async def collection(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.pipeline.run(request, self.op("create"), self.create, precheck=self.precheck)
        return await self.pipeline.run(request, self.op("list"), self.list)

    async def item(self, request: Request) -> Response:
        op, action = {
            "GET": ("get", self.get),
            "PATCH": ("update", self.patch),
            "DELETE": ("delete", self.delete),
        }["GET" if request.method == "HEAD" else request.method]
        return await self.pipeline.run(request, self.op(op), action)

    # -- shared pieces ------------------------------------------------------------------------

    def op(self, verb: str) -> str:
        """The request log's `op`: `<kind>.<verb>`, e.g. `guardrails.update`."""
        return f"{self.kind.name}.{verb}"

    def unknown_id(self) -> Response:
        if self.state.settings.unknown_id_status == 404:
            return error(404, "Not found")
        return error(400, f"Invalid {self.kind.id_field}")

    def found(self, request: Request) -> dict[str, Any] | Response:
        doc = self.state.store.item(self.kind.name, request.path_params["item_id"])
        return self.unknown_id() if doc is None else doc

    def view(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        return self.kind.view(doc)

    def create_body(self, body: bytes) -> dict[str, Any] | Response:
        doc = json_object_body(body)
        if isinstance(doc, Response):
            return doc
        for name in (*self.kind.read_only, INTERNAL):
            doc.pop(name, None)  # client-sent server fields are ignored, as for personas
        problem = self.kind.validate(doc)
        return doc if problem is None else error(400, problem)

    def precheck(self, body: bytes) -> Response | None:
        checked = self.create_body(body)
        return checked if isinstance(checked, Response) else None

    def new_id(self) -> str:
        while True:
            candidate = self.kind.new_id()
            if not self.state.store.item_exists(self.kind.name, candidate):
                return candidate

    def save(self, doc: dict[str, Any]) -> None:
        self.state.store.put_item(self.kind.name, doc[self.kind.id_field], doc, doc["created_at"])

    # -- actions ------------------------------------------------------------------------------

    async def create(self, request: Request, body: bytes) -> Response:
        doc = self.create_body(body)
        if isinstance(doc, Response):
            return doc
        now = self.state.clock.now()
        stored = self.kind.fill(
            {
                self.kind.id_field: self.new_id(),
                **doc,
                **dict(self.kind.server_values),
                "created_at": now,
                "updated_at": now,
            }
        )
        self.save(stored)
        return await self.pipeline.created(request, self.kind.created(stored))

    async def get(self, request: Request, body: bytes) -> Response:
        doc = self.found(request)
        return doc if isinstance(doc, Response) else reply(200, self.view(doc))

    def listed(self, request: Request, problems: dict[str, list[str]]) -> list[dict[str, Any]]:
        """The views of the items a list request selects, in order (documents filter and sort)."""
        return [self.view(doc) for doc in self.state.store.items(self.kind.name)]

    async def list(self, request: Request, body: bytes) -> Response:
        problems: dict[str, list[str]] = {}
        limit, offset = paged(request.query_params, problems)
        selected = self.listed(request, problems)
        if problems:
            return bad_query(problems)
        page = selected[offset : offset + limit]
        return reply(200, {"data": page, "total_count": len(selected)})

    async def patch(self, request: Request, body: bytes) -> Response:
        found = self.found(request)
        if isinstance(found, Response):
            return found
        patched = patched_document(found, body, self.kind.read_only, self.kind.noun)
        if isinstance(patched, Response):
            return patched
        problem = self.kind.validate(patched)
        if problem is not None:
            return error(400, problem)
        patched = self.kind.fill(patched)
        if persona.canonical_json(patched) == persona.canonical_json(found):
            return reply(304)
        patched["updated_at"] = self.state.clock.now()
        self.save(patched)
        return reply(200, self.view(patched))

    async def delete(self, request: Request, body: bytes) -> Response:
        found = self.found(request)
        if isinstance(found, Response):
            return found
        self.state.store.delete_item(self.kind.name, found[self.kind.id_field])
        self.after_delete(found[self.kind.id_field])
        return reply(204)

    def after_delete(self, item_id: str) -> None:
        """Side effects of a delete on other kinds; none by default (personas keep their references)."""


class DictionaryApi(KindApi):
    def __init__(self, state: SandboxState) -> None:
        super().__init__(state, DICTIONARIES)

    def after_delete(self, item_id: str) -> None:
        # Tavus nulls layers.tts.pronunciation_dictionary_id on every persona that used it.
        self.state.unlink_dictionary(item_id)
