"""The `tavus:Persona` resource type: what a persona looks like to a Pulumi program.

Behaviour lives in `providers.provider`; this module only names the type, its
inputs and its outputs.

Inputs are the Tavus create-persona body at the top level (so `pulumi preview --diff`
shows `~ system_prompt` rather than a nested blob), plus one option:

- `adopt_persona_id`: adopt this existing persona on create instead of POSTing.

Outputs are the managed body as Tavus holds it, plus:

- `persona_id`, `created_at`, `updated_at`: assigned by Tavus;
- `secret_fingerprints`: `{"layers.llm.api_key": "sha256:…"}`, so reviewers can see
  that a key changed without seeing it (the keys themselves stay Pulumi secrets);
- `shown_secrets`: fingerprints of what Tavus showed (masked) for each key after the last
  write; a refresh that sees something else reports the key as changed outside Pulumi;
- `unmanaged`: fields Tavus holds that the file does not set (server defaults,
  web-UI additions); reported by `drift`, never reverted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from providers._resource import ItemResource
from providers.provider import PersonaProvider


class Persona(ItemResource, module="tavus", name="Persona"):
    """A Tavus persona (type token `pulumi-python:dynamic/tavus:Persona`)."""

    item_provider = PersonaProvider()
    persona_id: pulumi.Output[str]
    secret_fingerprints: pulumi.Output[dict[str, str]]
    shown_secrets: pulumi.Output[dict[str, str]]

    def __init__(
        self,
        name: str,
        body: Mapping[str, Any],
        *,
        adopt_persona_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, body, adopt_id=adopt_persona_id, opts=opts)


# The one shared, stateless instance: every persona pickles to the same short by-reference string,
# so the provider process unpickles and configures it once.
_PROVIDER = Persona.item_provider
