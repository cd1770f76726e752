"""A local OpenAI-compatible chat-completions endpoint, so `preflight` can be tested and demoed.

`POST /_llm/{scenario}/v1/chat/completions` answers like OpenAI: a server-sent-event stream of
`chat.completion.chunk` objects ending in `data: [DONE]`. A persona's `base_url` is then
`http://HOST:PORT/_llm/{scenario}/v1`. Each scenario is a named set of switches (`LlmScenario`),
set through `/_sandbox/llm/scenarios/{name}`; a name nobody configured is a well-behaved endpoint,
so one sandbox serves a passing and several failing endpoints at once. Every chat request is
recorded (headers and body, keys included: a loopback test surface) at `/_sandbox/llm/requests`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ._http import reply
from .config import ADMIN_PREFIX, ConfigError

LLM_PREFIX = "/_llm"
LLM_ADMIN_PREFIX = ADMIN_PREFIX + "/llm"
DONE_MODES = ("send", "omit", "hang")
MAX_LOG = 10_000
ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass
class LlmScenario:
    """Switches of one scenario; the defaults are a healthy endpoint. See docs/sandbox.md."""

    stream: bool = True  # False: answer one application/json completion even when stream=true
    api_key: str | None = None  # when set, `Authorization: Bearer <it>` is required (else 401)
    models: list[str] = field(default_factory=list)  # when non-empty, other models get 404
    first_token_delay_ms: int = 0  # after the role chunk, before the first content chunk
    done: str = "send"  # send | omit (close without [DONE]) | hang (stay open, never finish)
    reject_tools: bool = False  # 400 when the body has `tools`
    echo_headers: bool = False  # 500 whose body echoes every request header (keys included)
    openai_chunks: bool = True  # False: `data: {"text": ...}` events instead of chunk objects
    reply: str = "Hello from the sandbox LLM."

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Any, base: LlmScenario | None = None) -> LlmScenario:
        if not isinstance(data, Mapping):
            raise ConfigError("a scenario must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            listed = ", ".join(sorted(known))
            raise ConfigError(f"unknown LLM switch(es): {', '.join(unknown)}; known: {listed}")
        values = (base or cls()).to_dict()
        values.update({key: _coerce(key, value) for key, value in data.items()})
        return cls(**values)


def _coerce(key: str, value: Any) -> Any:
    if key in ("stream", "reject_tools", "echo_headers", "openai_chunks"):
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false")
    elif key == "first_token_delay_ms":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{key} must be an integer >= 0")
    elif key == "done":
        if value not in DONE_MODES:
            raise ConfigError(f"done must be one of {list(DONE_MODES)}")
    elif key == "models":
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise ConfigError("models must be a list of model names")
    elif key == "api_key":
        if value is not None and (not isinstance(value, str) or not value):
            raise ConfigError("api_key must be a non-empty string or null")
    elif key == "reply" and not isinstance(value, str):
        raise ConfigError("reply must be a string")
    return value


@dataclass
class ChatRecord:
    seq: int
    scenario: str
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # the parsed JSON, or the raw text when it is not JSON
    status: int | None = None
    outcome: str | None = None  # streamed | json | unauthorized | echo_headers | model_not_found | ...


@dataclass
class LlmState:
    scenarios: dict[str, LlmScenario] = field(default_factory=dict)
    records: list[ChatRecord] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def scenario(self, name: str) -> LlmScenario:
        return self.scenarios.get(name) or LlmScenario()

    def record(self, scenario: str, request: Request, body: Any) -> ChatRecord:
        entry = ChatRecord(
            next(self._seq), scenario, request.method, request.url.path,
            {k.lower(): v for k, v in request.headers.items()}, body,
        )
        self.records.append(entry)
        del self.records[:-MAX_LOG]
        return entry

    def reset(self) -> None:
        self.scenarios.clear()
        self.records.clear()


def _openai_error(status: int, text: str, code: str | None, param: str | None = None) -> Response:
    body = {"error": {"message": text, "type": "invalid_request_error", "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


class LlmApi:
    """The chat endpoint and its admin routes."""

    def __init__(self, state: LlmState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        a = LLM_ADMIN_PREFIX
        return [
            Route(LLM_PREFIX + "/{scenario}/v1/chat/completions", self.chat, methods=["POST"]),
            Route(LLM_PREFIX + "/{rest:path}", self.invalid_url, methods=list(ANY_METHOD)),
            Route(a + "/scenarios", self.list_scenarios, methods=["GET"]),
            Route(a + "/scenarios/{name}", self.scenario, methods=["GET", "PUT", "PATCH", "DELETE"]),
            Route(a + "/requests", self.requests, methods=["GET"]),
            Route(a + "/reset", self.reset, methods=["POST"]),
        ]

    # -- the endpoint ---------------------------------------------------------------------------
    async def invalid_url(self, request: Request) -> Response:
        """What OpenAI answers for an unknown route, e.g. a base_url that already ends in the route."""
        path = request.url.path
        scenario, _, rest = path.removeprefix(LLM_PREFIX + "/").partition("/")
        entry = self.state.record(scenario, request, _parse(await request.body()))
        entry.status, entry.outcome = 404, "invalid_url"
        return _openai_error(404, f"Invalid URL ({request.method} /{rest})", None)

    async def chat(self, request: Request) -> Response:
        name = request.path_params["scenario"]
        scenario = self.state.scenario(name)
        body = _parse(await request.body())
        entry = self.state.record(name, request, body)
        response, entry.outcome = self._refusal(scenario, request, body)
        if response is None:
            response, entry.outcome = self._answer(scenario, body)
        entry.status = response.status_code
        return response

    def _refusal(self, scenario: LlmScenario, request: Request, body: Any) -> tuple[Response | None, str]:
        """The error a real endpoint would answer before generating anything, if any."""
        if scenario.api_key is not None:
            auth = request.headers.get("authorization", "")
            if not auth:
                return _openai_error(401, "You didn't provide an API key.", None), "unauthorized"
            if auth != f"Bearer {scenario.api_key}":
                return _openai_error(401, "Incorrect API key provided.", "invalid_api_key"), "unauthorized"
        if scenario.echo_headers:
            echoed = {"error": {"message": "upstream failure", "request_headers": dict(request.headers)}}
            return JSONResponse(echoed, status_code=500), "echo_headers"
        if not isinstance(body, dict):
            return _openai_error(400, "We could not parse the JSON body of your request.", None), "bad_json"
        model = body.get("model")
        if scenario.models and model not in scenario.models:
            text = f"The model `{model}` does not exist or you do not have access to it."
            return _openai_error(404, text, "model_not_found"), "model_not_found"
        if scenario.reject_tools and "tools" in body:
            text = "This model does not support tools."
            return _openai_error(400, text, None, param="tools"), "tools_rejected"
        return None, ""

    def _answer(self, scenario: LlmScenario, body: dict[str, Any]) -> tuple[Response, str]:
        model = str(body.get("model"))
        if not scenario.stream or body.get("stream") is not True:
            return JSONResponse(_completion(model, scenario.reply)), "json"
        return StreamingResponse(_events(scenario, model), media_type="text/event-stream"), "streamed"

    # -- admin ------------------------------------------------------------------------------------
    async def list_scenarios(self, request: Request) -> Response:
        return reply(200, {name: s.to_dict() for name, s in self.state.scenarios.items()})

    async def scenario(self, request: Request) -> Response:
        name = request.path_params["name"]
        scenarios = self.state.scenarios
        if request.method == "DELETE":
            scenarios.pop(name, None)
            return reply(204)
        if request.method in ("PUT", "PATCH"):
            base = self.state.scenario(name) if request.method == "PATCH" else None
            try:
                scenarios[name] = LlmScenario.from_dict(_parse(await request.body()), base=base)
            except ConfigError as exc:
                return reply(400, {"error": str(exc)})
        return reply(200, self.state.scenario(name).to_dict())

    async def requests(self, request: Request) -> Response:
        try:
            since = int(request.query_params.get("since", "0"))
        except ValueError:
            return reply(400, {"error": "since must be an integer"})
        records = [dataclasses.asdict(r) for r in self.state.records if r.seq > since]
        return reply(200, {"requests": records})

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        return reply(200, {})


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def _completion(model: str, text: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": text}
    return {
        "id": "chatcmpl-sandbox", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    chunk = {
        "id": "chatcmpl-sandbox", "object": "chat.completion.chunk", "created": int(time.time()),
        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n"


async def _events(scenario: LlmScenario, model: str) -> AsyncIterator[str]:
    words = scenario.reply.split(" ")
    pieces = [word if i == 0 else " " + word for i, word in enumerate(words)]
    if scenario.openai_chunks:
        yield _chunk(model, {"role": "assistant", "content": ""})
    if scenario.first_token_delay_ms:
        await asyncio.sleep(scenario.first_token_delay_ms / 1000)
    for piece in pieces:
        if scenario.openai_chunks:
            yield _chunk(model, {"content": piece})
        else:
            yield f"data: {json.dumps({'text': piece})}\n\n"
    if scenario.openai_chunks:
        yield _chunk(model, {}, finish="stop")
    if scenario.done == "send":
        yield "data: [DONE]\n\n"
    elif scenario.done == "hang":
        await asyncio.Event().wait()  # until the client goes away and the task is cancelled
