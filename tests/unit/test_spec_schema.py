"""The checked-in JSON Schema: valid draft 2020-12, usable by editors, consistent with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from providers.spec import SCHEMA_FILE, load_personas, persona_schema

REPO = Path(__file__).resolve().parents[2]


def _errors(instance: Any) -> list[str]:
    return [e.message for e in Draft202012Validator(persona_schema()).iter_errors(instance)]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA_FILE == REPO / "providers" / "schema" / "persona.schema.json"


def test_example_personas_point_editors_at_the_schema() -> None:
    for path in sorted((REPO / "personas").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../providers/schema/persona.schema.json", path.name


def test_schema_accepts_the_example_files_as_written() -> None:
    files, _ = load_personas(REPO)
    for persona in files:
        as_written = json.loads(json.dumps(persona.body, default=lambda ref: {ref.kind: ref.key}))
        assert _errors(as_written) == [], persona.file


@pytest.mark.parametrize("value", [{"secret": "openaiApiKey"}, {"config": "replica.id-2:x"}])
def test_references_are_allowed_at_value_positions(value: dict[str, str]) -> None:
    body = {
        "persona_name": value,
        "system_prompt": value,
        "pipeline_mode": value,
        "document_ids": ["a", value],
        "layers": {"stt": {"smart_turn_detection": value}, "perception": {"perception_model": value}},
    }
    assert _errors(body) == []


def test_unknown_fields_are_allowed_where_they_pass_through() -> None:
    body = {
        "persona_name": "x",
        "system_prompt": "y",
        "new_field": 1,
        "layers": {"new_layer": {}, "llm": {"x": 1}},
    }
    assert _errors(body) == []


def test_secret_paths_only_take_secret_references() -> None:
    for bad in ("sk-123", {"config": "key"}):
        body = {"persona_name": "x", "system_prompt": "y", "layers": {"llm": {"api_key": bad}}}
        assert _errors(body), bad


def test_options_are_closed() -> None:
    base = {"persona_name": "x", "system_prompt": "y"}
    assert _errors({**base, "pulumi": {"protect": True, "retain_on_delete": False, "adopt": "pab12"}}) == []
    assert _errors({**base, "pulumi": {"protected": True}})
    assert _errors({**base, "pulumi": {"adopt": "xyz"}})
