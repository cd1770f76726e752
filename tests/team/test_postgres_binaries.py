"""Where the fixture finds PostgreSQL's server binaries, and what it says when it cannot install them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import postgres


def _fake_version(root: Path, version: str) -> Path:
    bin_dir = root / version / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("initdb", "pg_ctl"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def test_newest_debian_version_is_used_when_none_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("9", "15", "16"):
        _fake_version(tmp_path, version)
    (tmp_path / "17" / "bin").mkdir(parents=True)  # a client-only install: no server binaries
    monkeypatch.setattr(postgres, "DEBIAN_BIN_ROOT", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    assert postgres.server_binaries() == tmp_path / "16" / "bin"


def test_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = _fake_version(tmp_path / "custom", "12")
    monkeypatch.setattr(postgres, "DEBIAN_BIN_ROOT", tmp_path / "none")
    monkeypatch.setenv("PATH", str(on_path))

    assert postgres.server_binaries() == on_path


def test_without_root_the_error_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "DEBIAN_BIN_ROOT", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(postgres.os, "geteuid", lambda: 1000)

    with pytest.raises(postgres.PostgresUnavailable, match=r"apt-get install -y postgresql"):
        postgres.ensure_binaries()
