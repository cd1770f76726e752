"""HTTP plumbing shared by the API and admin routes: JSON replies, dropping a connection, waits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from ._reqlog import LogEntry

# Keys we add to the ASGI scope.
LOG_ENTRY_KEY = "sandbox.log_entry"
ABORT_EXTENSION = "sandbox.abort"  # scope["extensions"][ABORT_EXTENSION]["abort"]() drops the connection


class ConnectionDropped(Exception):
    """Raised when a response must be lost but the server cannot abort the connection (in-process use)."""


def reply(status: int, body: Any | None = None, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def error(status: int, text: str) -> Response:
    return reply(status, {"error": text})


def message(status: int, text: str, **extra: Any) -> Response:
    return reply(status, {"message": text, **extra})


def log_entry(scope: Scope) -> LogEntry | None:
    entry = scope.get(LOG_ENTRY_KEY)
    return entry if isinstance(entry, LogEntry) else None


def mark(
    request: Request, *, op: str | None = None, fault: str | None = None, body: bytes | None = None
) -> None:
    entry = log_entry(request.scope)
    if entry is not None:
        if op is not None:
            entry.op = op
        if body is not None:
            entry.body = body.decode("utf-8", errors="replace")
        if fault is not None and entry.fault is None:  # the first fault wins (e.g. a drop, then slow)
            entry.fault = fault


async def drop_connection(request: Request) -> None:
    """Close the TCP connection without a response (uvicorn via our protocol hook)."""
    abort: Callable[[], None] | None = (
        request.scope.get("extensions", {}).get(ABORT_EXTENSION, {}).get("abort")
    )
    if abort is None:
        raise ConnectionDropped("response dropped (ambiguous create)")
    abort()
    await asyncio.sleep(0)  # let the server notice the disconnect before anything is sent


async def wait_unless_disconnected(request: Request, seconds: float) -> bool:
    """Sleep up to `seconds`, returning early (True) if the client goes away. Body must be read."""

    async def until_disconnect() -> None:
        while True:
            if (await request.receive())["type"] == "http.disconnect":
                return

    try:
        await asyncio.wait_for(until_disconnect(), timeout=seconds)
    except TimeoutError:
        return False
    return True


def install_abort_hook() -> type[asyncio.Protocol]:
    """A uvicorn h11 protocol class that exposes `transport.abort` to the app through the scope."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class SandboxH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            inner = self.app

            async def app(scope: Any, receive: Any, send: Any) -> None:
                if scope.get("type") == "http":
                    extensions = scope.setdefault("extensions", {}) or {}
                    extensions[ABORT_EXTENSION] = {"abort": transport.abort}
                    scope["extensions"] = extensions
                with contextlib.suppress(ConnectionResetError):
                    await inner(scope, receive, send)

            self.app = app

    return SandboxH11Protocol
