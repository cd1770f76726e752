"""Tavus facts about pronunciation dictionaries (`/v2/pronunciation-dictionaries`; docs/graph-api.md).

A dictionary is `{name, rules: [{text, pronunciation, type: alias|ipa}, ...]}`; a persona uses
one with `layers.tts.pronunciation_dictionary_id`. Deleting a dictionary makes Tavus null that
field on every persona that used it.
"""

from __future__ import annotations

from typing import Final

from providers.endpoints import Endpoint
from providers.kind import Kind

RULE_TYPES: Final = ("alias", "ipa")

ENDPOINT: Final = Endpoint(
    label="pronunciation dictionary",
    path="/v2/pronunciation-dictionaries",
    id_field="pronunciation_dictionary_id",
    name_field="name",
)

# No keyed lists: `rules` has no item names, so a change writes the whole list (`/rules`).
KIND: Final = Kind(
    folder="dictionaries",
    type_name="PronunciationDictionary",
    endpoint=ENDPOINT,
    schema_file="dictionaries.schema.json",
    required_lists=("rules",),
)
