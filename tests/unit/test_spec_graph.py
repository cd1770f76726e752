"""The persona's graph offline: objectives, guardrails, documents and dictionaries files, `{ref:}`
references between files, `document_tags` against the documents' tags.

tests/bad_graph/ is a project whose every file with a `# expect:` header yields exactly that error
(file, line, path, message); the files without one are valid and yield none. The same tree is
previewed through the real CLI in tests/reliability/test_bad_input.py (zero API calls).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.facts import KINDS
from providers.spec import Ref, load_project, substitute, tagged_documents
from providers.spec.model import Diagnostic
from tests.support.corpus import VALID_GRAPH_FILES, corpus_header

TREE = Path(__file__).resolve().parents[1] / "bad_graph"
CASES = sorted(p for p in TREE.rglob("*.yaml") if p.read_text(encoding="utf-8").startswith("# expect: "))
REPO = Path(__file__).resolve().parents[2]


def _errors(diagnostics: list[Diagnostic], file: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error" and d.file == file]


def test_the_bad_graph_corpus_has_more_than_ten_cases_across_kinds() -> None:
    assert len(CASES) >= 15
    assert {p.parent.name for p in CASES} == {"personas", *KINDS}
    assert len([p for p in CASES if p.parent.name in ("documents", "dictionaries")]) >= 10


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
    for valid in VALID_GRAPH_FILES:
        assert [d for d in project.diagnostics if d.file == valid] == []  # no warning either


def test_files_are_loaded_per_kind_with_folder_qualified_names() -> None:
    project = load_project(TREE)
    assert "objectives/valid_intake" in {f.name for f in project.items("objectives")}
    assert "guardrails/valid_rules" in {f.name for f in project.items("guardrails")}
    assert "valid_user" in {f.name for f in project.personas}


def test_a_reference_resolves_to_what_the_program_substitutes() -> None:
    project = load_project(TREE)
    persona = next(p for p in project.personas if p.name == "valid_user")
    assert ("objectives_id", Ref("ref", "objectives/valid_intake")) in persona.refs
    ids = {"objectives/valid_intake": "o1", "guardrails/valid_rules": "g1", "documents/valid_guide": "d1",
           "documents/valid_site": "d2", "dictionaries/valid_brands": "pd_1"}
    body = substitute(persona.body, lambda ref: ids[ref.key])
    assert body["objectives_id"] == "o1" and body["guardrail_ids"] == ["g1"]
    assert body["document_ids"] == ["d1", "d2"]
    assert body["layers"]["tts"]["pronunciation_dictionary_id"] == "pd_1"


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


def _knowledge_project(tmp_path: Path, persona_tags: str) -> list[Diagnostic]:
    (tmp_path / "personas").mkdir()
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "faq.yaml").write_text(
        "document_url: https://example.com/faq.pdf\ntags: [faq, billing]\n"
    )
    (tmp_path / "personas" / "a.yaml").write_text(
        f"persona_name: A\nsystem_prompt: Hi.\ndocument_tags: {persona_tags}\n"
    )
    return load_project(tmp_path).diagnostics


def test_a_document_tag_no_document_file_carries_is_a_warning_with_a_guess(tmp_path: Path) -> None:
    [warning] = _knowledge_project(tmp_path, "[faq, biling]")
    assert (warning.severity, warning.file, warning.line, warning.path) == (
        "warning", "personas/a.yaml", 3, "document_tags[1]")
    assert "no file under documents/ has the tag `biling`: did you mean `billing`?" in warning.message


def test_document_tags_carried_by_a_document_file_are_fine(tmp_path: Path) -> None:
    assert _knowledge_project(tmp_path, "[billing, faq]") == []


def test_a_crawl_url_is_a_web_page_and_its_extension_is_not_checked(tmp_path: Path) -> None:
    (tmp_path / "personas").mkdir()
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "site.yaml").write_text(
        "document_url: https://example.com/help/index.html\ncrawl: {depth: 1}\n"
    )
    (tmp_path / "documents" / "plain.yaml").write_text("document_url: https://example.com/download?id=7\n")
    assert load_project(tmp_path).errors == []


def test_a_persona_depends_on_the_document_files_carrying_its_tags(tmp_path: Path) -> None:
    _knowledge_project(tmp_path, "[billing]")
    (tmp_path / "documents" / "other.yaml").write_text("document_url: https://example.com/o.pdf\ntags: [x]\n")
    project = load_project(tmp_path)
    assert tagged_documents(project, project.personas[0]) == ["documents/faq"]
