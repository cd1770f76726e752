"""The bad-persona corpus: one small invalid file per validation rule, each yielding exactly its error.

Every file starts with three header comments:
    # expect: <a substring of the error message>
    # path: <the dotted field path, empty for the whole file>
    # line: <the 1-based line, or `none`>
"""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.spec import load_persona_text, load_personas
from tests.corpus import corpus_header

CORPUS = Path(__file__).parent / "bad_personas"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


def test_corpus_covers_at_least_25_rules() -> None:
    assert len(CORPUS_FILES) >= 25
    for path in CORPUS_FILES:
        assert path.read_text(encoding="utf-8").startswith("# expect: "), path.name


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_bad_persona_reports_exactly_its_error(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = corpus_header(text)
    file = f"personas/{path.name}"

    _, diagnostics = load_persona_text(text, file, path.stem)

    errors = [d for d in diagnostics if d.severity == "error"]
    assert len(errors) == 1, "\n".join(d.format() for d in errors)
    error = errors[0]
    assert error.file == file
    assert error.line == (None if expected["line"] == "none" else int(expected["line"])), error.format()
    assert error.path == expected["path"], error.format()
    assert expected["expect"] in error.message, error.format()


def test_whole_corpus_as_a_project_reports_every_file_sorted() -> None:
    _, diagnostics = load_personas(CORPUS.parent, "bad_personas")

    files_with_errors = {d.file for d in diagnostics if d.severity == "error"}
    assert files_with_errors == {f"bad_personas/{p.name}" for p in CORPUS_FILES}
    keys = [(d.file, d.line or 0) for d in diagnostics]
    assert keys == sorted(keys)
