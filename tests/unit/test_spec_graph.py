"""The persona's graph offline: objectives and guardrails files, `{ref:}` references between files.

tests/bad_graph/ is a project whose every file with a `# expect:` header yields exactly that error
(file, line, path, message); the files without one are valid and yield none. The same tree is
previewed through the real CLI in tests/reliability/test_bad_input.py (zero API calls).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.spec import Ref, load_project, substitute
from providers.spec.model import Diagnostic
from tests.support.corpus import corpus_header

TREE = Path(__file__).resolve().parents[1] / "bad_graph"
CASES = sorted(p for p in TREE.rglob("*.yaml") if p.read_text(encoding="utf-8").startswith("# expect: "))
REPO = Path(__file__).resolve().parents[2]


def _errors(diagnostics: list[Diagnostic], file: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error" and d.file == file]


def test_the_bad_graph_corpus_has_more_than_ten_cases_across_kinds() -> None:
    assert len(CASES) >= 15
    assert {p.parent.name for p in CASES} == {"personas", "objectives", "guardrails"}


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_bad_file_reports_exactly_its_error(path: Path) -> None:
    project = load_project(TREE)
    expected = corpus_header(path)
    file = path.relative_to(TREE).as_posix()

    errors = _errors(project.diagnostics, file)

    assert len(errors) == 1, "\n".join(d.format() for d in errors)
    error = errors[0]
    assert error.line == expected.line, error.format()
    assert error.path == expected.path, error.format()
    assert expected.expect in error.message, error.format()


def test_valid_files_beside_the_bad_ones_have_no_error() -> None:
    project = load_project(TREE)
    for valid in ("personas/valid_user.yaml", "objectives/valid_intake.yaml", "guardrails/valid_rules.yaml"):
        assert _errors(project.diagnostics, valid) == []


def test_files_are_loaded_per_kind_with_folder_qualified_names() -> None:
    project = load_project(TREE)
    assert "objectives/valid_intake" in {f.name for f in project.items("objectives")}
    assert "guardrails/valid_rules" in {f.name for f in project.items("guardrails")}
    assert "valid_user" in {f.name for f in project.personas}


def test_a_reference_resolves_to_what_the_program_substitutes() -> None:
    project = load_project(TREE)
    persona = next(p for p in project.personas if p.name == "valid_user")
    assert ("objectives_id", Ref("ref", "objectives/valid_intake")) in persona.refs
    ids = {"objectives/valid_intake": "o1", "guardrails/valid_rules": "g1"}
    body = substitute(persona.body, lambda ref: ids[ref.key])
    assert body["objectives_id"] == "o1" and body["guardrail_ids"] == ["g1"]


def test_missing_kind_folders_are_fine(tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "a.yaml").write_text("persona_name: A\nsystem_prompt: Hi.\n")
    project = load_project(tmp_path)
    assert project.errors == [] and project.items("objectives") == []


def test_objectives_without_links_run_in_order_and_are_all_reachable(tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "objectives").mkdir()
    (tmp_path / "objectives" / "plain.yaml").write_text(
        "data:\n  - {objective_name: a, objective_prompt: A}\n  - {objective_name: b, objective_prompt: B}\n"
    )
    assert load_project(tmp_path).errors == []


def test_a_cycle_reachable_from_the_first_objective_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "objectives").mkdir()
    (tmp_path / "objectives" / "loop.yaml").write_text(
        "data:\n"
        "  - {objective_name: ask, objective_prompt: A, next_required_objective: check}\n"
        "  - objective_name: check\n    objective_prompt: B\n"
        "    next_conditional_objectives: {ask: if unclear}\n"
    )
    assert load_project(tmp_path).errors == []


def test_the_shipped_project_has_no_errors() -> None:
    assert load_project(REPO).errors == []
