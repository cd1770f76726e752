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
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource

from providers.item_provider import GuardrailsProvider, ItemProvider, ObjectivesProvider
from providers.kind import ADOPT_INPUT


class ItemResource(Resource):
    """What every resource of the graph shares: the body as inputs, `adopt_id`, the outputs.

    Subclasses name their Pulumi type (`module="tavus", name=...`) and their provider: one shared,
    stateless instance per kind, so every resource pickles to the same short reference.
    """

    item_provider: ClassVar[ItemProvider]
    created_at: pulumi.Output[str]
    updated_at: pulumi.Output[str]
    unmanaged: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        name: str,
        body: Mapping[str, Any],
        *,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = dict(body)
        if adopt_id:
            props[ADOPT_INPUT] = adopt_id
        # Outputs only resolve for keys present in props, so seed them.
        props.update(dict.fromkeys(self.item_provider.kind.computed_outputs))
        super().__init__(self.item_provider, name, props, opts)


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
