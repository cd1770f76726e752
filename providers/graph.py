"""The resource types of the persona's graph: `tavus:Objectives` and `tavus:Guardrails`.

Behaviour lives in `providers.item_provider`; this module names the types, their inputs and
outputs. Files: objectives/**/*.yaml and guardrails/**/*.yaml, resource names
`objectives/<path>` and `guardrails/<path>` (docs/graph.md).

Inputs are the Tavus create body at the top level (`name`, `data`), so `pulumi preview --diff`
shows `~ data[0].objective_prompt`, plus one option:

- `adopt_id`: adopt this existing item on create instead of POSTing.

Outputs are the managed body as Tavus holds it, plus:

- `objectives_id` / `guardrails_id`: assigned by Tavus; personas reference it with `{ref:}`;
- `created_at`, `updated_at`: assigned by Tavus;
- `unmanaged`: fields Tavus holds that the file does not set; reported by `drift`, never reverted.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from providers._resource import ItemResource
from providers.item_provider import GuardrailsProvider, ObjectivesProvider


class Objectives(ItemResource, module="tavus", name="Objectives"):
    """A Tavus objectives set (type token `pulumi-python:dynamic/tavus:Objectives`)."""

    item_provider = ObjectivesProvider()
    objectives_id: pulumi.Output[str]


class Guardrails(ItemResource, module="tavus", name="Guardrails"):
    """A Tavus guardrails set (type token `pulumi-python:dynamic/tavus:Guardrails`)."""

    item_provider = GuardrailsProvider()
    guardrails_id: pulumi.Output[str]


# folder -> resource type, for the program.
RESOURCE_TYPES: Mapping[str, type[ItemResource]] = {
    "objectives": Objectives,
    "guardrails": Guardrails,
}
