"""Tiny wheels written by hand, so `pip install` in a test needs no build tool and no index."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(dest: Path, dist: str, version: str, plugin: dict[str, Any] | None = None) -> Path:
    """A pure-Python wheel of one empty package; with `plugin`, the package ships a pulumi-plugin.json."""
    package = dist.replace("-", "_")
    info = f"{package}-{version}.dist-info"
    files = {f"{package}/__init__.py": b""}
    if plugin is not None:
        files[f"{package}/pulumi-plugin.json"] = json.dumps(plugin).encode()
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tavus-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{package}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path
