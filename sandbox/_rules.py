"""Server-side validation and defaults of objectives, guardrails and pronunciation dictionaries.

Pure functions over plain JSON values. A validator returns the 400 error text, or None when the
document is valid; it sees the whole stored document (server fields included) and ignores them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

CONFIRMATION_MODES = ("auto", "manual")
MODALITIES = ("verbal", "visual")
RULE_TYPES = ("alias", "ipa")
RULE_KEYS = ("text", "pronunciation", "type")
GUARDRAIL_NAME = re.compile(r"^[A-Za-z0-9_]+$")
OBJECTIVE_DEFAULTS: Mapping[str, Any] = {"confirmation_mode": "auto", "modality": "verbal"}
GUARDRAIL_DEFAULTS: Mapping[str, Any] = {"modality": "verbal"}


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _optional_str(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        return f"{where}.{key} must be a string"
    return None


def _enum(item: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str) -> str | None:
    value = item.get(key)
    if value is not None and value not in allowed:
        return f"{where}.{key} must be one of {', '.join(allowed)}; got {value!r}"
    return None


def _data(doc: Mapping[str, Any], entry: str) -> list[Any] | str:
    data = doc.get("data")
    if not isinstance(data, list) or not data:
        return f"data must be a non-empty list of {entry}s"
    bad = [i for i, item in enumerate(data) if not isinstance(item, dict)]
    if bad:
        return f"data[{bad[0]}] must be an object"
    return data


def _unique_names(data: list[dict[str, Any]], key: str) -> str | None:
    seen: set[str] = set()
    for index, item in enumerate(data):
        name = item[key]
        if name in seen:
            return f"data[{index}].{key} {name!r} is used twice; names must be unique within a set"
        seen.add(name)
    return None


def _first(*problems: str | None) -> str | None:
    return next((p for p in problems if p is not None), None)


# -- objectives -------------------------------------------------------------------------------


def _objective(item: Mapping[str, Any], where: str) -> str | None:
    name = item.get("objective_name")
    if not isinstance(name, str) or not _text(name):
        return f"{where}.objective_name is required"
    if any(ch.isspace() for ch in name):
        return f"{where}.objective_name must not contain whitespace: {name!r} (use e.g. snake_case)"
    if not _text(item.get("objective_prompt")):
        return f"{where}.objective_prompt is required"
    variables = item.get("output_variables")
    if variables is not None and not (
        isinstance(variables, list) and all(isinstance(v, str) for v in variables)
    ):
        return f"{where}.output_variables must be a list of strings"
    conditional = item.get("next_conditional_objectives")
    if conditional is not None and not (
        isinstance(conditional, dict) and all(isinstance(v, str) for v in conditional.values())
    ):
        return f"{where}.next_conditional_objectives must map objective names to condition strings"
    return _first(
        _enum(item, "confirmation_mode", CONFIRMATION_MODES, where),
        _enum(item, "modality", MODALITIES, where),
        _optional_str(item, "next_required_objective", where),
        _optional_str(item, "callback_url", where),
    )


def _next_names(data: list[dict[str, Any]]) -> str | None:
    names = {item["objective_name"] for item in data}
    for index, item in enumerate(data):
        targets = list(item.get("next_conditional_objectives") or {})
        if item.get("next_required_objective") is not None:
            targets.append(item["next_required_objective"])
        unknown = [t for t in targets if t not in names]
        if unknown:
            return f"data[{index}] names an unknown next objective {unknown[0]!r}; known: {sorted(names)}"
    return None


def validate_objectives(doc: Mapping[str, Any]) -> str | None:
    name = _optional_str(doc, "name", "objectives")
    data = _data(doc, "objective")
    if isinstance(data, str):
        return _first(name, data)
    for index, item in enumerate(data):
        problem = _objective(item, f"data[{index}]")
        if problem is not None:
            return problem
    return _first(name, _unique_names(data, "objective_name"), _next_names(data))


def fill_objectives(doc: Mapping[str, Any]) -> dict[str, Any]:
    return _fill_data(doc, OBJECTIVE_DEFAULTS)


# -- guardrails -------------------------------------------------------------------------------


def _guardrail(item: Mapping[str, Any], where: str) -> str | None:
    name = item.get("guardrail_name")
    if not isinstance(name, str) or not _text(name):
        return f"{where}.guardrail_name is required"
    if not GUARDRAIL_NAME.match(name):
        return f"{where}.guardrail_name may hold only letters, digits and underscores: {name!r}"
    if not _text(item.get("guardrail_prompt")):
        return f"{where}.guardrail_prompt is required"
    return _first(_enum(item, "modality", MODALITIES, where), _optional_str(item, "callback_url", where))


def validate_guardrails(doc: Mapping[str, Any]) -> str | None:
    if not _text(doc.get("name")):
        return "name is required"
    data = _data(doc, "guardrail")
    if isinstance(data, str):
        return data
    for index, item in enumerate(data):
        problem = _guardrail(item, f"data[{index}]")
        if problem is not None:
            return problem
    return _unique_names(data, "guardrail_name")


def fill_guardrails(doc: Mapping[str, Any]) -> dict[str, Any]:
    return _fill_data(doc, GUARDRAIL_DEFAULTS)


def _fill_data(doc: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with each entry of `data` given the server defaults it lacks (or holds as null)."""
    out = copy.deepcopy(dict(doc))
    for item in out.get("data") or []:
        if isinstance(item, dict):
            for key, value in defaults.items():
                if item.get(key) is None:
                    item[key] = value
    return out


# -- pronunciation dictionaries ---------------------------------------------------------------


def _rule(rule: Any, where: str) -> str | None:
    if not isinstance(rule, dict):
        return f"{where} must be an object with text, pronunciation and type"
    unknown = sorted(set(rule) - set(RULE_KEYS))
    if unknown:
        return f"{where}: unknown key(s) {unknown}; a rule has {', '.join(RULE_KEYS)}"
    for key in ("text", "pronunciation"):
        if not _text(rule.get(key)):
            return f"{where}.{key} is required"
    if rule.get("type") not in RULE_TYPES:
        return f"{where}.type must be one of {', '.join(RULE_TYPES)}; got {rule.get('type')!r}"
    return None


def validate_dictionary(doc: Mapping[str, Any]) -> str | None:
    if not _text(doc.get("name")):
        return "name is required"
    rules = doc.get("rules")
    if not isinstance(rules, list):
        return "rules must be a list of {text, pronunciation, type} objects"
    for index, rule in enumerate(rules):
        problem = _rule(rule, f"rules[{index}]")
        if problem is not None:
            return problem
    return None


def fill_dictionary(doc: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(doc))
