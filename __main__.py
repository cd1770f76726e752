"""Pulumi program: one `tavus:Persona` resource per file under personas/ (see README)."""

import pulumi

from providers.program import declare_personas

personas = declare_personas()
pulumi.export("persona_ids", {name: persona.persona_id for name, persona in personas.items()})
