"""Persona references to the other kinds, and persona drafts (unpublished web-editor changes).

A persona names other items by id: `objectives_id`, `guardrails_id`, items of `guardrail_ids`,
items of `document_ids` and `layers.tts.pronunciation_dictionary_id`. A create or PATCH that
introduces an id naming nothing is refused (400 "Invalid <field>"). Only ids the write introduces
are checked, so a persona whose objectives set was deleted can still be patched elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._store import Store

OBJECTIVES = "objectives"
GUARDRAILS = "guardrails"
DOCUMENTS = "documents"
DICTIONARIES = "pronunciation-dictionaries"
DRAFTS = "persona-drafts"  # a row per persona with an unpublished web-editor draft


def _tts(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    layers = doc.get("layers")
    tts = layers.get("tts") if isinstance(layers, Mapping) else None
    return tts if isinstance(tts, Mapping) else {}


def _one(name: str) -> Callable[[Mapping[str, Any]], list[Any]]:
    return lambda doc: [] if doc.get(name) is None else [doc.get(name)]


def _many(name: str) -> Callable[[Mapping[str, Any]], list[Any]]:
    return lambda doc: list(doc[name]) if isinstance(doc.get(name), list) else []


def _dictionary_ref(doc: Mapping[str, Any]) -> list[Any]:
    value = _tts(doc).get("pronunciation_dictionary_id")
    return [] if value is None else [value]


# (field named in the error, the kind it points at, the ids a persona document holds there)
REFERENCES: tuple[tuple[str, str, Callable[[Mapping[str, Any]], list[Any]]], ...] = (
    ("objectives_id", OBJECTIVES, _one("objectives_id")),
    ("guardrails_id", GUARDRAILS, _one("guardrails_id")),
    ("guardrail_ids", GUARDRAILS, _many("guardrail_ids")),
    ("document_ids", DOCUMENTS, _many("document_ids")),
    ("pronunciation_dictionary_id", DICTIONARIES, _dictionary_ref),
)


def missing_reference(store: Store, doc: Mapping[str, Any], old: Mapping[str, Any] | None) -> str | None:
    """The first field of `doc` with an id (not already in `old`) that names no stored item."""
    for field, kind, ids_of in REFERENCES:
        before = ids_of(old) if old is not None else []
        for value in ids_of(doc):
            if value in before:
                continue
            if not isinstance(value, str) or not store.item_exists(kind, value):
                return field
    return None


def referencing_dictionary(doc: Mapping[str, Any], dictionary_id: str) -> bool:
    return _tts(doc).get("pronunciation_dictionary_id") == dictionary_id


def has_draft(store: Store, persona_id: str) -> bool:
    return store.item_exists(DRAFTS, persona_id)


def mark_draft(store: Store, persona_id: str, now: str) -> None:
    store.put_item(DRAFTS, persona_id, {"persona_id": persona_id, "created_at": now}, now)


def clear_draft(store: Store, persona_id: str) -> None:
    store.delete_item(DRAFTS, persona_id)
