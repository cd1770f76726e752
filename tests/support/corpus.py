"""The header of a bad-input corpus file: one format for both corpora.

tests/unit/bad_personas (checked by the loader and by `validate`) and tests/reliability/bad_input
(checked through a real `pulumi preview`) start every file with exactly these three lines:

    # expect: <a substring of the error message>
    # path: <the dotted field path of the error; empty for the whole file>
    # line: <the 1-based line of the error, or none>
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

KEYS = ("expect", "path", "line")


class CorpusHeader(NamedTuple):
    expect: str
    path: str
    line: int | None


def corpus_header(path: Path) -> CorpusHeader:
    """The header of the corpus file at `path`; ValueError naming the file when it is not the format."""
    lines = path.read_text(encoding="utf-8").splitlines()[: len(KEYS)]
    values = {}
    for number, (key, line) in enumerate(zip(KEYS, lines, strict=False), start=1):
        prefix = f"# {key}:"
        if not line.startswith(prefix):
            raise ValueError(f"{path}:{number}: expected `{prefix} ...` (format: tests/support/corpus.py)")
        values[key] = line.removeprefix(prefix).strip()
    if len(values) < len(KEYS) or not values["expect"]:
        raise ValueError(f"{path}: the header needs `# expect:` (not empty), `# path:` and `# line:`")
    line = values["line"]
    if line != "none" and not line.isdigit():
        raise ValueError(f"{path}:3: `# line:` takes a line number or `none`, not {line!r}")
    return CorpusHeader(values["expect"], values["path"], None if line == "none" else int(line))
