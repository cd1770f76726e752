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
from pulumi.dynamic import Resource

from providers.provider import PersonaProvider
from providers.state import ADOPT_INPUT, COMPUTED_OUTPUTS

# One shared, stateless instance: every resource pickles to the same short
# by-reference string, so the provider process unpickles and configures it once.
_PROVIDER = PersonaProvider()


class Persona(Resource, module="tavus", name="Persona"):
    """A Tavus persona (type token `pulumi-python:dynamic/tavus:Persona`)."""

    persona_id: pulumi.Output[str]
    created_at: pulumi.Output[str]
    updated_at: pulumi.Output[str]
    secret_fingerprints: pulumi.Output[dict[str, str]]
    shown_secrets: pulumi.Output[dict[str, str]]
    unmanaged: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        name: str,
        body: Mapping[str, Any],
        *,
        adopt_persona_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = dict(body)
        if adopt_persona_id:
            props[ADOPT_INPUT] = adopt_persona_id
        # Outputs only resolve for keys present in props, so seed them.
        props.update(dict.fromkeys(COMPUTED_OUTPUTS))
        super().__init__(_PROVIDER, name, props, opts)
