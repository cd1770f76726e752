"""Preflight with a real Pulumi stack: references resolved through `pulumi config`, the requests Tavus
would send (plain, tools, both perception shapes) received by the sandbox's LLM, secrets never printed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import PulumiStack
from sandbox.llm_testing import LlmAdmin
from tests.support.preflight import (
    LLM_KEY,
    ORG_HEADER,
    persona_yaml,
    run_preflight,
    scenario_name,
    write_project,
)

pytestmark = pytest.mark.e2e  # runs the real Pulumi CLI


def _by_shape(requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    shapes: dict[str, dict[str, Any]] = {}
    for record in requests:
        body = record["body"]
        messages = body["messages"]
        if "tools" in body:
            shapes["tools"] = record
        elif sum(m["role"] == "system" for m in messages) == 2:
            shapes["raven"] = record
        elif any(m["content"].startswith("VISUAL_SCENE:") for m in messages):
            shapes["basic"] = record
        else:
            shapes["plain"] = record
    return shapes


def test_passing_run_sends_what_tavus_sends(
    stack: PulumiStack, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    raven_url, basic_url = scenario(), scenario()
    write_project(stack.project_dir, {
        "raven": persona_yaml("Raven Persona", raven_url, tools=True, perception="raven-1"),
        "basic": persona_yaml("Basic Persona", basic_url, perception="basic"),
        "hosted": "persona_name: Hosted\nsystem_prompt: Hi.\nlayers:\n  llm:\n    model: tavus-gpt-oss\n",
    })

    run = run_preflight(stack.project_dir, "--json", env=stack.env, stack="prod")

    assert run.returncode == 0, run.output
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert [p["name"] for p in report["personas"]] == ["basic", "raven"]  # the Tavus-hosted one is not called
    statuses = {p["name"]: {c["check"]: c["status"] for c in p["checks"]} for p in report["personas"]}
    assert set(statuses["raven"].values()) == {"pass"}
    assert statuses["basic"]["tools"] == "skip" and statuses["basic"]["perception"] == "pass"

    raven = _by_shape(llm.requests(scenario_name(raven_url)))
    assert set(raven) == {"plain", "tools", "raven"}
    plain = raven["plain"]
    assert plain["headers"]["authorization"] == f"Bearer {LLM_KEY}"  # resolved through `pulumi config`
    assert plain["headers"]["x-org"] == ORG_HEADER
    assert plain["body"]["stream"] is True and plain["body"]["model"] == "gpt-4o-mini"
    assert plain["body"]["temperature"] == 0.3 and plain["body"]["user_tag"] == "preflight-test"  # extra_body
    assert plain["path"].endswith("/v1/chat/completions")
    assert raven["tools"]["body"]["tools"][0]["function"]["name"] == "get_weather"
    perception_message = raven["raven"]["body"]["messages"][1]
    assert perception_message["role"] == "system"
    for tag in ("user_appearance", "user_emotions", "user_screenshare"):
        assert f"<{tag}>" in perception_message["content"] and f"</{tag}>" in perception_message["content"]

    basic = _by_shape(llm.requests(scenario_name(basic_url)))
    assert set(basic) == {"plain", "basic"}
    users = [m["content"] for m in basic["basic"]["body"]["messages"] if m["role"] == "user"]
    assert users[0].startswith("VISUAL_SCENE:") and users[1].startswith("USER_SPEECH:")


def test_missing_reference_names_the_fix_and_sends_nothing(
    stack: PulumiStack, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    base_url = scenario()
    text = persona_yaml("Unset Key", base_url).replace("{secret: llmKey}", "{secret: unsetLlmKey}")
    write_project(stack.project_dir, {"unset": text})

    run = run_preflight(stack.project_dir, env=stack.env, stack="prod")

    assert run.returncode == 1
    assert "`{secret: unsetLlmKey}` is not set in stack prod" in run.stdout
    assert "pulumi config set --secret unsetLlmKey <value> --stack prod" in run.stdout
    assert llm.requests(scenario_name(base_url)) == []


def test_echoed_headers_are_redacted_in_text_and_json(
    stack: PulumiStack, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    base_url = scenario(echo_headers=True)
    write_project(stack.project_dir, {"echo": persona_yaml("Echo", base_url)})

    for flags in ((), ("--json",)):
        run = run_preflight(stack.project_dir, *flags, env=stack.env, stack="prod")  # scans for the secrets
        assert run.returncode == 1
        assert "500" in run.stdout and "[redacted]" in run.stdout
    # The endpoint really did echo them: the redaction, not luck, kept them out.
    echoed = llm.requests(scenario_name(base_url))[0]
    assert echoed["outcome"] == "echo_headers" and echoed["headers"]["x-org"] == ORG_HEADER


def test_unreadable_stack_config_says_how_to_fix(
    stack: PulumiStack, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    base_url = scenario()
    write_project(stack.project_dir, {"p": persona_yaml("P", base_url)})

    run = run_preflight(stack.project_dir, env=stack.env, stack="no-such-stack")

    assert run.returncode == 1
    assert "`pulumi config --stack no-such-stack` exited" in run.stdout
    assert "export PREFLIGHT_CONFIG_<key>" in run.stdout
    assert llm.requests(scenario_name(base_url)) == []
