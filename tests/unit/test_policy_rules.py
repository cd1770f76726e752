"""The policy pack's rules as functions: defaults, host patterns, token estimates (the CLI runs
are in tests/e2e/test_policy_pack.py)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.personas import PersonaResource
from policies.rules import POLICIES, check_api_keys_secret, host_allowed, prompt_tokens
from policies.secret_marks import SecretText


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("api.openai.com", True),
        ("API.OpenAI.com.", True),
        ("eu.openai.azure.com", True),
        ("openai.azure.com", False),  # "*.x" is subdomains only
        ("evilopenai.azure.com", False),
        ("api.openai.com.evil.example", False),
        ("", False),
    ],
)
def test_host_patterns(host: str, allowed: bool) -> None:
    assert host_allowed(host, ["api.openai.com", "*.openai.azure.com"]) is allowed


def test_token_estimate_counts_prompt_and_context() -> None:
    assert prompt_tokens({"system_prompt": "a" * 10, "context": "b" * 7}, 4) == 5  # ceil(17 / 4)
    assert prompt_tokens({"system_prompt": None}, 4) == 0


def _levels_fired(props: dict[str, Any]) -> set[str]:
    """Names of the token policies that fire at their default config."""
    fired: set[str] = set()
    for policy in POLICIES:
        if "token" not in policy.name:
            continue
        args = _Args(props)
        policy.validate(args, lambda _message, _urn=None, name=policy.name: fired.add(name))  # type: ignore[misc]
    return fired


class _Args:
    resource_type = "pulumi-python:dynamic/tavus:Persona"
    name = "p"

    def __init__(self, props: dict[str, Any]) -> None:
        self.props = props

    def get_config(self) -> dict[str, Any]:
        return {}


@pytest.mark.parametrize(
    ("chars", "fired"),
    [
        (100_000, set()),  # 25,000 tokens: at the slow threshold, not past it
        (100_004, {"prompt-fast-token-budget"}),
        (128_000, {"prompt-fast-token-budget"}),  # 32,000 tokens: at the budget
        (128_004, {"prompt-fast-token-budget", "prompt-within-token-budget"}),
    ],
)
def test_default_token_thresholds(chars: int, fired: set[str]) -> None:
    props = {"persona_name": "P", "system_prompt": "x" * (chars - 1000), "context": "y" * 1000}
    assert _levels_fired(props) == fired


def test_resources_without_persona_name_are_never_checked() -> None:
    fired: list[str] = []
    for policy in POLICIES:
        args = _Args({"name": "g", "system_prompt": "x" * 200_000})
        policy.validate(args, lambda m, u=None: fired.append(m))  # type: ignore[misc]
    assert fired == []


def test_secret_keys_pass_and_plaintext_keys_are_named_without_their_value() -> None:
    messages: list[str] = []
    persona = PersonaResource(
        "p",
        {
            "layers": {
                "llm": {"api_key": "sk-plain", "headers": {"X-Key": SecretText("h")}},
                "tts": {"api_key": None},
            }
        },
    )
    check_api_keys_secret(persona, {}, lambda m, _u=None: messages.append(m))
    assert len(messages) == 1
    assert "field layers.llm.api_key" in messages[0]
    assert "sk-plain" not in messages[0]
