"""The pinned Pulumi toolchain works end to end (issue: foundation).

A tiny program with one Python dynamic resource, run through the real CLI: this
proves the language host, the provider launcher and virtualenv discovery work
together. The resource writes a file, so create and delete are observable.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.pulumi import EXIT_CHANGES_FOUND, PULUMI_BIN, REPO_ROOT, PulumiStack

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"


def test_cli_is_the_pinned_version() -> None:
    out = subprocess.run([str(PULUMI_BIN / "pulumi"), "version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "v3.274.1"


def _tiny_project(tmp_path: Path) -> Path:
    project = tmp_path / "tiny"
    shutil.copytree(FIXTURE, project)
    manifest = project / "Pulumi.yaml"
    manifest.write_text(manifest.read_text().replace("VENV_PLACEHOLDER", str(REPO_ROOT / ".venv")))
    return project


def test_dynamic_resource_lifecycle(tmp_path: Path) -> None:
    stack = PulumiStack(project_dir=_tiny_project(tmp_path), state_dir=tmp_path / "state")
    marker = tmp_path / "marker.txt"
    stack.init()
    stack.set_config("markerPath", str(marker))

    stack.up()
    assert marker.read_text() == "hello"
    assert stack.outputs() == {"path": str(marker)}

    stack.preview("--expect-no-changes")
    marker.unlink()  # drift that only a refresh could see; a plain preview must stay empty
    stack.preview("--expect-no-changes")

    stack.set_config("markerPath", str(tmp_path / "moved.txt"))
    changed = stack.preview("--expect-no-changes", check=False)
    assert changed.returncode == EXIT_CHANGES_FOUND

    stack.set_config("markerPath", str(marker))
    marker.write_text("hello")
    stack.destroy()
    assert not marker.exists()
    assert stack.export()["deployment"].get("resources") in (None, [])
