"""bench.procmon finds a provider process even if it first sees it before its exec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.procmon import ProviderMemoryMonitor

# A shell that waits for a line, then execs into a process whose command line carries the
# provider marker; the marker comes from the environment, so the shell's own line lacks it.
EXEC_LATER = 'read go; exec "$PY" -c "import sys; print(\'ready\', flush=True); sys.stdin.read()" "$MARKER"'


def test_a_process_caught_before_exec_is_found_after_it() -> None:
    project = Path.cwd()
    monitor = ProviderMemoryMonitor(project)
    monitor._before = {int(p) for p in os.listdir("/proc") if p.isdigit()}
    env = {**os.environ, "PY": sys.executable, "MARKER": "pulumi.dynamic"}
    child = subprocess.Popen(
        ["sh", "-c", EXEC_LATER],
        cwd=project,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        monitor._sample()
        assert monitor.peak_kib == 0, "the shell is not a provider"

        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "ready\n"  # it has exec'd
        monitor._sample()

        assert monitor.peak_kib > 0
    finally:
        child.kill()
        child.wait()
