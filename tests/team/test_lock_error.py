"""Pulumi's lock error as the product rephrases it, and how a postgres:// URL is read (no server needed).

The message format is `backend/diy/lock.go`'s; test_concurrent_pipelines.py checks the same
function against a real blocked `pulumi up`.
"""

from __future__ import annotations

import pytest

from providers.cli._lock_error import explain_lock_error
from providers.cli._postgres_state import PostgresState, lock_prefix
from providers.cli._pulumi import CliError

PULUMI_LOCK_ERROR = (
    "error: the stack is currently locked by 2 lock(s). Either wait for the other process(es) to end "
    "or delete the lock file with `pulumi cancel`.\n"
    "  postgres:///.pulumi/locks/organization/tavus-personas/prod/1b2c.json: created by "
    "ci@runner-7 (pid 4242) at 2026-12-04T10:00:00Z\n"
    "  postgres:///.pulumi/locks/organization/tavus-personas/prod/9f8e.json: created by "
    "alice@laptop (pid 77) at 2026-12-04T10:00:01Z\n"
)


def test_lock_error_names_every_holder_and_the_safe_ways_on() -> None:
    explained = explain_lock_error(PULUMI_LOCK_ERROR, ("up", "--yes", "--stack", "prod"))

    assert explained is not None
    assert explained.startswith("stack prod is locked by another run: ci@runner-7 (pid 4242) since ")
    assert "alice@laptop (pid 77) since 2026-12-04T10:00:01Z" in explained
    assert "python -m providers recover --stack prod" in explained and "--force-unlock" in explained
    assert "do not `pulumi cancel`" in explained


def test_other_errors_are_left_alone() -> None:
    assert explain_lock_error("error: failed to load checkpoint: EOF", ("up", "--stack", "prod")) is None


def test_stack_is_named_even_without_the_flag() -> None:
    explained = explain_lock_error(PULUMI_LOCK_ERROR, ("up",))
    assert explained is not None and "stack (the selected stack) is locked" in explained


@pytest.mark.parametrize(
    ("url", "table", "conninfo"),
    [
        ("postgres:///", "pulumi_state", "postgres:///"),
        ("postgres:///?table=team_state&sslmode=require", "team_state", "postgres:///?sslmode=require"),
        ("postgres://u:p@db:5432/state?table=ops.pulumi", "ops.pulumi", "postgres://u:p@db:5432/state"),
    ],
)
def test_table_parameter_is_ours_not_libpqs(url: str, table: str, conninfo: str) -> None:
    state = PostgresState(url)
    assert state.table == table
    assert state._conninfo == conninfo


def test_table_names_that_are_not_plain_identifiers_are_refused() -> None:
    with pytest.raises(CliError, match="not a plain"):
        PostgresState("postgres:///?table=x;DROP TABLE y")


def test_lock_prefix_is_the_diy_layout() -> None:
    assert lock_prefix("tavus-personas", "prod") == ".pulumi/locks/organization/tavus-personas/prod/"
