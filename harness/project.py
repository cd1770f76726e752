"""A throwaway copy of the project for tests and benchmarks.

The copy's `providers/`, `__main__.py` and `.venv` are the repository's own (symlinked or
copied), so the code under test is the real one; only `personas/` and the stack differ.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.pulumi import REPO_ROOT
from providers.facts import KINDS


def make_project(root: Path, personas: Path | None = REPO_ROOT / "personas") -> Path:
    """`root/project`, holding a copy of `personas` (or an empty personas/ when None) and of the
    folders of the other kinds beside it (objectives/, guardrails/...: what its personas reference)."""
    project = root / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO_ROOT / name, project / name)
    for name in ("providers", ".venv"):
        (project / name).symlink_to(REPO_ROOT / name)
    if personas is not None:
        shutil.copytree(personas, project / "personas")
        for folder in KINDS:
            if (personas.parent / folder).is_dir():
                shutil.copytree(personas.parent / folder, project / folder)
    else:
        (project / "personas").mkdir()
    return project
