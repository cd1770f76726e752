"""recover: which directory a backend URL names, and which sidecars it removes."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.cli import recover as recover_module
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


@pytest.mark.parametrize(("force", "cancelled"), [(False, False), (True, True)])
def test_other_backends_are_unlocked_only_when_forced(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], force: bool, cancelled: bool
) -> None:
    """An s3:// or Pulumi Cloud backend: its locks cannot be read, so only --force-unlock removes them."""
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(recover_module, "backend_url", lambda root: "s3://bucket/state")
    monkeypatch.setattr(recover_module, "pending_operations", lambda root, stack: [])
    monkeypatch.setattr(recover_module, "stream_pulumi", lambda root, *args: calls.append(args))

    recover_module.recover(Path("."), "prod", force_unlock=force)

    assert (("cancel", "--yes", "--stack", "prod") in calls) is cancelled
    assert ("run recover with --force-unlock" in capsys.readouterr().out) is not force
