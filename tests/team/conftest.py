"""Team fixtures: one real PostgreSQL server per test session (harness/postgres.py), real sandboxes.

The server is started once (about a second) and every module gets its own state table
(`postgres:///?table=...`), so modules never see each other's stacks or locks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.postgres import PostgresServer, start_postgres
from sandbox.testing import SandboxProcess, start_sandbox
from tests.support.deployment import TAVUS_KEY


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    log = tmp_path_factory.mktemp("postgres") / "server.log"
    with start_postgres(durable=False, log=log) as server:
        yield server


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A sandbox (one Tavus account) of the test's own, for tests that count every persona."""
    with start_sandbox(tmp_path / "tavus.db", [TAVUS_KEY], log_path=tmp_path / "sandbox.log") as process:
        yield process


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(root / "tavus.db", [TAVUS_KEY], log_path=root / "sandbox.log") as sandbox:
        yield sandbox
