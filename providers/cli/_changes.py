"""Field-level changes between two persona bodies, rendered without ever showing a secret.

Shared by `pr-comment` (plan: last applied inputs -> planned inputs) and `drift` (state ->
live). A secret-bearing path (providers.canonical.is_secret_path), or a value Pulumi already
masked as "[secret]", is reported as "changed" only; callers may attach fingerprints.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from providers.canonical import is_secret_path, json_equal, lined_up

PULUMI_SECRET = "[secret]"
LONG_TEXT = 80  # characters; longer (or multi-line) strings are shown as unified diffs
Kind = Literal["add", "remove", "update"]


@dataclass(frozen=True)
class FieldChange:
    path: str
    kind: Kind
    old: Any = None
    new: Any = None
    secret: bool = False
    old_fingerprint: str | None = None
    new_fingerprint: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stable JSON form: secrets carry fingerprints, never values."""
        entry: dict[str, Any] = {"path": self.path, "kind": self.kind, "secret": self.secret}
        if self.secret:
            entry["old_fingerprint"] = self.old_fingerprint
            entry["new_fingerprint"] = self.new_fingerprint
        else:
            entry["old"] = self.old
            entry["new"] = self.new
        return entry


_ABSENT = object()


def field_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], keyed_lists: Mapping[str, str] | None = None
) -> list[FieldChange]:
    """Leaf changes from `old` to `new`, sorted by path; dicts recurse, lists compare whole, except
    a top-level list of named items (`keyed_lists`, e.g. objectives' `data`) whose items line up:
    its items are compared one by one (`data[2].objective_prompt`), as the provider patches them."""
    changes: list[FieldChange] = []
    old, new = dict(old), dict(new)
    for key, name_field in (keyed_lists or {}).items():
        if key in old and key in new and lined_up(old[key], new[key], name_field):
            for index, (before, after) in enumerate(zip(old.pop(key), new.pop(key), strict=True)):
                changes += _walk(before, after, (f"{key}[{index}]",))
    changes += _walk(old, new, ())
    return sorted(changes, key=lambda c: c.path)


def _walk(old: Any, new: Any, path: tuple[str, ...]) -> Iterable[FieldChange]:
    # An object added or removed whole is reported leaf by leaf, like an edited one.
    old_map, new_map = isinstance(old, Mapping), isinstance(new, Mapping)
    if (old_map or new_map) and (old_map or old is _ABSENT) and (new_map or new is _ABSENT):
        before = old if old_map else {}
        after = new if new_map else {}
        for key in sorted(set(before) | set(after)):
            yield from _walk(before.get(key, _ABSENT), after.get(key, _ABSENT), (*path, str(key)))
        return
    if json_equal(old, new):  # as JSON: 1 and 1.0 are equal, true and 1 are not
        return
    kind: Kind = "add" if old is _ABSENT else "remove" if new is _ABSENT else "update"
    secret = is_secret_path(path) or PULUMI_SECRET in (old, new)
    yield FieldChange(
        path=".".join(path),
        kind=kind,
        old=None if secret or old is _ABSENT else old,
        new=None if secret or new is _ABSENT else new,
        secret=secret,
    )


def secret_change(path: str, kind: Kind = "update") -> FieldChange:
    return FieldChange(path=path, kind=kind, secret=True)


def is_long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


def short(value: Any) -> str:
    """A one-line rendering of a (non-secret) value."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def unified(old: Any, new: Any, path: str) -> str:
    """A unified diff of two texts (either may be absent), without a trailing newline."""
    before = old.splitlines() if isinstance(old, str) else []
    after = new.splitlines() if isinstance(new, str) else []
    lines = difflib.unified_diff(before, after, f"a/{path}", f"b/{path}", n=2, lineterm="")
    return "\n".join(lines)


def secret_summary(change: FieldChange) -> str:
    verb = {"add": "set", "remove": "removed", "update": "changed"}[change.kind]
    prints = [p for p in (change.old_fingerprint, change.new_fingerprint) if p]
    suffix = f" ({' → '.join(prints)})" if prints else ""
    return f"{verb} (secret, value hidden){suffix}"


def inline(change: FieldChange) -> str:
    """`old → new` for a short change (the caller handles long text)."""
    if change.secret:
        return secret_summary(change)
    if change.kind == "add":
        return short(change.new)
    if change.kind == "remove":
        return f"removed (was {short(change.old)})"
    return f"{short(change.old)} → {short(change.new)}"


def needs_diff(change: FieldChange) -> bool:
    return not change.secret and (is_long(change.old) or is_long(change.new))


def markdown_changes(changes: Iterable[FieldChange]) -> list[str]:
    """Markdown bullets; long text becomes a ```diff block under its bullet."""
    lines: list[str] = []
    for change in changes:
        if needs_diff(change):
            lines += [f"- `{change.path}`:", "", "  ```diff"]
            lines += [f"  {line}" for line in unified(change.old, change.new, change.path).splitlines()]
            lines += ["  ```", ""]
        else:
            lines.append(f"- `{change.path}`: {inline(change)}")
    return lines


def text_changes(changes: Iterable[FieldChange], indent: str = "    ") -> list[str]:
    lines: list[str] = []
    for change in changes:
        if needs_diff(change):
            lines.append(f"{indent}{change.path}:")
            diff = unified(change.old, change.new, change.path)
            lines += [f"{indent}  {line}" for line in diff.splitlines()]
        else:
            lines.append(f"{indent}{change.path}: {inline(change)}")
    return lines
