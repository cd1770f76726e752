"""Build the sandbox ASGI app: `create_app(Settings(...))`.

The returned `SandboxApp` is a plain ASGI callable (usable with uvicorn or `httpx.ASGITransport`).
It logs and delays (latency switch) every non-admin request, then hands it to a Starlette app that
serves the Tavus persona API under `settings.path_prefix`, objectives, guardrails, documents and
pronunciation dictionaries under `/v2/...` (docs/graph-api.md), the admin surface under `/_sandbox` and a
local OpenAI-compatible chat-completions endpoint under `/_llm` (for `preflight`; see `_llm.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from ._admin import AdminApi
from ._admin_kinds import KindAdmin
from ._api import PersonaApi
from ._documents_api import DocumentApi
from ._http import LOG_ENTRY_KEY, error, message
from ._kinds import GUARDRAILS, OBJECTIVES, DictionaryApi, KindApi
from ._llm import LLM_PREFIX, LlmApi
from ._state import SandboxState
from .config import ADMIN_PREFIX, Settings

MAX_BODY_BYTES = 8 * 1024 * 1024


class SandboxApp:
    """ASGI app of one sandbox. `state` gives in-process access to the store, faults and log."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = SandboxState.open(settings)

        @contextlib.asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            yield
            self.close()

        async def not_found(request: Request, exc: Exception) -> Response:
            return error(404, "Not found")

        async def http_error(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            return message(status, exc.detail if isinstance(exc, HTTPException) else "Server error")

        self._inner = Starlette(
            routes=[
                *AdminApi(self.state).routes(),
                *KindAdmin(self.state).routes(),
                *LlmApi(self.state.llm).routes(),
                *PersonaApi(self.state).routes(),
                *KindApi(self.state, OBJECTIVES).routes(),
                *KindApi(self.state, GUARDRAILS).routes(),
                *DictionaryApi(self.state).routes(),
                *DocumentApi(self.state).routes(),
            ],
            exception_handlers={404: not_found, HTTPException: http_error},
            lifespan=lifespan,
            max_body_size=MAX_BODY_BYTES,
        )

    def close(self) -> None:
        self.state.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Admin and chat-completions requests skip the Tavus API's request log and faults.
        if scope["type"] != "http" or scope["path"].startswith((ADMIN_PREFIX + "/", LLM_PREFIX + "/")):
            await self._inner(scope, receive, send)
            return
        state = self.state
        started = time.perf_counter()
        entry = state.log.start(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            state.clock.now(),
        )
        scope[LOG_ENTRY_KEY] = entry
        status: int | None = None

        async def send_and_record(msg: Message) -> None:
            nonlocal status
            if msg["type"] == "http.response.start":
                status = int(msg["status"])
            await send(msg)

        try:
            delay = state.faults.latency_s()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._inner(scope, receive, send_and_record)
        finally:
            state.log.finish(entry, None if entry.fault == "ambiguous_drop" else status, started)


def create_app(settings: Settings) -> SandboxApp:
    """Open the store at `settings.db_path` and build the ASGI app."""
    return SandboxApp(settings)
