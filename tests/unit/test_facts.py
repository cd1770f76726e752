"""providers.facts.persona: the persona facts that validation, export and preflight share."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from providers.cli._changes import field_changes
from providers.cli.preflight.targets import has_custom_llm
from providers.facts.persona import camel, is_custom_llm, llm_route, suggested_secret_key
from providers.spec import load_persona_text


@pytest.mark.parametrize(
    ("resource", "path", "key"),
    [
        ("storyteller", ("layers", "llm", "api_key"), "storytellerLlmApiKey"),
        ("storyteller", ("layers", "tts", "api_key"), "storytellerTtsApiKey"),
        ("storyteller", ("layers", "llm", "headers", "X-Org"), "storytellerLlmHeaderXOrg"),
        ("support/kids-stories", ("layers", "tts", "api_key"), "supportKidsStoriesTtsApiKey"),
        ("7-wonders", ("layers", "llm", "api_key"), "persona7WondersLlmApiKey"),
    ],
)
def test_suggested_secret_key(resource: str, path: tuple[str, ...], key: str) -> None:
    assert suggested_secret_key(resource, path) == key


def test_camel() -> None:
    assert camel("Front Desk RECEPTIONIST") == "frontDeskReceptionist"
    assert camel("api_key", upper_first=True) == "ApiKey"
    assert camel("***") == ""


@pytest.mark.parametrize(
    ("llm", "custom"),
    [
        ({"model": "tavus-gpt-oss"}, False),
        ({"model": "gpt-4o"}, True),
        ({"base_url": "https://llm.example.com/v1"}, True),
        ({"model": "tavus-gpt-oss", "api_key": {"secret": "k"}}, True),
        ({}, False),
    ],
)
def test_custom_llm_is_one_rule_for_validation_and_preflight(llm: dict[str, Any], custom: bool) -> None:
    assert is_custom_llm(llm) is custom
    text = yaml.safe_dump({"persona_name": "P", "system_prompt": "Hi.", "layers": {"llm": llm}})
    persona, diagnostics = load_persona_text(text, "personas/p.yaml", "p")
    assert persona is not None
    assert has_custom_llm(persona) is custom  # preflight calls it
    assert any("a custom LLM" in d.message for d in diagnostics) is custom  # validate asks for base_url/key


@pytest.mark.parametrize(
    ("url", "route"),
    [
        ("https://api.openai.com/v1", None),
        ("https://api.openai.com/v1/chat/completions/", "/chat/completions"),
        ("/v1/responses", "/responses"),
    ],
)
def test_llm_route(url: str, route: str | None) -> None:
    assert llm_route(url) == route


def test_field_changes_compare_as_json() -> None:
    """`true` replacing `1` is a change (Python's == says True == 1); 1 → 1.0 is not."""
    changes = field_changes({"a": 1, "b": 1}, {"a": True, "b": 1.0})
    assert [(c.path, c.old, c.new) for c in changes] == [("a", 1, True)]
