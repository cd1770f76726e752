"""The drift report: its three sections, and its text, Markdown and JSON renderings.

JSON schema (`schema: tavus-personas.drift/v1`, documented in docs/gitops.md):
    {"schema", "stack", "drift": bool, "checked": int,
     "managed":   [{"resource", "kind", "persona_id", "persona_name", "changes": [CHANGE]}],
     "deleted":   [{"resource", "kind", "persona_id", "persona_name"}],
     "unmanaged": [{"resource", "kind", "persona_id", "persona_name", "changes": [CHANGE]}]}
    `kind` is persona, objectives or guardrails; for the latter two `persona_id` holds the set's id
    (objectives_id / guardrails_id) and `persona_name` its `name`.
    CHANGE = {"path", "kind": add|remove|update, "secret": false, "old", "new"}
           | {"path", "kind", "secret": true, "old_fingerprint", "new_fingerprint"}
Lists are sorted by resource, changes by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from providers.cli._changes import FieldChange, markdown_changes, text_changes

SCHEMA = "tavus-personas.drift/v1"

_HEADINGS = {
    "managed": "Managed fields changed outside Pulumi (`pulumi up` reverts them)",
    "deleted": "Deleted outside Pulumi (`pulumi up` recreates them)",
    "unmanaged": (
        "Fields the files do not set, changed outside Pulumi "
        "(`pulumi up` leaves them alone; add them to the file to manage them)"
    ),
}


@dataclass
class PersonaDrift:
    resource: str
    persona_id: str
    persona_name: str | None
    changes: list[FieldChange] = field(default_factory=list)
    kind: str = "persona"

    def as_json(self, with_changes: bool = True) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "resource": self.resource,
            "kind": self.kind,
            "persona_id": self.persona_id,
            "persona_name": self.persona_name,
        }
        if with_changes:
            entry["changes"] = [c.as_json() for c in self.changes]
        return entry

    @property
    def title(self) -> str:
        name = f"{self.persona_name}, " if self.persona_name else ""
        return f"{self.resource} ({name}{self.persona_id})"


@dataclass
class DriftReport:
    stack: str
    checked: int = 0
    managed: list[PersonaDrift] = field(default_factory=list)
    deleted: list[PersonaDrift] = field(default_factory=list)
    unmanaged: list[PersonaDrift] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.managed or self.deleted or self.unmanaged)

    def sections(self) -> list[tuple[str, list[PersonaDrift]]]:
        named = (("managed", self.managed), ("deleted", self.deleted), ("unmanaged", self.unmanaged))
        return [(key, sorted(entries, key=lambda p: p.resource)) for key, entries in named]

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "stack": self.stack,
            "drift": self.drifted,
            "checked": self.checked,
        }
        for key, entries in self.sections():
            document[key] = [p.as_json(with_changes=key != "deleted") for p in entries]
        return document

    def summary(self) -> str:
        if not self.drifted:
            return f"no drift in stack {self.stack} ({self.checked} resource(s) checked)"
        return (
            f"drift in stack {self.stack}: {len(self.managed)} resource(s) with managed-field drift, "
            f"{len(self.deleted)} deleted out of band, {len(self.unmanaged)} with unmanaged-field changes "
            f"({self.checked} checked)"
        )

    def text(self) -> str:
        lines = [self.summary()]
        for key, entries in self.sections():
            if entries:
                lines += ["", f"{_HEADINGS[key]}:"]
                for persona in entries:
                    lines.append(f"  {persona.title}")
                    lines += text_changes(persona.changes)
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        icon = "⚠️ " if self.drifted else "✅ "
        lines = [f"## {icon}Tavus personas drift: stack `{self.stack}`", "", self.summary()]
        for key, entries in self.sections():
            if entries:
                lines += ["", f"### {_HEADINGS[key]}", ""]
                for persona in entries:
                    name, ident = persona.persona_name, persona.persona_id
                    lines.append(f"#### `{persona.resource}` — {name} (`{ident}`)")
                    if persona.changes:
                        lines += ["", *markdown_changes(persona.changes)]
                    lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"
