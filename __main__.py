"""Pulumi program: one resource per file under objectives/, guardrails/ and personas/ (see README)."""

import pulumi

from providers.persona import Persona
from providers.program import declare_all

resources = declare_all()
pulumi.export("persona_ids", {n: r.persona_id for n, r in resources.items() if isinstance(r, Persona)})
graph_ids = {n: r.id for n, r in resources.items() if not isinstance(r, Persona)}
if graph_ids:
    pulumi.export("graph_ids", graph_ids)
