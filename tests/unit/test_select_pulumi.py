"""Which Pulumi CLI `make bootstrap` takes from PATH (tools/select-pulumi.sh), against fake CLIs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.pulumi import REPO_ROOT

SCRIPT = REPO_ROOT / "tools" / "select-pulumi.sh"
MINIMUM = "v3.226.0"


def _fake_cli(directory: Path, version_output: str, *, language_host: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    cli = directory / "pulumi"
    cli.write_text(f"#!/bin/sh\n[ \"$1\" = version ] && echo '{version_output}'\n")
    cli.chmod(0o755)
    if language_host:
        host = directory / "pulumi-language-python"
        host.write_text("#!/bin/sh\n")
        host.chmod(0o755)
    return cli


def _select(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), MINIMUM],
        capture_output=True,
        text=True,
        env={"PATH": f"{path}:/usr/bin:/bin"},
        check=False,
    )


@pytest.mark.parametrize("version", ["v3.226.0", "v3.280.0", "v3.300.12", "v4.0.0", "v3.281.0-alpha.1+dev"])
def test_a_cli_at_or_above_the_minimum_is_used(tmp_path: Path, version: str) -> None:
    cli = _fake_cli(tmp_path / "bin", version)
    result = _select(str(cli.parent))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(cli), version]


@pytest.mark.parametrize("version", ["v3.225.9", "v3.99.0", "v2.999.999"])
def test_an_older_cli_is_refused_with_its_version(tmp_path: Path, version: str) -> None:
    cli = _fake_cli(tmp_path / "bin", version)
    result = _select(str(cli.parent))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"is {version}, older than the minimum {MINIMUM}" in result.stderr


def test_numeric_not_lexical_comparison(tmp_path: Path) -> None:
    # "v3.30.0" sorts after "v3.226.0" as text but is far older.
    result = _select(str(_fake_cli(tmp_path / "bin", "v3.30.0").parent))
    assert result.returncode == 1


def test_a_cli_without_its_python_language_host_is_refused(tmp_path: Path) -> None:
    cli = _fake_cli(tmp_path / "bin", "v3.280.0", language_host=False)
    result = _select(str(cli.parent))
    assert result.returncode == 1
    assert "has no pulumi-language-python beside it" in result.stderr


def test_the_language_host_is_looked_up_beside_the_real_executable(tmp_path: Path) -> None:
    # Package managers put a symlink on PATH; the host sits beside the real binary.
    real = _fake_cli(tmp_path / "opt" / "pulumi", "v3.280.0")
    links = tmp_path / "links"
    links.mkdir()
    (links / "pulumi").symlink_to(real)
    result = _select(str(links))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(links / "pulumi"), "v3.280.0"]


@pytest.mark.parametrize("output", ["", "pulumi version unknown", "3.280"])
def test_a_cli_that_reports_no_version_is_refused(tmp_path: Path, output: str) -> None:
    result = _select(str(_fake_cli(tmp_path / "bin", output).parent))
    assert result.returncode == 1
    assert "did not report a version" in result.stderr


def test_no_cli_on_path(tmp_path: Path) -> None:
    result = _select(str(tmp_path))
    assert result.returncode == 1
    assert "no pulumi on PATH" in result.stderr


def test_the_first_cli_on_path_decides(tmp_path: Path) -> None:
    # Like the shell: an old CLI first on PATH is not silently skipped for a newer one later.
    old = _fake_cli(tmp_path / "old", "v3.200.0")
    new = _fake_cli(tmp_path / "new", "v3.280.0")
    result = _select(f"{old.parent}:{new.parent}")
    assert result.returncode == 1
    assert str(old) in result.stderr


def test_bootstrap_and_the_script_agree_on_the_minimum() -> None:
    assert f"PULUMI_MIN_VERSION={MINIMUM}" in (REPO_ROOT / "tools" / "bootstrap.sh").read_text()
