"""SQLite persistence (stdlib sqlite3, WAL mode, one locked connection).

Personas have their own table (user/system types, paging in SQL). Every other kind (objectives,
guardrails, documents, pronunciation dictionaries, persona drafts) is a row of the generic
`items` table with a `kind` column: those collections are small and filtered in Python.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

_SCHEMA = """
CREATE TABLE IF NOT EXISTS personas (
    persona_id   TEXT PRIMARY KEY,
    persona_type TEXT NOT NULL CHECK (persona_type IN ('user', 'system')),
    created_at   TEXT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS personas_by_type_order ON personas (persona_type, created_at, persona_id);
CREATE INDEX IF NOT EXISTS personas_by_order ON personas (created_at, persona_id);
CREATE TABLE IF NOT EXISTS items (
    kind       TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX IF NOT EXISTS items_by_order ON items (kind, created_at, item_id);
"""


@dataclass(frozen=True)
class StoredPersona:
    doc: dict[str, Any]
    persona_type: str


class Store:
    """Thread-safe store. Every write commits before returning (durable across a restart)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.RLock()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(_SCHEMA)
            self._conn.execute("PRAGMA user_version=2")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def get(self, persona_id: str) -> StoredPersona | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc, persona_type FROM personas WHERE persona_id = ?", (persona_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredPersona(doc=json.loads(row[0]), persona_type=row[1])

    def exists(self, persona_id: str) -> bool:
        with self._lock:
            return (
                self._conn.execute("SELECT 1 FROM personas WHERE persona_id = ?", (persona_id,)).fetchone()
                is not None
            )

    def insert(self, doc: dict[str, Any], persona_type: str = "user") -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO personas (persona_id, persona_type, created_at, doc) VALUES (?, ?, ?, ?)",
                (doc["persona_id"], persona_type, doc["created_at"], json.dumps(doc)),
            )

    def upsert(self, doc: dict[str, Any], persona_type: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO personas (persona_id, persona_type, created_at, doc)"
                " VALUES (?, ?, ?, ?)",
                (doc["persona_id"], persona_type, doc["created_at"], json.dumps(doc)),
            )

    def update(self, persona_id: str, doc: dict[str, Any]) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE personas SET doc = ? WHERE persona_id = ?", (json.dumps(doc), persona_id)
            )
            return cursor.rowcount == 1

    def delete(self, persona_id: str) -> bool:
        with self._lock:
            cursor = self._conn.execute("DELETE FROM personas WHERE persona_id = ?", (persona_id,))
            return cursor.rowcount == 1

    def delete_type(self, persona_type: str) -> int:
        with self._lock:
            cursor = self._conn.execute("DELETE FROM personas WHERE persona_type = ?", (persona_type,))
            return cursor.rowcount

    def page(self, persona_type: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """One page in stable order (created_at, then persona_id) and the total under the filter."""
        where, args = ("WHERE persona_type = ?", (persona_type,)) if persona_type else ("", ())
        with self._lock:
            total = self._conn.execute(f"SELECT COUNT(*) FROM personas {where}", args).fetchone()[0]
            rows = self._conn.execute(
                f"SELECT doc FROM personas {where} ORDER BY created_at, persona_id LIMIT ? OFFSET ?",
                (*args, limit, offset),
            ).fetchall()
        return [json.loads(row[0]) for row in rows], int(total)

    # -- other kinds (the generic `items` table) ---------------------------------------------

    def item(self, kind: str, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM items WHERE kind = ? AND item_id = ?", (kind, item_id)
            ).fetchone()
        return None if row is None else cast(dict[str, Any], json.loads(row[0]))

    def items(self, kind: str) -> list[dict[str, Any]]:
        """Every item of `kind`, oldest first (created_at, then id)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT doc FROM items WHERE kind = ? ORDER BY created_at, item_id", (kind,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def item_exists(self, kind: str, item_id: str) -> bool:
        with self._lock:
            found = self._conn.execute(
                "SELECT 1 FROM items WHERE kind = ? AND item_id = ?", (kind, item_id)
            ).fetchone()
        return found is not None

    def put_item(self, kind: str, item_id: str, doc: dict[str, Any], created_at: str) -> None:
        """Insert or replace one item."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO items (kind, item_id, created_at, doc) VALUES (?, ?, ?, ?)",
                (kind, item_id, created_at, json.dumps(doc)),
            )

    def delete_item(self, kind: str, item_id: str) -> bool:
        with self._lock:
            cursor = self._conn.execute("DELETE FROM items WHERE kind = ? AND item_id = ?", (kind, item_id))
            return cursor.rowcount == 1

    def delete_all_items(self) -> int:
        with self._lock:
            return int(self._conn.execute("DELETE FROM items").rowcount)
