"""Reading a Pulumi PostgreSQL (`postgres://`) state backend directly, read-only.

Pulumi stores each "file" of its DIY layout (`.pulumi/stacks/...`, `.pulumi/locks/...`) as one
row of one table: `key TEXT PRIMARY KEY, data JSON` with `data = {"data": "<base64 of the bytes>"}`
(`pkg/backend/diy/postgres/bucket.go`). `recover` reads the lock rows this way, since no `pulumi`
command shows who holds a lock; the team tests read every row to scan them for secrets.

The connection is libpq's (psycopg): the same URL Pulumi uses, minus its own `table` parameter, and
the same `PG*` environment variables. The URL (it may hold a password) is never printed.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from providers.cli._pulumi import CliError

SCHEME = "postgres://"
DEFAULT_TABLE = "pulumi_state"
# Pulumi puts the table name into its SQL as written; we accept the same plain forms only.
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
# libpq reads these itself from the process environment; `env=` passes them explicitly instead.
_LIBPQ_ENV = {
    "PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password",
    "PGDATABASE": "dbname", "PGSSLMODE": "sslmode",
}


@dataclass(frozen=True)
class Blob:
    key: str
    content: bytes
    raw: str  # the row's `data` column as stored


def is_postgres_url(url: str) -> bool:
    return url.startswith(SCHEME)


def lock_prefix(project: str, stack: str) -> str:
    """Where the DIY backend keeps a stack's lock files (`backend/diy/lock.go`; org is literal)."""
    return f".pulumi/locks/organization/{project}/{stack}/"


class PostgresState:
    """The state table a `postgres://` backend URL names."""

    def __init__(self, url: str, env: Mapping[str, str] | None = None) -> None:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        self.table = dict(query).get("table") or DEFAULT_TABLE
        if not _TABLE_NAME.match(self.table):
            raise CliError(f"backend table name {self.table!r} is not a plain [schema.]table name")
        kept = urlencode([(k, v) for k, v in query if k != "table"])
        # Written out by hand: urlunsplit drops the `//` of an empty host (`postgres:///`).
        self._conninfo = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{kept}" if kept else "")
        self._overrides = {_LIBPQ_ENV[k]: v for k, v in (env or {}).items() if k in _LIBPQ_ENV}

    def blobs(self, prefix: str = "") -> list[Blob]:
        """Every row whose key starts with `prefix`, decoded; ordered by key."""
        pattern = re.sub(r"([\\%_])", r"\\\1", prefix) + "%"
        query = f"SELECT key, data::text FROM {self.table} WHERE key LIKE %s ORDER BY key"
        rows = self._rows(query, pattern)
        return [Blob(str(key), _decode(str(key), str(raw)), str(raw)) for key, raw in rows]

    def _rows(self, query: str, *params: str) -> list[tuple[object, ...]]:
        import psycopg  # only users of a postgres:// backend need the driver loaded
        from psycopg.conninfo import make_conninfo

        try:
            conninfo = make_conninfo(self._conninfo, **self._overrides)
            with psycopg.connect(conninfo, connect_timeout=20) as connection:
                return connection.execute(query.encode(), params).fetchall()
        except psycopg.Error as exc:
            # psycopg's messages name host, port and user, never the password.
            raise CliError(f"reading the state table {self.table}: {str(exc).strip()}") from None


def _decode(key: str, raw: str) -> bytes:
    try:
        return base64.b64decode(json.loads(raw)["data"], validate=True)
    except (ValueError, KeyError, TypeError):
        raise CliError(f"state row {key!r} is not in Pulumi's {{\"data\": base64}} form") from None
