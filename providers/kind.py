"""What distinguishes one kind of Tavus item from another, in one value the generic parts share.

A `Kind` is the folder its files live in, its Pulumi type, its collection (`Endpoint`), and its
canonical form: server fields to drop, server defaults to ignore, and lists whose items are
patched one by one. `providers.item_provider`, the program, validation and the GitOps commands
take a `Kind` instead of knowing about objectives or guardrails. Each kind's facts live in
`providers/facts/<kind>.py`; `KINDS` (in `providers.facts`) lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from providers import canonical as canon
from providers.endpoints import Endpoint

ADOPT_INPUT = "adopt_id"
TYPE_PREFIX = "pulumi-python:dynamic/tavus:"
COMMON_OUTPUTS = ("created_at", "updated_at", "unmanaged")


@dataclass(frozen=True)
class Kind:
    folder: str  # "objectives": files are objectives/**/*.yaml, resource names "objectives/<path>"
    type_name: str  # "Objectives": the type token is tavus:Objectives
    endpoint: Endpoint
    schema_file: str  # under providers/schema/
    # Item lists (top-level key -> the field naming each item) patched item by item when their
    # items line up; otherwise a list is written whole.
    keyed_lists: Mapping[str, str] = field(default_factory=dict)
    # Defaults Tavus fills into each item of a keyed list when the file leaves them out.
    item_defaults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Fields Tavus adds to the item that a file never manages (besides id and timestamps).
    server_fields: frozenset[str] = frozenset()
    # The input naming an existing item to adopt (personas keep their older name in state).
    adopt_input: str = ADOPT_INPUT
    # Outputs beyond the id, timestamps and `unmanaged` (personas: secret fingerprints).
    extra_outputs: tuple[str, ...] = ()
    # Resource names carry the folder (`guardrails/compliance`); personas' do not (`storyteller`).
    qualified_names: bool = True

    @property
    def type_token(self) -> str:
        return TYPE_PREFIX + self.type_name

    @property
    def id_output(self) -> str:
        return self.endpoint.id_field

    @property
    def computed_outputs(self) -> tuple[str, ...]:
        return (self.id_output, *COMMON_OUTPUTS, *self.extra_outputs)

    def resource_name(self, path_without_suffix: str) -> str:
        return f"{self.folder}/{path_without_suffix}" if self.qualified_names else path_without_suffix

    # -- canonical form -------------------------------------------------------------------------

    def body_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The Tavus body inside inputs or outputs: no `__provider`, option or computed key."""
        skip = {self.adopt_input, *self.computed_outputs}
        return {k: v for k, v in props.items() if k not in skip and not k.startswith("__")}

    def canonical(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The one canonical form (desired or live): `canonical.canonical`, minus server fields and
        the item defaults Tavus fills in, so a file that leaves a default out never diffs."""
        server = {*canon.SERVER_FIELDS, *self.server_fields, *self.endpoint.id_names}
        cleaned = canon.canonical({k: v for k, v in body.items() if k not in server})
        for list_key, defaults in self.item_defaults.items():
            items = cleaned.get(list_key)
            if isinstance(items, list):
                cleaned[list_key] = [_without_defaults(item, defaults) for item in items]
        return cleaned

    def json_patch(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
        return canon.keyed_json_patch(old, new, self.keyed_lists)

    def changed_paths(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
        return canon.keyed_changed_paths(old, new, self.keyed_lists)


def _without_defaults(item: Any, defaults: Mapping[str, Any]) -> Any:
    if not isinstance(item, dict):
        return item
    return {k: v for k, v in item.items() if not (k in defaults and canon.json_equal(defaults[k], v))}
