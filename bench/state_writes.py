"""Counting what Pulumi writes into a PostgreSQL state table: rows written and bytes, per operation.

The benchmark creates the state table itself, with exactly Pulumi's schema
(`pkg/backend/diy/postgres/schema.sql`; Pulumi then finds it and uses it as is), plus a trigger
that adds each INSERT or UPDATE and the size of its `data` to a one-row counter. Exact and
synchronous, unlike the statistics views (which a backend flushes when it gets round to it).
The trigger's own cost is one small UPDATE per write, negligible next to rewriting the state.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from harness.postgres import PostgresServer

_SETUP = """
CREATE TABLE {table} (
    key TEXT PRIMARY KEY,
    data JSON NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX {index} ON {table} (key text_pattern_ops);
CREATE TABLE {counter} (writes BIGINT NOT NULL, bytes BIGINT NOT NULL);
INSERT INTO {counter} VALUES (0, 0);
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {counter} SET writes = writes + 1, bytes = bytes + octet_length(NEW.data::text);
    RETURN NEW;
END $$;
CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
ALTER TABLE {table} OWNER TO {role};
ALTER TABLE {counter} OWNER TO {role};
"""


@dataclass(frozen=True)
class StateWrites:
    writes: int
    bytes: int

    def __sub__(self, other: StateWrites) -> StateWrites:
        return StateWrites(self.writes - other.writes, self.bytes - other.bytes)


class StateWriteCounter:
    """The state table `table` of `server`, created with its write counter."""

    def __init__(self, server: PostgresServer, table: str) -> None:
        self.server = server
        self.counter = sql.Identifier(f"{table}_writes")
        names = {
            "table": sql.Identifier(table), "index": sql.Identifier(f"{table}_key_prefix_idx"),
            "counter": self.counter, "function": sql.Identifier(f"{table}_count_write"),
            "trigger": sql.Identifier(f"{table}_count"), "role": sql.Identifier(server.user),
        }
        with server.admin() as admin:
            admin.execute(sql.SQL(_SETUP).format(**names))

    def read(self) -> StateWrites:
        with self.server.admin() as admin:
            row = admin.execute(sql.SQL("SELECT writes, bytes FROM {}").format(self.counter)).fetchone()
        assert row is not None
        return StateWrites(int(str(row[0])), int(str(row[1])))
