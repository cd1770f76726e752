"""The bad-persona corpus: one small invalid file per validation rule, each yielding exactly its error.

Every file starts with the header of tests/support/corpus.py (`# expect:`, `# path:`, `# line:`),
the same format as the reliability suite's corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.spec import load_persona_text, load_personas
from tests.support.corpus import corpus_header

CORPUS = Path(__file__).parent / "bad_personas"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


RELIABILITY_CORPUS = sorted((CORPUS.parents[1] / "reliability" / "bad_input").glob("*.yaml"))


def test_corpus_covers_at_least_25_rules() -> None:
    assert len(CORPUS_FILES) >= 25


@pytest.mark.parametrize("path", CORPUS_FILES + RELIABILITY_CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_both_corpora_share_one_header_format(path: Path) -> None:
    header = corpus_header(path)  # raises, naming the file and line, on any other format
    assert header.expect


def test_a_header_in_another_format_is_refused(tmp_path: Path) -> None:
    old_style = tmp_path / "old.yaml"
    old_style.write_text("# expect: boom\n# field: persona_name\n# line: 4\npersona_name: x\n")
    with pytest.raises(ValueError, match=r"old.yaml:2: expected `# path: ...`"):
        corpus_header(old_style)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_bad_persona_reports_exactly_its_error(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = corpus_header(path)
    file = f"personas/{path.name}"

    _, diagnostics = load_persona_text(text, file, path.stem)

    errors = [d for d in diagnostics if d.severity == "error"]
    assert len(errors) == 1, "\n".join(d.format() for d in errors)
    error = errors[0]
    assert error.file == file
    assert error.line == expected.line, error.format()
    assert error.path == expected.path, error.format()
    assert expected.expect in error.message, error.format()


def test_whole_corpus_as_a_project_reports_every_file_sorted() -> None:
    _, diagnostics = load_personas(CORPUS.parent, "bad_personas")

    files_with_errors = {d.file for d in diagnostics if d.severity == "error"}
    assert files_with_errors == {f"bad_personas/{p.name}" for p in CORPUS_FILES}
    keys = [(d.file, d.line or 0) for d in diagnostics]
    assert keys == sorted(keys)
