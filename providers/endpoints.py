"""Where each kind of Tavus item lives and how its items are named: what the HTTP client needs.

The client is one piece of request machinery (retries, redaction, the two GET shapes, the
lost-create lookup) for every collection; an `Endpoint` says which collection. The contract of
each collection is in docs/graph-api.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SameItem = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Endpoint:
    """One Tavus collection, e.g. `/v2/objectives` whose items are keyed by `objectives_id`."""

    label: str  # what an item is called in messages: "persona", "objectives set"
    path: str  # the collection, e.g. "/v2/objectives"
    id_field: str  # e.g. "objectives_id"
    # The field that names an item, unique within a stack: a create whose answer was lost is
    # found again by it. None: the item has no reliable name, `same_item` decides instead.
    name_field: str | None
    # Query parameters of every list request (personas: only user personas, never Tavus's own).
    list_params: Mapping[str, str] = field(default_factory=dict)
    # Newer field names Tavus may answer with instead of ours (PAL rename: pal_id -> persona_id).
    aliases: Mapping[str, str] = field(default_factory=dict)
    # For items without a name: does this listed item hold what this create body asked for?
    same_item: SameItem | None = None

    @property
    def id_names(self) -> tuple[str, ...]:
        """The id field and its newer names: `persona_id`, `pal_id`."""
        return (self.id_field, *(alias for alias, ours in self.aliases.items() if ours == self.id_field))

    @property
    def gone_message(self) -> re.Pattern[str]:
        """A 400 message that means "no such item": Tavus answers 400 "Invalid persona_id"."""
        words = "|".join(re.escape(name).replace("_", "_?") for name in self.id_names)
        return re.compile(rf"invalid\s+({words})\b", re.IGNORECASE)

    def name_of(self, body: Mapping[str, Any]) -> str | None:
        if self.name_field is None:
            return None
        name = self.normalise(body).get(self.name_field)
        return name if isinstance(name, str) and name else None

    def like(self, items: Iterable[dict[str, Any]], body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The `items` that are what `body` would create: the same name, or for kinds without
        one, content `same_item` recognises. How a lost or leftover create is found again."""
        name = self.name_of(body)
        if name is not None:
            return [item for item in items if self.name_of(item) == name]
        same = self.same_item
        return [item for item in items if same is not None and same(item, body)]

    def normalise(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """A copy that has our field names where Tavus answered with the newer ones only."""
        result = dict(item)
        for alias, ours in self.aliases.items():
            if ours not in result and alias in result:
                result[ours] = result[alias]
        return result


def persona_endpoint(path_prefix: str = "/v2/personas") -> Endpoint:
    """Personas, or PALs after the rename (`/v2/pals`, whose list filter is named pal_type)."""
    prefix = "/" + path_prefix.strip("/")
    type_param = "pal_type" if prefix.endswith("/pals") else "persona_type"
    return Endpoint(
        label="persona",
        path=prefix,
        id_field="persona_id",
        name_field="persona_name",
        list_params={type_param: "user"},
        aliases={"pal_id": "persona_id", "pal_name": "persona_name"},
    )
