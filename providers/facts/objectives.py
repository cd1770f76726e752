"""Tavus facts about objectives sets (`/v2/objectives`; docs/graph-api.md).

An objectives set is `{name?, data: [objective, ...]}`; a persona points at one with
`objectives_id`. Each objective names the objectives that may follow it, so a set is a graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from providers import canonical as canon
from providers.endpoints import Endpoint
from providers.kind import Kind

CONFIRMATION_MODES: Final = ("auto", "manual")
MODALITIES: Final = ("verbal", "visual")
# Tavus: "objective names contain no spaces".
NAME_PATTERN: Final = re.compile(r"^\S+$")
ITEM_DEFAULTS: Final[Mapping[str, Any]] = {"confirmation_mode": "auto", "modality": "verbal"}


def _same_objectives(live: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """An objectives set has no required name: one created by a lost POST is recognised by its content."""
    wanted = KIND.canonical(body)
    return bool(wanted) and canon.json_equal(KIND.canonical(live), wanted)


ENDPOINT: Final = Endpoint(
    label="objectives set",
    path="/v2/objectives",
    id_field="objectives_id",
    name_field=None,
    same_item=_same_objectives,
)

KIND: Final = Kind(
    folder="objectives",
    type_name="Objectives",
    endpoint=ENDPOINT,
    schema_file="objectives.schema.json",
    keyed_lists={"data": "objective_name"},
    item_defaults={"data": ITEM_DEFAULTS},
    # The create answer names the set `objective_name` ("New Objectives") and reports a status.
    server_fields=frozenset({"status", "objective_name"}),
)
