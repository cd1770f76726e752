"""The network floor: the product's API requests sent directly with httpx, no Pulumi.

It runs against its own sandbox with the same injected latency, 4 requests at a time
(the dynamic provider's thread cap). `create` sends each persona's POST followed by
the GET that reads it back, after the list requests the product made; every other
operation replays the product's logged requests (method, path, query, PATCH body)
with persona ids translated to the floor sandbox's ids.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from providers.canonical import canonical
from providers.spec import Ref, load_personas, substitute

CONCURRENCY = 4  # pulumi.dynamic's ThreadPoolExecutor(max_workers=4)


def persona_bodies(project: Path, config: Mapping[str, str]) -> list[dict[str, Any]]:
    """The request bodies the product POSTs: files loaded, references resolved, canonical form."""
    files, _ = load_personas(project)

    def resolve(ref: Ref) -> Any:
        return config[ref.key]

    return [canonical(substitute(persona.body, resolve)) for persona in files]


class NetworkFloor:
    """A pooled httpx client for one floor sandbox, and the persona ids it holds."""

    def __init__(self, url: str, api_key: str, prefix: str = "/v2/personas") -> None:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        self._http = httpx.Client(
            base_url=url, headers={"x-api-key": api_key}, timeout=60.0, limits=limits
        )
        self._prefix = prefix
        self.ids_by_name: dict[str, str] = {}

    def close(self) -> None:
        self._http.close()

    def create(self, bodies: Sequence[dict[str, Any]], list_queries: Sequence[str]) -> float:
        """Seconds to list as the product did, then POST and read back every body."""
        started = time.perf_counter()
        for query in list_queries:
            self._send("GET", self._prefix, query, None)
        _run_parallel([functools.partial(self._create_one, body) for body in bodies])
        return time.perf_counter() - started

    def replay(self, entries: Sequence[Mapping[str, Any]], name_of: Mapping[str, str]) -> float:
        """Seconds to send the logged requests again, product persona ids mapped to ours."""
        tasks: list[Callable[[], None]] = []
        for entry in entries:
            path = self._translate(str(entry["path"]), name_of)
            body = entry.get("body")
            method, query = str(entry["method"]), str(entry["query"] or "")
            tasks.append(functools.partial(self._send, method, path, query, body))
        started = time.perf_counter()
        _run_parallel(tasks)
        return time.perf_counter() - started

    def _create_one(self, body: dict[str, Any]) -> None:
        response = self._http.post(self._prefix, json=body)
        response.raise_for_status()
        persona_id = response.json()["persona_id"]
        self.ids_by_name[body["persona_name"]] = persona_id
        self._http.get(f"{self._prefix}/{persona_id}").raise_for_status()

    def _translate(self, path: str, name_of: Mapping[str, str]) -> str:
        head, _, last = path.rpartition("/")
        if head == self._prefix and last in name_of:
            return f"{head}/{self.ids_by_name[name_of[last]]}"
        return path

    def _send(self, method: str, path: str, query: str, body: str | None) -> None:
        url = f"{path}?{query}" if query else path
        headers = {"content-type": "application/json"} if body is not None else None
        response = self._http.request(method, url, content=body, headers=headers)
        if response.status_code >= 500:
            response.raise_for_status()


def _run_parallel(tasks: Sequence[Callable[[], None]]) -> None:
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for future in [pool.submit(task) for task in tasks]:
            future.result()
