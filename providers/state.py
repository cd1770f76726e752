"""How a persona's inputs and outputs are laid out in Pulumi state.

Shared by the resource type, the provider and the GitOps commands, so that the
names are written down once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ADOPT_INPUT = "adopt_persona_id"
COMPUTED_OUTPUTS = (
    "persona_id",
    "created_at",
    "updated_at",
    "secret_fingerprints",
    "shown_secrets",
    "unmanaged",
)

# Keys of inputs/outputs that are not part of the Tavus body.
_NOT_BODY = frozenset({ADOPT_INPUT, *COMPUTED_OUTPUTS})


def body_of(props: Mapping[str, Any]) -> dict[str, Any]:
    """The Tavus body inside a resource's inputs or outputs (no `__provider`, options or computed keys)."""
    return {k: v for k, v in props.items() if k not in _NOT_BODY and not k.startswith("__")}
