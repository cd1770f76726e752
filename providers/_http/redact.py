"""Keeping secrets out of error messages: finding them in request bodies and masking them in text."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

REDACTED = "[redacted]"

# Keys whose whole value is a secret, wherever they occur in a body.
_SECRET_KEYS = frozenset({"api_key", "x-api-key", "authorization"})
# Keys under which every value is a secret (LLM headers may carry bearer tokens).
_SECRET_CONTAINERS = frozenset({"headers"})


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return ``text`` with every occurrence of any secret replaced by ``[redacted]``.

    Overlapping occurrences are merged into one span, so no fragment of a secret survives next to
    a marker. Each secret is also looked for in its JSON-escaped, repr-escaped and URL-encoded
    forms, since error bodies and exception messages quote values in those forms.
    """
    needles = {form for secret in secrets if secret for form in _forms(secret)}
    spans = sorted(span for needle in needles for span in _occurrences(text, needle))
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in _merge(spans):
        pieces.append(text[position:start])
        pieces.append(REDACTED)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _forms(secret: str) -> set[str]:
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    forms.add(repr(secret)[1:-1])
    forms.add(quote(secret, safe=""))
    return {form for form in forms if form}


def _occurrences(text: str, needle: str) -> Iterator[tuple[int, int]]:
    start = text.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = text.find(needle, start + 1)


def _merge(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    current_start, current_end = spans[0]
    for start, end in spans[1:]:
        if start <= current_end:
            current_end = max(current_end, end)
        else:
            yield current_start, current_end
            current_start, current_end = start, end
    yield current_start, current_end


def collect_secrets(body: Any, *, within_secret: bool = False) -> set[str]:
    """Every secret string in a request body.

    Secrets are the values of keys named ``api_key`` (and ``x-api-key`` / ``authorization``) and
    every value under a ``headers`` mapping, at any depth. For an ``Authorization``-style value
    such as ``"Bearer abc"`` the bare token ``abc`` is collected too, since it may be quoted alone.
    """
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            secret_here = within_secret or _is_secret_key(str(key))
            found |= collect_secrets(value, within_secret=secret_here)
    elif isinstance(body, list):
        for item in body:
            found |= collect_secrets(item, within_secret=within_secret)
    elif within_secret and isinstance(body, str | int | float) and not isinstance(body, bool):
        found |= _with_bare_token(str(body))
    return found


def collect_patch_secrets(operations: Iterable[Any]) -> set[str]:
    """Every secret string in a JSON Patch array, judging each op's ``value`` by its ``path``.

    ``replace /layers/llm/api_key "sk-..."`` carries a secret although no key in the value says so.
    """
    found: set[str] = set()
    for operation in operations:
        if not isinstance(operation, dict) or "value" not in operation:
            continue
        segments = str(operation.get("path", "")).split("/")
        found |= collect_secrets(operation["value"], within_secret=any(map(_is_secret_key, segments)))
    return found


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SECRET_KEYS or lowered in _SECRET_CONTAINERS


def _with_bare_token(value: str) -> set[str]:
    found = {value}
    _scheme, separator, token = value.partition(" ")
    if separator and token.strip():
        found.add(token.strip())
    return found


class Redactor:
    """A thread-safe, growing set of secrets one client knows, applied to every error text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = {s for s in secrets if s}

    def __repr__(self) -> str:
        return f"<Redactor: {len(self._secrets)} secrets>"

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s)

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = tuple(self._secrets)
        return redact(text, secrets)
