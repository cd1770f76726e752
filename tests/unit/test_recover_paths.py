"""recover: which directory a backend URL names, and which sidecars it removes."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.cli.recover import file_backend_path, repair_sidecars


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file:///srv/state", Path("/srv/state")),
        ("file:///srv/state?metadata=skip", Path("/srv/state")),
        ("file://~/state", Path.home() / "state"),
        ("file://./state", Path("/work/project/state")),
        ("s3://bucket/prefix", None),
        ("https://api.pulumi.com", None),
    ],
)
def test_file_backend_path(url: str, expected: Path | None) -> None:
    assert file_backend_path(url, Path("/work/project")) == expected


def test_only_sidecars_that_are_not_json_are_removed(tmp_path: Path) -> None:
    stacks = tmp_path / ".pulumi" / "stacks" / "tavus-personas"
    stacks.mkdir(parents=True)
    cut_off = stacks / "prod.json.attrs"
    half = stacks / "prod.json.bak.attrs"
    whole = stacks / "dev.json.attrs"
    cut_off.write_bytes(b"")
    half.write_text('{"user.cache_control":"","user.content_type":"appl')
    whole.write_text('{"user.content_type":"application/octet-stream"}')
    state = stacks / "prod.json"
    state.write_text("{}")

    assert repair_sidecars(tmp_path) == sorted([cut_off, half])
    assert whole.exists() and state.exists() and not cut_off.exists() and not half.exists()
