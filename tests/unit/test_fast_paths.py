"""The two fast paths of persona loading agree with the slow paths they shortcut.

- `providers.spec.fast_schema` may only ever call a document valid when jsonschema does
  (a wrong "valid" would hide an error); checked on the bad-persona corpus, the examples,
  the benchmark's personas and thousands of random mutations of them.
- `yaml_nodes` composes well-formed files from libyaml's events: the value, the line of
  every field and the diagnostics must be exactly those of the pure-Python loader.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import providers.spec.yaml_nodes as yaml_nodes
from bench.personas import persona_text
from providers.canonical import json_equal
from providers.spec.fast_schema import compile_schema
from providers.spec.report import FileReport
from providers.spec.schema_check import _validator, persona_schema

REPO = Path(__file__).resolve().parents[2]
CORPUS_FILES = [*(REPO / "tests/unit/bad_personas").glob("*.yaml"), *(REPO / "personas").glob("*.yaml")]
CORPUS_TEXTS = [path.read_text() for path in sorted(CORPUS_FILES)]
_VALUES: list[Any] = [
    True, False, 0, 1, 1.0, 1.5, -3, 2.0, 10**9, "x", "", "low", "off", "echo", "function", None, [], {},
    ["a"], [1], {"secret": "K"}, {"config": "K"}, {"secret": "1bad"}, {"secret": "K", "x": 1}, "pabc123",
]


def _documents() -> list[Any]:
    docs = []
    for text in CORPUS_TEXTS:
        if "*" in text:  # alias bombs: yaml.safe_load would expand them
            continue
        try:
            docs.append(yaml.safe_load(text))
        except yaml.YAMLError:
            continue
    return docs + [yaml.safe_load(persona_text(i)) for i in range(24)]


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    children = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else []
    for key, child in children:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _mutations(doc: Any, rng: random.Random, count: int) -> Iterator[Any]:
    paths = list(_paths(doc))
    for _ in range(count if paths else 0):
        mutated = copy.deepcopy(doc)
        *parents, last = rng.choice(paths)
        target = mutated
        for key in parents:
            target = target[key]
        if isinstance(target, dict) and rng.random() < 0.25:
            del target[last]
        else:
            target[last] = rng.choice(_VALUES)
        yield mutated


def test_fast_schema_never_calls_an_invalid_document_valid() -> None:
    fast = compile_schema(persona_schema())
    assert fast is not None
    rng = random.Random(7)
    docs = _documents()
    checked = valid = 0
    for doc in docs:
        for candidate in [doc, *_mutations(doc, rng, 60)]:
            verdict = fast(candidate)
            assert not verdict or _validator().is_valid(candidate), candidate
            checked, valid = checked + 1, valid + verdict
    assert valid > 100 and checked - valid > 100  # both verdicts were exercised


def test_fast_schema_agrees_on_the_benchmark_personas() -> None:
    fast = compile_schema(persona_schema())
    assert fast is not None
    for index in range(24):
        doc = yaml.safe_load(persona_text(index))
        assert fast(doc) == _validator().is_valid(doc)


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert json_equal(1, 1.0) and json_equal([1, {"a": 2}], [1.0, {"a": 2}])
    assert not json_equal(True, 1) and not json_equal(0, False) and not json_equal("1", 1)


def test_unknown_keyword_disables_the_fast_path() -> None:
    assert compile_schema({"type": "object", "patternProperties": {"^x": {}}}) is None
    assert compile_schema({"dependentRequired": {"a": ["b"]}}) is None


def _parse(text: str, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, FileReport]:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(yaml_nodes, "_fast_parse", lambda _text, _report: yaml_nodes._INVALID)
        report = FileReport("f.yaml")
        return yaml_nodes.parse(text, report), report


@pytest.mark.parametrize(
    "text",
    [
        *CORPUS_TEXTS,
        *(persona_text(i) for i in range(12)),
        "a: &x {b: 1}\nc: *x\n",
        "x: off\ny: yes\nz: 2020-01-01\n",
        "a: 1\na: 2\n",
        "a: [1, 2\n",
        "- 1\n",
        "",
        "a: |\n  two\n  lines\n<<: {b: 1}\n",
        'a: "\\ud83d\\ude00"\n',
    ],
)
def test_libyaml_path_gives_what_the_python_loader_gives(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_value, fast_report = _parse(text, True, monkeypatch)
    slow_value, slow_report = _parse(text, False, monkeypatch)
    assert repr(fast_value) == repr(slow_value)
    assert fast_report.lines == slow_report.lines
    assert fast_report.diagnostics == slow_report.diagnostics


def test_well_formed_files_take_the_libyaml_path() -> None:
    assert yaml_nodes._fast_parse(persona_text(0), FileReport("f.yaml")) is not yaml_nodes._INVALID
    assert yaml_nodes._fast_parse("a: [1, 2\n", FileReport("f.yaml")) is yaml_nodes._INVALID
