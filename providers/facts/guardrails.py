"""Tavus facts about guardrails sets (`/v2/guardrails`; docs/graph-api.md).

A guardrails set is `{name, data: [guardrail, ...]}`; a persona points at one with
`guardrails_id` (legacy, one set) or `guardrail_ids` (a list).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from providers.endpoints import Endpoint
from providers.kind import Kind

MODALITIES: Final = ("verbal", "visual")
# Tavus: guardrail names are alphanumeric or underscore.
NAME_PATTERN: Final = re.compile(r"^[A-Za-z0-9_]+$")
ITEM_DEFAULTS: Final[Mapping[str, Any]] = {"modality": "verbal"}

ENDPOINT: Final = Endpoint(
    label="guardrails set",
    path="/v2/guardrails",
    id_field="guardrails_id",
    name_field="name",
)

KIND: Final = Kind(
    folder="guardrails",
    type_name="Guardrails",
    endpoint=ENDPOINT,
    schema_file="guardrails.schema.json",
    keyed_lists={"data": "guardrail_name"},
    item_defaults={"data": ITEM_DEFAULTS},
)
