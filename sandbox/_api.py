"""The Tavus persona API: create, get, list, patch, delete, behind auth and the fault switches."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _persona as persona
from . import _refs as refs
from ._http import error, reply
from ._pipeline import Pipeline, bad_query, json_object_body, paged, patched_document
from ._state import SandboxState
from ._store import StoredPersona

MAKER_CHANGES = (
    "This persona has unpublished changes in the web editor. "
    "PATCH with ?force=true to discard them, or publish them first."
)


class PersonaApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.settings = state.settings
        self.pipeline = Pipeline(state)

    def routes(self) -> list[Route]:
        prefix = self.settings.path_prefix
        return [
            Route(prefix, self.collection, methods=["GET", "POST"]),
            Route(prefix + "/", self.collection, methods=["GET", "POST"]),
            Route(prefix + "/{persona_id}", self.item, methods=["GET", "PATCH", "DELETE"]),
        ]

    # -- routing ----------------------------------------------------------------------------

    async def collection(self, request: Request) -> Response:
        if request.method == "POST":
            return await self.pipeline.run(request, "create", self._create, precheck=self._precheck)
        # GET (and HEAD, which Starlette routes here too)
        return await self.pipeline.run(request, "list", self._list)

    async def item(self, request: Request) -> Response:
        op, action = {
            "GET": ("get", self._get),
            "PATCH": ("update", self._patch),
            "DELETE": ("delete", self._delete),
        }["GET" if request.method == "HEAD" else request.method]
        return await self.pipeline.run(request, op, action)

    # -- helpers ----------------------------------------------------------------------------

    def _unknown_id(self) -> Response:
        if self.settings.unknown_id_status == 404:
            return error(404, "Not found")
        return error(400, "Invalid persona_id")

    def _view(self, doc: dict[str, Any]) -> dict[str, Any]:
        return persona.render(
            doc, mask_secrets=self.settings.mask_secrets, string_booleans=self.settings.string_booleans
        )

    def _fill(self, doc: dict[str, Any]) -> dict[str, Any]:
        return persona.fill(
            doc, null_fields=self.settings.null_fields, server_defaults=self.settings.server_defaults
        )

    @staticmethod
    def _create_body(body: bytes) -> dict[str, Any] | Response:
        doc = json_object_body(body)
        if isinstance(doc, Response):
            return doc
        problem = persona.validate_persona(doc)
        return doc if problem is None else error(400, problem)

    def _precheck(self, body: bytes) -> Response | None:
        checked = self._create_body(body)
        return checked if isinstance(checked, Response) else None

    # -- actions ----------------------------------------------------------------------------

    async def _create(self, request: Request, body: bytes) -> Response:
        doc = self._create_body(body)
        if isinstance(doc, Response):
            return doc
        state = self.state
        missing = refs.missing_reference(state.store, doc, None)
        if missing is not None:
            return error(400, f"Invalid {missing}")
        for name in persona.READ_ONLY_FIELDS:
            doc.pop(name, None)
        persona_id = state.new_id()
        now = state.clock.now()
        stored = self._fill({"persona_id": persona_id, **doc, "created_at": now, "updated_at": now})
        state.store.insert(stored)
        answer = {"persona_id": persona_id, "persona_name": stored.get("persona_name"), "created_at": now}
        return await self.pipeline.created(request, answer)

    async def _get(self, request: Request, body: bytes) -> Response:
        found = self.state.store.get(request.path_params["persona_id"])
        if found is None:
            return self._unknown_id()
        view = self._view(found.doc)
        return reply(200, {"data": [view]} if self.settings.get_shape == "data" else view)

    async def _list(self, request: Request, body: bytes) -> Response:
        query = request.query_params
        problems: dict[str, list[str]] = {}
        limit, offset = paged(query, problems)
        persona_type = query.get("persona_type")
        if persona_type is not None and persona_type not in ("user", "system"):
            problems["persona_type"] = ["Must be one of: user, system."]
        if problems:
            return bad_query(problems)
        docs, total = self.state.store.page(persona_type, limit, offset)
        return reply(200, {"data": [self._view(d) for d in docs], "total_count": total})

    def _writable(self, persona_id: str, verb: str) -> StoredPersona | Response:
        """The stored user persona, or the error Tavus gives for an unknown id or a system persona."""
        found = self.state.store.get(persona_id)
        if found is None:
            return self._unknown_id()
        if found.persona_type == "system":
            return error(400, f"Bad Request. System personas cannot be {verb}.")
        return found

    async def _patch(self, request: Request, body: bytes) -> Response:
        state = self.state
        persona_id = request.path_params["persona_id"]
        found = self._writable(persona_id, "modified")
        if isinstance(found, Response):
            return found
        has_draft = refs.has_draft(state.store, persona_id)
        force = request.query_params.get("force", "").lower() == "true"
        if has_draft and not force:
            return reply(409, {"conflict": "maker_changes", "message": MAKER_CHANGES})
        patched = patched_document(found.doc, body, persona.READ_ONLY_FIELDS, "persona")
        if isinstance(patched, Response):
            return patched
        problem = persona.validate_persona(patched)
        if problem is not None:
            return error(400, problem)
        missing = refs.missing_reference(state.store, patched, found.doc)
        if missing is not None:
            return error(400, f"Invalid {missing}")
        patched = self._fill(patched)
        answer: dict[str, Any] = {"message": "Persona updated", "persona_id": persona_id}
        if has_draft:
            # The draft is overwritten even when the patch itself changes nothing.
            refs.clear_draft(state.store, persona_id)
            answer["discarded_maker_changes"] = True
        elif persona.canonical_json(patched) == persona.canonical_json(found.doc):
            return reply(304)
        patched["updated_at"] = state.clock.now()
        state.store.update(persona_id, patched)
        return reply(200, answer)

    async def _delete(self, request: Request, body: bytes) -> Response:
        persona_id = request.path_params["persona_id"]
        found = self._writable(persona_id, "deleted")
        if isinstance(found, Response):
            return found
        self.state.store.delete(persona_id)
        refs.clear_draft(self.state.store, persona_id)
        return reply(204)
