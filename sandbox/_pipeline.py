"""The request pipeline every Tavus API kind shares, and the helpers its actions reuse.

Order for one request (docs/sandbox.md): (validation if `--validate-before-auth`, creates only),
auth, rate limit, injected 5xx, the action (a create may lose its response), slow answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import _persona as persona
from ._http import drop_connection, error, mark, message, reply, wait_unless_disconnected
from ._state import SandboxState
from .config import MAX_LIST_LIMIT

Action = Callable[[Request, bytes], Awaitable[Response]]
BodyCheck = Callable[[bytes], Response | None]

INVALID_TOKEN = "Invalid access token"
STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class Pipeline:
    """Runs an action behind auth and the fault switches, and records its `op` in the request log."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def run(
        self, request: Request, op: str, action: Action, *, precheck: BodyCheck | None = None
    ) -> Response:
        """`precheck` validates a create body before auth when `--validate-before-auth` is on."""
        mark(request, op=op)
        body = await request.body()
        if request.method == "PATCH":
            mark(request, body=body)
        settings, faults = self.state.settings, self.state.faults
        if precheck is not None and settings.validate_before_auth:
            invalid = precheck(body)
            if invalid is not None:
                return invalid
        key = request.headers.get("x-api-key")
        if key is None or key not in settings.api_keys:
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

    async def created(self, request: Request, answer: Mapping[str, Any]) -> Response:
        """The 200 answer of a committed create, unless the ambiguous-create switch loses it."""
        lost = self.state.faults.take_ambiguous_create()
        if lost == "drop":
            mark(request, fault="ambiguous_drop")
            await drop_connection(request)
            return reply(504, {"error": "Gateway Timeout"})  # discarded: the connection is gone
        if lost == "504":
            mark(request, fault="ambiguous_504")
            return error(504, "Gateway Timeout")
        return reply(200, dict(answer))


def json_object_body(body: bytes) -> dict[str, Any] | Response:
    """A create/plain-PATCH body as a JSON object, or Tavus's 400 for anything else."""
    try:
        doc = persona.parse_json(body) if body.strip() else None
    except ValueError:
        return error(400, "Bad Request. Request body must be valid JSON.")
    if not isinstance(doc, dict):
        return error(400, "Bad Request. Request body must be a JSON object.")
    return doc


def patched_document(
    stored: Mapping[str, Any], body: bytes, read_only: tuple[str, ...], noun: str
) -> dict[str, Any] | Response:
    """`stored` with the JSON Patch in `body` applied, or the 422 for a patch that cannot apply."""
    try:
        operations = persona.parse_json(body)
    except ValueError:
        return message(422, persona.INVALID_PATCH, detail="the body is not valid JSON")
    try:
        return persona.apply_patch(stored, operations, read_only, noun)
    except persona.PatchError as exc:
        return message(422, exc.message, detail=exc.detail)


def paged(query: Mapping[str, str], problems: dict[str, list[str]]) -> tuple[int, int]:
    """(limit, offset) from `limit` (default 10, clamped to 100) and 1-based `page`; bad values go
    into `problems` (the caller answers 400 when it is not empty)."""
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
    limit = min(numbers["limit"], MAX_LIST_LIMIT)
    offset = min((numbers["page"] - 1) * limit, 2**62)  # SQLite integers are 64-bit
    return limit, max(offset, 0)


def bad_query(problems: Mapping[str, list[str]]) -> Response:
    return error(400, f"Bad Request. {dict(problems)!r}")
