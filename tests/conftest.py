"""Fixtures every suite may use: the real sandbox process, started per module or per test.

Suites add their own fixtures in their conftest.py; helpers (not fixtures) are in tests/support/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The helpers assert too: rewrite their asserts so that a failure shows the values, as in a test.
pytest.register_assert_rewrite("tests.support")

from sandbox.testing import SandboxProcess, start_sandbox  # noqa: E402
from tests.support.deployment import TAVUS_KEY  # noqa: E402


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    """One sandbox for a test module; tests that switch faults on switch them off again."""
    root = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(root / "tavus.db", [TAVUS_KEY], log_path=root / "sandbox.log") as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A fresh sandbox for one test, so that fault switches and data never leak into another."""
    with start_sandbox(tmp_path / "tavus.db", [TAVUS_KEY], log_path=tmp_path / "sandbox.log") as process:
        yield process
