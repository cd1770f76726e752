"""The base of every resource type: a Tavus body as inputs, an adoption option, seeded outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource

from providers.item_provider import ItemProvider


class ItemResource(Resource):
    """What every resource type shares: the Tavus body as inputs, an id to adopt, the outputs.

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
            props[self.item_provider.kind.adopt_input] = adopt_id
        # Outputs only resolve for keys present in props, so seed them.
        props.update(dict.fromkeys(self.item_provider.kind.computed_outputs))
        super().__init__(self.item_provider, name, props, opts)
