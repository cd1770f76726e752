"""One streaming chat-completion request, observed: status, content type, SSE events, timings.

The stream is parsed with httpx-sse. Nothing here judges the result (`checks.py` does);
nothing here prints, and the texts it keeps (bodies, errors) are redacted by the caller.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_sse import SSEError, connect_sse

MAX_BODY_BYTES = 16 * 1024  # enough of an error body to quote; never the whole of a huge page


@dataclass
class Exchange:
    """What one request got. `failure` is set when no usable HTTP answer arrived."""

    url: str
    status: int | None = None
    content_type: str = ""
    location: str | None = None
    body: str = ""  # the body of a non-stream answer (first MAX_BODY_BYTES)
    failure: str | None = None  # connect | timeout | stream_timeout | transport
    failure_text: str = ""
    events: int = 0  # SSE events before [DONE]
    content_events: int = 0  # of those, chunks carrying content or tool calls
    bad_event: str | None = None  # why the first non-OpenAI event is not a chunk
    done: bool = False
    ttft_ms: float | None = None  # request sent -> first content chunk
    total_ms: float | None = None

    @property
    def is_stream(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == "text/event-stream"


def send(
    client: httpx.Client, url: str, headers: dict[str, str], body: dict[str, Any], timeout: float
) -> Exchange:
    exchange = Exchange(url)
    started = time.perf_counter()
    try:
        with connect_sse(client, "POST", url, headers=dict(headers), json=body) as source:
            response = source.response
            exchange.status = response.status_code
            exchange.content_type = response.headers.get("content-type", "")
            exchange.location = response.headers.get("location")
            if response.status_code != 200 or not exchange.is_stream:
                exchange.body = _read_some(response)
            else:
                _consume(source.iter_sse(), exchange, started, timeout)
    except httpx.ConnectError as exc:
        exchange.failure, exchange.failure_text = "connect", _describe(exc)
    except httpx.TimeoutException as exc:
        in_stream = exchange.status is not None
        exchange.failure = "stream_timeout" if in_stream else "timeout"
        exchange.failure_text = _describe(exc)
    except (httpx.HTTPError, SSEError) as exc:
        exchange.failure, exchange.failure_text = "transport", _describe(exc)
    exchange.total_ms = _ms_since(started)
    return exchange


def _consume(events: Any, exchange: Exchange, started: float, timeout: float) -> None:
    for event in events:
        if event.data.strip() == "[DONE]":
            exchange.done = True
            return
        exchange.events += 1
        problem, has_content = _chunk_problem(event.data)
        if problem and exchange.bad_event is None:
            exchange.bad_event = f"event {exchange.events}: {problem}"
        if has_content and exchange.ttft_ms is None:
            exchange.ttft_ms = _ms_since(started)
        exchange.content_events += has_content
        if time.perf_counter() - started > timeout:  # a stream that trickles forever
            exchange.failure, exchange.failure_text = "stream_timeout", f"still streaming after {timeout:g}s"
            return


def _chunk_problem(data: str) -> tuple[str | None, bool]:
    """(why `data` is not an OpenAI chat.completion.chunk or None, whether it carries a token)."""
    try:
        chunk = json.loads(data)
    except ValueError:
        return f"not JSON: {data[:80]!r}", False
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    if not isinstance(choices, list):
        return f"no `choices` list in {data[:120]}", False
    if not choices:  # OpenAI's final usage chunk has no choices: allowed
        return None, False
    delta = choices[0].get("delta") if isinstance(choices[0], dict) else None
    if not isinstance(delta, dict):
        return f"`choices[0]` has no `delta` object in {data[:120]}", False
    return None, bool(delta.get("content") or delta.get("tool_calls"))


def _read_some(response: httpx.Response) -> str:
    data = b""
    for piece in response.iter_bytes():
        data += piece
        if len(data) >= MAX_BODY_BYTES:
            break
    return data[:MAX_BODY_BYTES].decode("utf-8", errors="replace")


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 1)
