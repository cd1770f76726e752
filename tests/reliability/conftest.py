"""Reliability fixtures (a fresh sandbox per test, so fault switches never leak) and the suite's summary.

The summary is printed at the end of every run that collected these tests, and its latest
figures are copied into docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.testing import SandboxProcess, start_sandbox
from tests.e2e.deployment import TAVUS_KEY
from tests.reliability.support import FIGURES, NOTES


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    with start_sandbox(tmp_path / "tavus.db", [TAVUS_KEY], log_path=tmp_path / "sandbox.log") as process:
        yield process


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES and not NOTES:
        return
    terminalreporter.section("reliability summary")
    for key in sorted(FIGURES):
        terminalreporter.write_line(f"{key}: {FIGURES[key]}")
    if "secrets found" not in FIGURES and "secret scans" in FIGURES:
        terminalreporter.write_line("secrets found: 0")
    for note in NOTES:
        terminalreporter.write_line(note)
