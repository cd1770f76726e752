"""`python -m providers validate` as pre-commit and CI run it: one process per bad file, exit codes.

Each corpus file (tests/unit/bad_personas, `# expect:`/`# path:`/`# line:` headers) is the only
persona of a fresh project; the command must exit 1 and print file, line, path and message.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from harness.pulumi import REPO_ROOT
from tests.support.cli import run_cli
from tests.support.corpus import corpus_header

CORPUS = sorted((REPO_ROOT / "tests/unit/bad_personas").glob("*.yaml"))


def test_corpus_has_at_least_20_distinct_rules() -> None:
    assert len({corpus_header(p).expect for p in CORPUS}) >= 20


@pytest.mark.parametrize("bad", CORPUS, ids=lambda p: p.stem)
def test_bad_file_fails_with_its_message(bad: Path, tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    shutil.copy(bad, tmp_path / "personas" / bad.name)
    expected = corpus_header(bad)

    result = run_cli("validate", "--root", str(tmp_path), cwd=REPO_ROOT)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    where = f"personas/{bad.name}" + ("" if expected.line is None else f":{expected.line}")
    field = f"{expected.path}: " if expected.path else ""
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{where}: error: {field}")]
    assert any(expected.expect in line for line in lines), result.stderr
    assert "1 error(s)" in result.stdout


def test_examples_are_clean() -> None:
    result = run_cli("validate", "--root", str(REPO_ROOT), cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "0 error(s)" in result.stdout


def test_pre_commit_hook_runs_validate_on_persona_changes() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "tavus-personas-validate")
    assert hook["entry"].split()[-3:] == ["-m", "providers", "validate"]
    assert hook["language"] in ("system", "python")
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    assert pattern.search("personas/storyteller.yaml") and pattern.search("personas/a/b.yml")
    assert not pattern.search("providers/cli/validate.py")
