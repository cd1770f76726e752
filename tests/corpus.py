"""The header of a bad-input corpus file, shared by every suite that reads a corpus.

Each corpus file starts with up to three comment lines naming what the refusal must say:

    # expect: <a substring of the error message>
    # path: <the field path, dotted>
    # line: <the line number, or none>
"""

from __future__ import annotations


def corpus_header(text: str) -> dict[str, str]:
    header = {}
    for line in text.splitlines()[:3]:
        key, _, value = line.removeprefix("# ").partition(":")
        header[key] = value.strip()
    return header


# The valid files of tests/bad_graph/ (a project shared by the unit and CLI suites): no diagnostic.
VALID_GRAPH_FILES = (
    "personas/valid_user.yaml",
    "objectives/valid_intake.yaml",
    "guardrails/valid_rules.yaml",
    "documents/valid_guide.yaml",
    "documents/valid_site.yaml",
    "dictionaries/valid_brands.yaml",
)
