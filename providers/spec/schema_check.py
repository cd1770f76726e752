"""Type, enum and unknown-field checks driven by the JSON Schemas in providers/schema/.

Every function takes the schema's file name (`persona.schema.json` by default; one per kind).

jsonschema finds type and enum errors; this module turns them into messages a person can act on.
The same schema lists the known fields of every object, which drives the unknown-field rule:
a near miss of a known field is an error ("did you mean"), anything else a warning, because
unknown fields pass through to Tavus (a field Tavus adds next month must not block a deploy).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from providers.spec.fast_schema import Check, compile_schema
from providers.spec.model import FieldPath, Ref
from providers.spec.report import FileReport

if TYPE_CHECKING:  # imported when first needed: valid files never need jsonschema (~80 ms to import)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR: Final = Path(__file__).resolve().parent.parent / "schema"
PERSONA_SCHEMA: Final = "persona.schema.json"
SCHEMA_FILE: Final = SCHEMA_DIR / PERSONA_SCHEMA
_REF_BRANCH: Final = {"$ref": "#/$defs/ref"}
# Generic "missing field" messages, with what to write.
_MISSING_HINTS: Final[Mapping[str, str]] = {
    "persona_name": "add `persona_name: <display name>`",
    "system_prompt": "add `system_prompt: ...` (required unless `pipeline_mode: echo`)",
    "type": "add `type: function`",
    "function": "add `function: {name: ..., description: ..., parameters: {...}}`",
    "name": "add `name: <tool name>`",
}
_TYPE_WORDS: Final[Mapping[str, str]] = {
    "string": "a string",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


@functools.cache
def load_schema(name: str = PERSONA_SCHEMA) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


def persona_schema() -> dict[str, Any]:
    return load_schema(PERSONA_SCHEMA)


@functools.cache
def _validator(name: str = PERSONA_SCHEMA) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(name))


@functools.cache
def _fast_is_valid(name: str) -> Check | None:
    return compile_schema(load_schema(name))


def near_miss(word: str, candidates: Iterable[str], cutoff: float = 0.8) -> str | None:
    """The candidate `word` is most likely a typo of, ignoring case and `-` vs `_`."""
    normal = {c.lower().replace("-", "_"): c for c in candidates}
    wanted = word.lower().replace("-", "_")
    if wanted in normal:
        return normal[wanted]
    matches = difflib.get_close_matches(wanted, list(normal), n=1, cutoff=cutoff)
    return normal[matches[0]] if matches else None


# --------------------------------------------------------------------------------------------------
# types and enums


def check_types(document: Mapping[str, Any], report: FileReport, schema: str = PERSONA_SCHEMA) -> None:
    """Report schema violations of `document` (the whole file, `pulumi:` options included)."""
    instance = _as_json(document)
    fast = _fast_is_valid(schema)
    if fast is not None and fast(instance):  # valid: jsonschema would find nothing (fast_schema.py)
        return
    for error in _validator(schema).iter_errors(instance):
        for leaf in _leaf_errors(error, schema):
            for path, message in _translate(leaf):
                if not report.is_claimed(path):
                    report.error(path, message)


def _as_json(value: Any) -> Any:
    """The file as the schema sees it: a Ref is the `{secret: KEY}` mapping it was written as."""
    if isinstance(value, Ref):
        return {value.kind: value.key}
    if isinstance(value, Mapping):
        return {key: _as_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return value


def _leaf_errors(error: ValidationError, schema: str) -> list[ValidationError]:
    """For "value or reference" (anyOf), the errors of the value branch: a reference was not meant."""
    if error.validator != "anyOf" or not error.context:
        return [error]
    branches: list[Any] = _validator_value(error)
    ref_branches = {i for i, branch in enumerate(branches) if branch == _REF_BRANCH}
    chosen = [e for e in error.context if e.relative_schema_path[0] not in ref_branches]
    return [leaf for e in chosen for leaf in _leaf_errors(e, schema)] or [error]


def _translate(error: ValidationError) -> list[tuple[FieldPath, str]]:
    path: FieldPath = tuple(error.absolute_path)
    kind = error.validator
    if kind == "required":
        instance: Any = error.instance
        missing = [f for f in _validator_value(error) if f not in instance]
        return [((*path, f), f"missing: {_missing_hint(error, f)}") for f in missing]
    if kind in ("additionalProperties", "minProperties", "maxProperties"):
        return []  # unknown keys and reference shapes have their own, more precise checks
    return [(path, _message(error))]


def _missing_hint(error: ValidationError, field: str) -> str:
    """The schema's own `x-missing` for the field, else the shared hints."""
    schema: Any = error.schema
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    own = properties.get(field, {}).get("x-missing")
    return str(own) if own else _MISSING_HINTS.get(field, f"add `{field}`")


