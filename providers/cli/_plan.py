"""The steps of a `pulumi preview --json` document, one entry per resource: personas, and the
objectives and guardrails sets they reference.

Kept apart from the Markdown so that the reading of Pulumi's JSON (which ops exist, where the
old and new inputs live) is in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from providers.cli._changes import FieldChange, field_changes, secret_change
from providers.cli._pulumi import resource_name
from providers.facts import kind_of_urn
from providers.kind import Kind

# Pulumi step ops -> what the comment calls them. refresh/read steps only precede the real one.
_OPS = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "same": "unchanged",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "import": "import",
}
_PASSIVE = frozenset({"refresh", "read", "discard"})


@dataclass
class PersonaPlan:
    resource: str
    operation: str
    persona_name: str | None = None
    persona_id: str | None = None
    adopt: str | None = None
    changes: list[FieldChange] = field(default_factory=list)
    folder: str = "personas"  # the kind: personas, objectives, guardrails


def stack_of(document: Mapping[str, Any]) -> str | None:
    for step in document.get("steps") or []:
        urn = str(step.get("urn", ""))
        if urn.startswith("urn:pulumi:"):
            return urn.split(":", 3)[2].split("::", 1)[0]
    return None


def persona_plans(document: Mapping[str, Any]) -> list[PersonaPlan]:
    """One plan per resource of ours (personas, objectives and guardrails sets), sorted by name."""
    last: dict[str, tuple[Mapping[str, Any], Kind]] = {}
    for step in document.get("steps") or []:
        urn = str(step.get("urn", ""))
        kind = kind_of_urn(urn)
        if kind is not None and (step.get("op") not in _PASSIVE or urn not in last):
            last[urn] = (step, kind)
    plans = [_plan(step, kind) for step, kind in last.values()]
    return sorted(plans, key=lambda p: p.resource)


def _plan(step: Mapping[str, Any], kind: Kind) -> PersonaPlan:
    op = str(step.get("op"))
    old_state = step.get("oldState") or {}
    new_state = step.get("newState") or {}
    old_inputs = old_state.get("inputs") or {}
    new_inputs = new_state.get("inputs") or {}
    operation = "unchanged" if op in _PASSIVE else _OPS.get(op, op)
    title = kind.title_field
    plan = PersonaPlan(
        resource=resource_name(str(step["urn"])),
        operation=operation,
        persona_name=new_inputs.get(title) or old_inputs.get(title),
        persona_id=old_state.get("id") or None,
        adopt=new_inputs.get(kind.adopt_input) if operation == "create" else None,
        folder=kind.folder,
    )
    if operation in ("create", "update", "replace"):
        before = kind.body_of(old_inputs) if operation != "create" else {}
        plan.changes = _changes(step, before, kind.body_of(new_inputs), kind.keyed_lists)
    return plan


def _changes(
    step: Mapping[str, Any],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    keyed_lists: Mapping[str, str] | None = None,
) -> list[FieldChange]:
    changes = field_changes(old, new, keyed_lists)
    # Both sides of a rotated key read "[secret]": only detailedDiff knows that it changed.
    shown = {c.path for c in changes}
    for path in sorted((step.get("detailedDiff") or {}).keys()):
        if path not in shown and not any(path.startswith(f"{s}.") for s in shown) and _is_masked(new, path):
            changes.append(secret_change(path))
    return sorted(changes, key=lambda c: c.path)


def _is_masked(body: Mapping[str, Any], dotted: str) -> bool:
    node: Any = body
    for key in dotted.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return bool(node == "[secret]")


def counts(plans: list[PersonaPlan]) -> dict[str, int]:
    result = {"create": 0, "update": 0, "replace": 0, "delete": 0, "unchanged": 0}
    for plan in plans:
        result[plan.operation] = result.get(plan.operation, 0) + 1
    return result
