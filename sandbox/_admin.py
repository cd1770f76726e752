"""The admin surface under /_sandbox: request log, out-of-band persona edits, faults, reset.

The other kinds, persona drafts and document statuses have theirs in `_admin_kinds.py`.

No API key: the sandbox binds to loopback by default. Admin requests are not logged.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _persona as persona
from . import _refs as refs
from ._http import error, message, reply
from ._state import SandboxState
from .config import ADMIN_PREFIX, ConfigError, Faults


class AdminApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        p = ADMIN_PREFIX
        return [
            Route(p + "/config", self.config, methods=["GET"]),
            Route(p + "/requests", self.requests, methods=["GET"]),
            Route(p + "/requests/clear", self.clear_requests, methods=["POST"]),
            Route(p + "/personas", self.personas, methods=["GET", "POST"]),
            Route(p + "/personas/{persona_id}", self.persona, methods=["GET", "DELETE"]),
            Route(p + "/personas/{persona_id}/edit", self.edit, methods=["POST"]),
            Route(p + "/faults", self.faults, methods=["GET", "PUT", "PATCH"]),
            Route(p + "/reset", self.reset, methods=["POST"]),
        ]

    def _fill(self, doc: dict[str, Any]) -> dict[str, Any]:
        settings = self.state.settings
        return persona.fill(doc, null_fields=settings.null_fields, server_defaults=settings.server_defaults)

    async def config(self, request: Request) -> Response:
        return reply(200, self.state.settings.public_dict())

    async def requests(self, request: Request) -> Response:
        raw = request.query_params.get("since", "0")
        try:
            since = int(raw)
        except ValueError:
            return error(400, "since must be an integer")
        return reply(200, self.state.log.snapshot(since))

    async def clear_requests(self, request: Request) -> Response:
        return reply(200, {"cursor": self.state.log.clear()})

    async def personas(self, request: Request) -> Response:
        store = self.state.store
        if request.method == "GET":
            persona_type = request.query_params.get("persona_type")
            docs, total = store.page(persona_type, limit=1_000_000, offset=0)
            return reply(200, {"data": docs, "total_count": total})
        try:
            body = persona.parse_json(await request.body())
        except ValueError:
            return error(400, "body must be valid JSON")
        if not isinstance(body, dict):
            return error(400, "body must be a JSON object")
        persona_id = body.pop("persona_id", None) or self.state.new_id()
        if not isinstance(persona_id, str):
            return error(400, "persona_id must be a string")
        if store.exists(persona_id):
            return error(409, f"persona_id {persona_id} already exists")
        now = self.state.clock.now()
        created_at = body.pop("created_at", None) or now
        body.pop("updated_at", None)
        doc = self._fill({"persona_id": persona_id, **body, "created_at": created_at, "updated_at": now})
        store.insert(doc)
        return reply(201, doc)

    async def persona(self, request: Request) -> Response:
        persona_id = request.path_params["persona_id"]
        store = self.state.store
        if request.method == "DELETE":
            if not store.delete(persona_id):
                return error(404, "Not found")
            refs.clear_draft(store, persona_id)
            return reply(204)
        found = store.get(persona_id)
        if found is None:
            return error(404, "Not found")
        return reply(200, found.doc)

    async def edit(self, request: Request) -> Response:
        """Apply a JSON Patch as if a person edited the persona in the web UI: no 304, no validation."""
        persona_id = request.path_params["persona_id"]
        found = self.state.store.get(persona_id)
        if found is None:
            return error(404, "Not found")
        try:
            operations = persona.parse_json(await request.body())
            patched = persona.apply_patch(found.doc, operations)
        except ValueError:
            return message(422, persona.INVALID_PATCH, detail="the body is not valid JSON")
        except persona.PatchError as exc:
            return message(422, exc.message, detail=exc.detail)
        patched = self._fill(patched)
        patched["updated_at"] = self.state.clock.now()
        self.state.store.update(persona_id, patched)
        return reply(200, patched)

    async def faults(self, request: Request) -> Response:
        injector = self.state.faults
        if request.method != "GET":
            try:
                body = persona.parse_json(await request.body())
                base = injector.current if request.method == "PATCH" else None
                injector.configure(Faults.from_dict(body, base=base))
            except ValueError as exc:  # ConfigError is a ValueError
                text = str(exc) if isinstance(exc, ConfigError) else "body must be a JSON object"
                return error(400, text)
        return reply(200, injector.current.to_dict())

    async def reset(self, request: Request) -> Response:
        state = self.state
        deleted = state.store.delete_type("user")
        state.store.delete_all_items()  # objectives, guardrails, documents, dictionaries, drafts
        state.sync_system_personas()
        state.log.clear()
        state.faults.reset()
        state.llm.reset()
        return reply(200, {"deleted": deleted, "cursor": state.log.cursor()})
