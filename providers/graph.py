"""The resource types of the persona's graph: `tavus:Objectives`, `tavus:Guardrails`,
`tavus:Document` and `tavus:PronunciationDictionary`.

Behaviour lives in `providers.item_provider`; this module names the types, their inputs and
outputs. Files: objectives/, guardrails/, documents/ and dictionaries/ (`**/*.yaml`), resource
names `<folder>/<path>` (README: The persona's graph; docs/graph-api.md).

Inputs are the Tavus create body at the top level (`name`, `data`), so `pulumi preview --diff`
shows `~ data[0].objective_prompt`, plus options:

- `adopt_id`: adopt this existing item on create instead of POSTing;
- `recrawl` (documents): a new value recrawls the document once.

Outputs are the managed body as Tavus holds it, plus:

- `objectives_id` / `guardrails_id` / `document_id` / `pronunciation_dictionary_id`: assigned by
  Tavus; personas reference it with `{ref:}`;
- documents only: `status`, `progress`, `error_message` as Tavus last reported them (`ready` after
  a successful create); outputs, never compared with the file, so never drift;
- `created_at`, `updated_at`: assigned by Tavus;
- `unmanaged`: fields Tavus holds that the file does not set; reported by `drift`, never reverted.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from providers._resource import ItemResource
from providers.item_provider import (
    DictionaryProvider,
    DocumentProvider,
    GuardrailsProvider,
    ObjectivesProvider,
)


class Objectives(ItemResource, module="tavus", name="Objectives"):
    """A Tavus objectives set (type token `pulumi-python:dynamic/tavus:Objectives`)."""

    item_provider = ObjectivesProvider()
    objectives_id: pulumi.Output[str]


class Guardrails(ItemResource, module="tavus", name="Guardrails"):
    """A Tavus guardrails set (type token `pulumi-python:dynamic/tavus:Guardrails`)."""

    item_provider = GuardrailsProvider()
    guardrails_id: pulumi.Output[str]


class Document(ItemResource, module="tavus", name="Document"):
    """A knowledge-base document (type token `pulumi-python:dynamic/tavus:Document`)."""

    item_provider = DocumentProvider()
    document_id: pulumi.Output[str]
    status: pulumi.Output[str]


class PronunciationDictionary(ItemResource, module="tavus", name="PronunciationDictionary"):
    """A pronunciation dictionary (type token `pulumi-python:dynamic/tavus:PronunciationDictionary`)."""

    item_provider = DictionaryProvider()
    pronunciation_dictionary_id: pulumi.Output[str]


# folder -> resource type, for the program, in KINDS order (everything before the personas).
RESOURCE_TYPES: Mapping[str, type[ItemResource]] = {
    resource.item_provider.kind.folder: resource
    for resource in (Objectives, Guardrails, Document, PronunciationDictionary)
}
