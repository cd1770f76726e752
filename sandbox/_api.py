"""The Tavus persona API: create, get, list, patch, delete, behind auth and the fault switches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import _persona as persona
from ._http import drop_connection, error, mark, message, reply, wait_unless_disconnected
from ._state import SandboxState
from ._store import StoredPersona
from .config import MAX_LIST_LIMIT

Action = Callable[[Request, bytes], Awaitable[Response]]

INVALID_TOKEN = "Invalid access token"
STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class PersonaApi:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.settings = state.settings

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
            return await self._pipeline(request, "create", self._create)
        # GET (and HEAD, which Starlette routes here too)
        return await self._pipeline(request, "list", self._list)

    async def item(self, request: Request) -> Response:
        op, action = {
            "GET": ("get", self._get),
            "PATCH": ("update", self._patch),
            "DELETE": ("delete", self._delete),
        }["GET" if request.method == "HEAD" else request.method]
        return await self._pipeline(request, op, action)

    async def _pipeline(self, request: Request, op: str, action: Action) -> Response:
        """Validation-before-auth (switch), auth, rate limit, injected 5xx, the action, slow response."""
        mark(request, op=op)
        body = await request.body()
        if op == "update":
            mark(request, body=body)
        faults = self.state.faults
        if op == "create" and self.settings.validate_before_auth:
            _, invalid = self._create_body(body)
            if invalid is not None:
                return invalid
        key = request.headers.get("x-api-key")
        if key is None or key not in self.settings.api_keys:
            return message(401, INVALID_TOKEN)
        retry_after = faults.check_rate(key)
        if retry_after is not None:
            mark(request, fault="rate_limited")
            return reply(429, {"error": "Too many requests"}, headers={"Retry-After": str(retry_after)})
        injected = faults.injected_error(request.method)
        if injected is not None:
            mark(request, fault=f"error_{injected}")
            return error(injected, STATUS_TEXT.get(injected, "Server Error"))
        response = await action(request, body)
        delay = faults.slow_s(request.method)
        if delay > 0:
            mark(request, fault="slow")
            await wait_unless_disconnected(request, delay)
        return response

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
    def _create_body(body: bytes) -> tuple[dict[str, Any] | None, Response | None]:
        try:
            doc = persona.parse_json(body) if body.strip() else None
        except ValueError:
            return None, error(400, "Bad Request. Request body must be valid JSON.")
        if not isinstance(doc, dict):
            return None, error(400, "Bad Request. Request body must be a JSON object.")
        problem = persona.validate_persona(doc)
        if problem is not None:
            return None, error(400, problem)
        return doc, None

    # -- actions ----------------------------------------------------------------------------

    async def _create(self, request: Request, body: bytes) -> Response:
        doc, invalid = self._create_body(body)
        if invalid is not None or doc is None:
            return invalid or error(400, "Bad Request.")
        state = self.state
        for name in persona.READ_ONLY_FIELDS:
            doc.pop(name, None)
        persona_id = state.new_id()
        now = state.clock.now()
        stored = self._fill({"persona_id": persona_id, **doc, "created_at": now, "updated_at": now})
        state.store.insert(stored)
        lost = state.faults.take_ambiguous_create()
        if lost == "drop":
            mark(request, fault="ambiguous_drop")
            await drop_connection(request)
            return reply(504, {"error": "Gateway Timeout"})  # discarded: the connection is gone
        if lost == "504":
            mark(request, fault="ambiguous_504")
            return error(504, "Gateway Timeout")
        return reply(
            200,
            {"persona_id": persona_id, "persona_name": stored.get("persona_name"), "created_at": now},
        )

    async def _get(self, request: Request, body: bytes) -> Response:
        found = self.state.store.get(request.path_params["persona_id"])
        if found is None:
            return self._unknown_id()
        view = self._view(found.doc)
        return reply(200, {"data": [view]} if self.settings.get_shape == "data" else view)

    async def _list(self, request: Request, body: bytes) -> Response:
        query = request.query_params
        problems: dict[str, list[str]] = {}
        numbers: dict[str, int] = {}
        for name, default in (("limit", 10), ("page", 1)):
            raw = query.get(name)
            if raw is None:
                numbers[name] = default
                continue
            try:
                value = int(raw.strip(), 10)
            except ValueError:
                value = 0
            if value < 1:
                problems[name] = ["Must be a positive integer."]
            numbers[name] = value
        persona_type = query.get("persona_type")
        if persona_type is not None and persona_type not in ("user", "system"):
            problems["persona_type"] = ["Must be one of: user, system."]
        if problems:
            return error(400, f"Bad Request. {problems!r}")
        limit = min(numbers["limit"], MAX_LIST_LIMIT)
        offset = min((numbers["page"] - 1) * limit, 2**62)  # SQLite integers are 64-bit
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
        try:
            operations = persona.parse_json(body)
        except ValueError:
            return message(422, persona.INVALID_PATCH, detail="the body is not valid JSON")
        try:
            patched = persona.apply_patch(found.doc, operations)
        except persona.PatchError as exc:
            return message(422, exc.message, detail=exc.detail)
        problem = persona.validate_persona(patched)
        if problem is not None:
            return error(400, problem)
        patched = self._fill(patched)
        if persona.canonical_json(patched) == persona.canonical_json(found.doc):
            return reply(304)
        patched["updated_at"] = state.clock.now()
        state.store.update(persona_id, patched)
        return reply(200, {"message": "Persona updated", "persona_id": persona_id})

    async def _delete(self, request: Request, body: bytes) -> Response:
        persona_id = request.path_params["persona_id"]
        found = self._writable(persona_id, "deleted")
        if isinstance(found, Response):
            return found
        self.state.store.delete(persona_id)
        return reply(204)
