"""Peak memory of the dynamic-provider process(es) of one Pulumi command.

Method: a monitor thread wakes every `interval` seconds, finds new processes whose
command line runs the provider (`python -m pulumi.dynamic`, started through the
`pulumi-resource-pulumi-python` launcher) and whose working directory is the
benchmark's project, and reads `VmHWM` (the kernel's own high-water mark of resident
memory) from /proc/<pid>/status. Because VmHWM is a running maximum kept by the
kernel, sampling it misses only growth in the last interval before the process exits.
The figure is the largest VmHWM over the command's provider processes (`up` without
`--skip-preview` and `preview` start one each).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

_MARKERS = (b"pulumi.dynamic", b"pulumi-resource-pulumi-python")


class ProviderMemoryMonitor:
    """Use as a context manager around one Pulumi command; `peak_kib` is the result."""

    def __init__(self, project_dir: Path, interval: float = 0.05) -> None:
        self._project = str(project_dir.resolve())
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._before: set[int] = set()
        self._providers: set[int] = set()
        self.peak_kib = 0

    def __enter__(self) -> ProviderMemoryMonitor:
        self._before = set(_pids())  # anything already running is not ours
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024

    def _run(self) -> None:
        while True:
            self._sample()
            if self._stop.wait(self._interval):
                return

    def _sample(self) -> None:
        # A new process is checked on every sample until it is a provider: one caught between
        # fork and exec still shows its parent's (the CLI's) command line.
        for pid in _pids():
            if pid not in self._before and pid not in self._providers and self._is_provider(pid):
                self._providers.add(pid)
        for pid in list(self._providers):
            hwm = _vm_hwm_kib(pid)
            if hwm is None:
                self._providers.discard(pid)
            else:
                self.peak_kib = max(self.peak_kib, hwm)

    def _is_provider(self, pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            return False
        return any(marker in cmdline for marker in _MARKERS) and cwd == self._project


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return 0  # a zombie has no memory lines: keep watching until it is gone
