"""The resource types of the persona's graph: `tavus:Objectives`, `tavus:Guardrails`,
`tavus:Document` and `tavus:PronunciationDictionary`.

Behaviour lives in `providers.item_provider`; this module names the types, their inputs and
outputs. Files: objectives/, guardrails/, documents/ and dictionaries/ (`**/*.yaml`), resource
names `<folder>/<path>` (README: The persona's graph).

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
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource

from providers.item_provider import (
    DictionaryProvider,
    DocumentProvider,
    GuardrailsProvider,
    ItemProvider,
    ObjectivesProvider,
)
from providers.kind import ADOPT_INPUT, RECRAWL_INPUT

# One shared, stateless instance per kind: every resource pickles to the same short reference.
_OBJECTIVES = ObjectivesProvider()
_GUARDRAILS = GuardrailsProvider()
_DOCUMENTS = DocumentProvider()
_DICTIONARIES = DictionaryProvider()


def _props(
    provider: ItemProvider, body: Mapping[str, Any], adopt_id: str | None, recrawl: str | None
) -> dict[str, Any]:
    props: dict[str, Any] = dict(body)
    if adopt_id:
        props[ADOPT_INPUT] = adopt_id
    if recrawl is not None:
        props[RECRAWL_INPUT] = recrawl
    # Outputs only resolve for keys present in props, so seed them.
    props.update(dict.fromkeys(provider.kind.computed_outputs))
    return props


class _Item(Resource):
    """One Tavus item of the provider's kind; subclasses name the type and the provider."""

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
        recrawl: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = _props(self.item_provider, body, adopt_id, recrawl)
        super().__init__(self.item_provider, name, props, opts)


class Objectives(_Item, module="tavus", name="Objectives"):
    """A Tavus objectives set (type token `pulumi-python:dynamic/tavus:Objectives`)."""

    item_provider = _OBJECTIVES
    objectives_id: pulumi.Output[str]


class Guardrails(_Item, module="tavus", name="Guardrails"):
    """A Tavus guardrails set (type token `pulumi-python:dynamic/tavus:Guardrails`)."""

    item_provider = _GUARDRAILS
    guardrails_id: pulumi.Output[str]


class Document(_Item, module="tavus", name="Document"):
    """A knowledge-base document (type token `pulumi-python:dynamic/tavus:Document`)."""

    item_provider = _DOCUMENTS
    document_id: pulumi.Output[str]
    status: pulumi.Output[str]


class PronunciationDictionary(_Item, module="tavus", name="PronunciationDictionary"):
    """A pronunciation dictionary (type token `pulumi-python:dynamic/tavus:PronunciationDictionary`)."""

    item_provider = _DICTIONARIES
    pronunciation_dictionary_id: pulumi.Output[str]


# folder -> resource type, for the program, in KINDS order (everything before the personas).
RESOURCE_TYPES: Mapping[str, type[_Item]] = {
    kind.folder: resource for resource in (Objectives, Guardrails, Document, PronunciationDictionary)
    for kind in (resource.item_provider.kind,)
}
