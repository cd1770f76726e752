"""A description of the machine and toolchain a benchmark ran on."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from harness.pulumi import PULUMI_BIN


def describe() -> dict[str, str]:
    return {
        "CPU": _cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": f"{_mem_total_gib():.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Pulumi CLI": _pulumi_version(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _pulumi_version() -> str:
    argv = [str(PULUMI_BIN / "pulumi"), "version"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""
