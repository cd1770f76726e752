"""Tavus domain facts, one module per kind of item: what the API documents and what Tavus does.

A fact lives here when more than one of canonical form, validation, the provider, export, preflight
and redaction would otherwise state it: then they cannot disagree (as `validate` and `export` once
did about the config key to suggest for a secret). `KINDS` lists the kinds of item a persona refers
to by `{ref: <folder>/<name>}`, and `REF_FIELDS` says at which persona fields each kind may be referenced.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from providers.facts import dictionaries, documents, guardrails, objectives, persona
from providers.kind import Kind

# In declaration order: everything a persona may reference exists before the personas.
KINDS: Final[Mapping[str, Kind]] = {
    kind.folder: kind for kind in (objectives.KIND, guardrails.KIND, documents.KIND, dictionaries.KIND)
}

# Persona field (list items as `[]`) -> the folder of the kind whose id belongs there.
REF_FIELDS: Final[Mapping[str, str]] = {
    "objectives_id": "objectives",
    "guardrails_id": "guardrails",
    "guardrail_ids[]": "guardrails",
    "document_ids[]": "documents",
    "layers.tts.pronunciation_dictionary_id": "dictionaries",
}


def kind_of_urn(urn: str) -> Kind | None:
    """The kind a resource URN names (`persona.KIND` for a persona), None for a resource not ours."""
    return next((k for k in (*KINDS.values(), persona.KIND) if f"::{k.type_token}::" in urn), None)


def ref_field(path: str) -> str:
    """`guardrail_ids[1]` -> `guardrail_ids[]`: the form REF_FIELDS is keyed by."""
    return re.sub(r"\[\d+\]", "[]", path)
