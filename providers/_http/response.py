"""Reading Tavus responses: error messages, the "gone" signal, the two GET shapes, timestamps."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import httpx

from providers._http.dates import epoch_seconds, parse_http_date
from providers.endpoints import Endpoint, persona_endpoint
from providers.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PersonaNotFoundError,
    RateLimitedError,
    ServerError,
    TavusAPIError,
    UnexpectedResponseError,
)

Redact = Callable[[str], str]

MAX_MESSAGE_CHARS = 500
_PERSONAS = persona_endpoint()


def api_error(
    response: httpx.Response,
    method: str,
    path: str,
    redact: Redact,
    *,
    item: bool = True,
    endpoint: Endpoint = _PERSONAS,
) -> TavusAPIError:
    """The exception for an error answer; every text in it has been through ``redact``.

    ``item`` says whether ``path`` names one item of ``endpoint``: only then can an answer mean "gone".
    """
    cls = _error_class(response, item, endpoint)
    return cls(response.status_code, method, redact(path), error_message(response, redact))


def _error_class(response: httpx.Response, item: bool, endpoint: Endpoint) -> type[TavusAPIError]:
    status = response.status_code
    if status == 401:
        return AuthenticationError
    if status == 429:
        return RateLimitedError
    if item and is_gone(response, endpoint):
        return PersonaNotFoundError if endpoint.id_field == "persona_id" else NotFoundError
    if 400 <= status < 500:
        return InvalidRequestError
    if status >= 500:
        return ServerError
    return UnexpectedResponseError


def error_message(response: httpx.Response, redact: Redact) -> str:
    """Tavus's ``message`` / ``error`` value, else the raw text; redacted, then cut to 500 chars.

    Redaction comes first: truncating first could cut a secret in half and leave a prefix visible.
    """
    raw = response.text
    message = _tavus_message(raw)
    if message is None:
        message = raw.strip() or response.reason_phrase or "(empty body)"
    return truncate(redact(message))


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + " [truncated]"


def _tavus_message(raw: str) -> str | None:
    # Tavus has no single envelope: 400 uses "error", 401/304/422 use "message".
    parsed = _loads(raw)
    if not isinstance(parsed, dict):
        return None
    parts = [_as_text(parsed[key]) for key in ("message", "error") if parsed.get(key) not in (None, "")]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 or parts[0] == parts[1] else f"{parts[0]} ({parts[1]})"


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def is_gone(response: httpx.Response, endpoint: Endpoint = _PERSONAS) -> bool:
    """True when the answer means "this item (persona, objectives set...) does not exist".

    Tavus documents 400 ``{"error": "Invalid persona_id"}`` (likewise "Invalid objectives_id"); a
    404 is possible too. A 400 naming another id field ("Invalid objectives_id" on a persona PATCH)
    is a refused reference, not a missing persona. A 404 whose
    body is non-JSON text (an HTML page, a bare "Not Found") is *not* taken as gone: that is what a
    wrong base URL or path prefix looks like, and reading it as gone would make callers recreate
    personas that still exist.
    """
    status = response.status_code
    if status == 404:
        raw = response.text.strip()
        return not raw or isinstance(_loads(raw), dict)
    if status == 400:
        message = _tavus_message(response.text) or ""
        return bool(endpoint.gone_message.search(message))
    return False


def json_body(response: httpx.Response, method: str, path: str, redact: Redact) -> Any:
    """The decoded JSON of a success answer; UnexpectedResponseError when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        pass
    # Raised outside the except block so that no decoder error (holding the raw text) is chained.
    snippet = truncate(redact(response.text.strip()) or "(empty body)")
    raise UnexpectedResponseError(
        response.status_code, method, redact(path), f"expected a JSON body, got: {snippet}"
    )


def unwrap_item(body: Any, item_id: str, endpoint: Endpoint = _PERSONAS) -> dict[str, Any] | None:
    """The item from any GET shape: the object itself, ``{"data": object}`` or ``{"data": [object]}``.

    Returns None for ``{"data": []}`` (gone). Raises ValueError for any other shape. An object that
    carries its id is the item itself even when it has a ``data`` field (objectives, guardrails).
    """
    if not isinstance(body, dict):
        raise ValueError("the body is not a JSON object")
    data = body.get("data")
    if _has_id(body, endpoint) or data is None:
        return endpoint.normalise(body)
    if isinstance(data, dict):
        return endpoint.normalise(data)
    if not isinstance(data, list):
        raise ValueError("'data' is neither an object nor a list")
    items = [endpoint.normalise(item) for item in data if isinstance(item, dict)]
    matching = [item for item in items if item.get(endpoint.id_field) == item_id]
    if matching:
        return matching[0]
    if len(items) <= 1:
        return items[0] if items else None
    raise ValueError(f"'data' holds {len(items)} items, none with the requested id")


def _has_id(obj: dict[str, Any], endpoint: Endpoint) -> bool:
    return any(name in obj for name in endpoint.id_names)


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds from a Tavus timestamp, or None when it cannot be read.

    The format is unconfirmed: accept ISO-8601 (with or without ``Z``/offset/microseconds; naive
    means UTC), RFC 1123 (Flask's default JSON date format) and numeric epoch seconds or millis.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) / 1000 if value > 1e11 else float(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    parsed = _parse_iso(text)
    return epoch_seconds(parsed) if parsed is not None else parse_http_date(text)


def _parse_iso(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
