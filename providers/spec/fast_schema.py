"""A fast yes/no check of the persona schema, so that valid files skip jsonschema.

jsonschema is most of the cost of loading a valid persona file and of the provider's
`check` (about 2 ms a file: 500 personas add seconds to every preview, and `check`
runs one resource at a time). This module compiles the schema once into plain Python
predicates that answer only "valid?". When the answer is no, the caller runs jsonschema
as before for the messages, so only the verdict on valid documents comes from here.

It must never call an invalid document valid: it implements exactly the keywords the
schema uses, with JSON Schema's semantics (true is not 1, 1.0 is an integer), and
refuses to compile at all (`compile_schema` returns None: every document takes the
jsonschema path) when the schema uses a keyword it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# JSON equality is also what JSON Schema's `enum` and `const` compare with (booleans are not numbers).
from providers.canonical import json_equal

Check = Callable[[Any], bool]

# Keywords with no effect on validity.
_ANNOTATIONS = frozenset(
    {"$id", "$schema", "$defs", "$comment", "title", "description", "default", "examples", "x-hint",
     "x-unknown-fields"}
)
_TYPES: Mapping[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, Mapping),
}


class _Unsupported(Exception):
    """The schema uses something this module does not implement."""


def compile_schema(schema: Mapping[str, Any]) -> Check | None:
    """A predicate equivalent to `jsonschema`'s is_valid for this schema, or None if unsupported."""
    try:
        return _Compiler(schema).compile(schema)
    except _Unsupported:
        return None


class _Compiler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self._defs: Mapping[str, Any] = root.get("$defs", {})
        self._compiled: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda _v: True
        if schema is False:
            return lambda _v: False
        if not isinstance(schema, Mapping):
            raise _Unsupported(repr(schema))
        checks = [self._keyword(key, value, schema) for key, value in schema.items()]
        parts = [check for check in checks if check is not None]
        return lambda v: all(check(v) for check in parts)

    def _ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/") or ref[8:] not in self._defs:
            raise _Unsupported(f"$ref {ref!r}")
        name = ref[8:]
        if name not in self._compiled:
            # Recursive definitions resolve lazily through this table.
            self._compiled[name] = lambda v: self._compiled[name](v)
            self._compiled[name] = self.compile(self._defs[name])
        return lambda v: self._compiled[name](v)

    def _keyword(self, key: str, value: Any, schema: Mapping[str, Any]) -> Check | None:
        if key in _ANNOTATIONS or key in ("then", "else"):
            return None  # `then`/`else` are compiled with `if`
        builder = getattr(self, "_kw_" + key.replace("$", "dollar_"), None)
        if builder is None:
            raise _Unsupported(key)
        check: Check = builder(value, schema)
        return check

    def _kw_dollar_ref(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return self._ref(value)

    def _kw_type(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        names = value if isinstance(value, list) else [value]
        if not all(name in _TYPES for name in names):
            raise _Unsupported(f"type {value!r}")
        checks = [_TYPES[name] for name in names]
        return lambda v: any(check(v) for check in checks)

    def _kw_enum(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: any(json_equal(v, option) for option in value)

    def _kw_const(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: json_equal(v, value)

    def _kw_anyOf(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        branches = [self.compile(branch) for branch in value]
        return lambda v: any(branch(v) for branch in branches)

    def _kw_if(self, value: Any, schema: Mapping[str, Any]) -> Check:
        condition = self.compile(value)
        then, otherwise = self.compile(schema.get("then", True)), self.compile(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)

    def _kw_properties(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        checks = {name: self.compile(sub) for name, sub in value.items()}
        return lambda v: not isinstance(v, Mapping) or all(
            checks[k](item) for k, item in v.items() if k in checks
        )

    def _kw_additionalProperties(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise _Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        check = self.compile(value)
        return lambda v: not isinstance(v, Mapping) or all(
            check(item) for k, item in v.items() if k not in known
        )

    def _kw_required(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, Mapping) or all(name in v for name in value)

    def _kw_minProperties(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, Mapping) or len(v) >= value

    def _kw_maxProperties(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, Mapping) or len(v) <= value

    def _kw_items(self, value: Any, schema: Mapping[str, Any]) -> Check:
        if "prefixItems" in schema:
            raise _Unsupported("prefixItems")
        check = self.compile(value)
        return lambda v: not isinstance(v, list) or all(check(item) for item in v)

    def _kw_maxItems(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, list) or len(v) <= value

    def _kw_minLength(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= value

    def _kw_pattern(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        regex = re.compile(value)
        return lambda v: not isinstance(v, str) or regex.search(v) is not None

    def _kw_minimum(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not _TYPES["number"](v) or v >= value

    def _kw_maximum(self, value: Any, _schema: Mapping[str, Any]) -> Check:
        return lambda v: not _TYPES["number"](v) or v <= value
