"""How a persona's inputs and outputs are laid out in Pulumi state (the persona `Kind`'s layout).

Shared by the resource type, the provider and the GitOps commands, so that the names are written
down once: in providers/facts/persona.py.
"""

from __future__ import annotations

from providers.facts.persona import KIND

ADOPT_INPUT = KIND.adopt_input
COMPUTED_OUTPUTS = KIND.computed_outputs
# The Tavus body inside a resource's inputs or outputs (no `__provider`, options or computed keys).
body_of = KIND.body_of
