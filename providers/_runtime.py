"""What a provider builds once in its process, in `configure()`: settings, the HTTP client, and
per collection a listing cache for refresh.

The engine deserialises and configures each resource type's provider once per process; each
keeps its `Runtime` out of the pickle (see the providers' `__getstate__`).
"""

from __future__ import annotations

import threading
from typing import Any

from providers.client import TavusClient
from providers.endpoints import Endpoint
from providers.settings import ProviderSettings

# Reads served by GET before the provider switches to paging the list endpoint:
# a refresh of a small stack stays cheap in a large account, and a refresh of N
# items costs at most ceil(N / page size) + this many requests.
DIRECT_READS_BEFORE_LISTING = 2

class Runtime:
    """Settings, the HTTP client (created on first use) and one `Index` per collection."""

    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings
        self._client: TavusClient | None = None
        self._indexes: dict[str, Index] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> TavusClient:
        """The persona client (its collection is a setting); `client.at(endpoint)` for the others."""
        with self._lock:
            if self._client is None:
                self._client = TavusClient.from_settings(self.settings)
            return self._client

    def index(self, endpoint: Endpoint) -> Index:
        client = self.client.at(endpoint)
        with self._lock:
            key = client.endpoint.path
            if key not in self._indexes:
                self._indexes[key] = Index(client)
            return self._indexes[key]


class Index:
    """A collection's items, listed once per provider process and shared by its 4 worker threads."""

    def __init__(self, client: TavusClient) -> None:
        self._client = client
        self._id_field = client.endpoint.id_field
        self._lock = threading.Lock()
        self._by_id: dict[str, dict[str, Any]] | None = None
        self._direct_reads = 0

    def get(self, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            direct = self._by_id is None and self._direct_reads < DIRECT_READS_BEFORE_LISTING
            if direct:
                self._direct_reads += 1
        if not direct:
            cached = self._listing().get(item_id)
            if cached is not None:
                return cached
        return self._client.get(item_id)

    def same_as(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Listed items that are what `body` would create: same name, or (unnamed kinds) same content."""
        return self._client.endpoint.like(self._listing().values(), body)

    def forget(self, item_id: str) -> None:
        """Drop an item this process is about to write: later reads must see the new version."""
        with self._lock:
            if self._by_id is not None:
                self._by_id.pop(item_id, None)

    def _listing(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            if self._by_id is None:
                self._by_id = {item[self._id_field]: item for item in self._client.iter_items()}
            return self._by_id