def _message(error: ValidationError) -> str:
    value: Any = error.instance
    kind, expected = error.validator, _validator_value(error)
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    if kind == "type":
        return _type_message(value, expected if isinstance(expected, list) else [expected])
    if kind == "enum":
        return _enum_message(value, list(expected))
    if kind == "const":
        return f"must be `{expected}`, not {_describe(value)}"
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        return f"must be between {low} and {high}, not {value}"
    if kind == "pattern":
        hint = schema.get("x-hint", f"it must match `{expected}`")
        return f"{_describe(value)} is not valid: {hint}"
    if kind == "minLength":
        return "must not be empty"
    if kind == "minItems":
        return f"must have at least {expected} item(s)"
    if kind == "maxItems":
        return f"has {len(value)} items; at most {expected} are allowed"
    return str(error.message)


def _type_message(value: Any, types: list[str]) -> str:
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
    if value is None:
        return f"has no value: write {words}, or remove the key"
    quoted = "boolean" in types and isinstance(value, str)
    hint = " (write it unquoted: YAML booleans are true and false)" if quoted else ""
    return f"must be {words}, not {_describe(value)}{hint}"


def _validator_value(error: ValidationError) -> Any:
    value: Any = error.validator_value  # typed loosely by jsonschema; set for every real error
    return value


def _enum_message(value: Any, allowed: list[Any]) -> str:
    choices = ", ".join(str(a) for a in allowed)
    guess = near_miss(value, [str(a) for a in allowed], cutoff=0.6) if isinstance(value, str) else None
    hint = f"; did you mean `{guess}`?" if guess else ""
    return f"{_describe(value)} is not allowed; use one of: {choices}{hint}"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in ("secret", "config", "ref"):
        return f"a {{{next(iter(value))}: ...}} reference"
    if isinstance(value, Mapping):
        return "a mapping"
    return repr(value)


# --------------------------------------------------------------------------------------------------
# unknown fields


def check_fields(document: Mapping[str, Any], report: FileReport, schema: str = PERSONA_SCHEMA) -> None:
    """Unknown keys at every level of a known object: near miss -> error, otherwise warning."""
    _Walk(load_schema(schema), report).object(document, load_schema(schema), ())


class _Walk:
    def __init__(self, root: Mapping[str, Any], report: FileReport) -> None:
        self.root = root
        self.report = report

    def object(self, value: Mapping[str, Any], schema: Mapping[str, Any], path: FieldPath) -> None:
        _walk_object(value, schema, path, self)

    def value(self, value: Any, schema: Mapping[str, Any] | None, path: FieldPath) -> None:
        _walk_value(value, schema, path, self)

    def structure(self, schema: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return _structure(schema, self.root)


def _walk_object(value: Mapping[str, Any], schema: Mapping[str, Any], path: FieldPath, walk: _Walk) -> None:
    report = walk.report
    known: Mapping[str, Any] = schema.get("properties", {})
    for key, child in value.items():
        here = (*path, key)
        if key in known:
            walk.value(child, walk.structure(known[key]), here)
        elif schema.get("additionalProperties") is False:
            report.error(here, _closed_message(key, list(known)))
        elif (guess := near_miss(key, list(known))) is not None:
            if guess not in value:
                report.claim((*path, guess))  # no second error saying that `guess` is missing
            report.error(
                here,
                f"unknown field `{key}`; did you mean `{guess}`? Rename it "
                "(an unknown field would be sent to Tavus as is and silently ignored)",
            )
        elif schema.get("x-unknown-fields") != "allow":
            report.warning(
                here,
                f"unknown field `{key}` is passed to Tavus unchanged; fine if Tavus added it recently, "
                "otherwise check the spelling",
            )


def _walk_value(value: Any, schema: Mapping[str, Any] | None, path: FieldPath, walk: _Walk) -> None:
    if schema is None:
        return
    if isinstance(value, Mapping) and "properties" in schema:
        walk.object(value, schema, path)
    elif isinstance(value, list) and "items" in schema:
        items = walk.structure(schema["items"])
        for index, item in enumerate(value):
            walk.value(item, items, (*path, index))


def _closed_message(key: str, allowed: list[str]) -> str:
    guess = near_miss(key, allowed, cutoff=0.6)
    hint = f"did you mean `{guess}`? " if guess else ""
    return f"unknown option `{key}`; {hint}allowed here: {', '.join(allowed)}"


def _structure(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The object or array schema behind `$ref`s and "value or reference" anyOfs, if any."""
    resolved = _resolve(schema, root)
    if "properties" in resolved or "items" in resolved:
        return resolved
    for branch in resolved.get("anyOf", []):
        if branch != _REF_BRANCH:
            found = _structure(branch, root)
            if found is not None:
                return found
    return None


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        schema = root["$defs"][name]
    return schema
