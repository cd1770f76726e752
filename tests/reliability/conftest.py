"""The reliability suite's summary (its tests use tests/conftest.py's fresh sandbox per test, so
fault switches never leak).

The summary is printed at the end of every run that collected these tests, and its latest
figures are copied into docs/reliability.md.
"""

from __future__ import annotations

import pytest

from tests.support.reliability import FIGURES, NOTES


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
