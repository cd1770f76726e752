"""The policy pack (policies/) through the real CLI against the sandbox: each rule fires on the
persona and field it names, passes when the stack's policy config allows it, and a mandatory
violation blocks `pulumi up` before Tavus sees a request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import REPO_ROOT, CommandResult
from sandbox.testing import SandboxProcess
from tests.support.deployment import SECRETS, Deployment, assert_no_secrets, make_deployment

pytestmark = pytest.mark.e2e

PACK = str(REPO_ROOT / "policies")
OFFSITE_KEY = "sk-e2e-offsite-5e0b7d22"
PLAIN_KEY = "sk-e2e-plaintext-3f9a6c18"

GUARDED = "guardrail_ids: [g12345]\n"
PERSONAS = {
    # no rule applies to it under any config below
    "compliant": "persona_name: Compliant\nsystem_prompt: Be brief.\n" + GUARDED,
    # guarded by a set of this stack, by name: its id is unknown until the set exists
    "guarded-by-ref": (
        "persona_name: Guarded\nsystem_prompt: Be brief.\nguardrail_ids: [{ref: guardrails/rules}]\n"
    ),
    "offsite": (
        "persona_name: Offsite\nsystem_prompt: Be brief.\n" + GUARDED + "layers:\n  llm:\n    model: m1\n"
        "    base_url: https://llm.partner.example/v1\n    api_key: {secret: offsiteKey}\n"
    ),
    "unguarded": "persona_name: Unguarded\nsystem_prompt: Be brief.\n",
    "wordy": "persona_name: Wordy\nsystem_prompt: " + "word " * 1200 + "\n" + GUARDED,  # ~1,500 tokens
    "kept": (
        "persona_name: Kept\nsystem_prompt: Be brief.\n" + GUARDED + "pulumi:\n  retain_on_delete: true\n"
    ),
}

# Thresholds low enough for a small file, so the token rules fire without megabytes of prompt.
STRICT: dict[str, Any] = {
    "prompt-within-token-budget": {"max_tokens": 1000},
    "prompt-fast-token-budget": {"max_tokens": 500},
    "no-retain-on-delete": {"forbidden": True},
}
LENIENT: dict[str, Any] = {
    "llm-base-url-allowed-host": {"allowed_hosts": ["api.openai.com", "*.partner.example"]},
    "production-personas-have-guardrails": {"production_stacks": ["live"]},
    "prompt-within-token-budget": {"max_tokens": 2000},
    "prompt-fast-token-budget": {"max_tokens": 2000},
    "no-retain-on-delete": {"forbidden": False},
}

VIOLATION = re.compile(r"- \[(mandatory|advisory)\]\s+(\S+)\s+\([^)]*: ([^)]+)\)")


def violations(run: CommandResult) -> set[tuple[str, str, str]]:
    """(enforcement level, policy, resource name) of every violation the CLI printed."""
    return set(VIOLATION.findall(run.stdout))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    # A stack named "prod" is a production stack under the default policy config.
    root = tmp_path_factory.mktemp("policy")
    deployment = make_deployment(root, module_sandbox, personas=None, stack_name="prod")
    deployment.stack.set_config("offsiteKey", OFFSITE_KEY, secret=True)
    for name, text in PERSONAS.items():
        deployment.write_persona(name, text)
    deployment.write_file("guardrails/rules.yaml", "name: Rules\ndata:\n"
                          "  - {guardrail_name: be_kind, guardrail_prompt: Be kind.}\n")
    return deployment


def _config_file(deployment: Deployment, name: str, config: dict[str, Any]) -> str:
    path = deployment.project.parent / f"{name}.json"
    # The pack reads persona files of this project copy, not of the repository.
    retain = {**config.get("no-retain-on-delete", {}), "project_dir": str(deployment.project)}
    path.write_text(json.dumps({**config, "no-retain-on-delete": retain}))
    return str(path)


def _preview(deployment: Deployment, config: dict[str, Any], name: str) -> CommandResult:
    return deployment.stack.preview(
        "--policy-pack", PACK, "--policy-pack-config", _config_file(deployment, name, config), check=False
    )


def test_each_rule_fires_on_the_persona_and_field_it_names(deployment: Deployment) -> None:
    run = _preview(deployment, STRICT, "strict")
    assert run.returncode != 0
    assert violations(run) == {
        ("mandatory", "llm-base-url-allowed-host", "offsite"),
        ("mandatory", "production-personas-have-guardrails", "unguarded"),
        ("mandatory", "prompt-within-token-budget", "wordy"),
        ("advisory", "prompt-fast-token-budget", "wordy"),
        ("mandatory", "no-retain-on-delete", "kept"),
    }
    for where in (
        "persona 'offsite' (personas/offsite.yaml), field layers.llm.base_url: host 'llm.partner.example'",
        "persona 'unguarded' (personas/unguarded.yaml), field guardrails_id / guardrail_ids: stack 'prod'",
        "persona 'wordy' (personas/wordy.yaml), field system_prompt + context: about 1,500 tokens",
        "persona 'kept' (personas/kept.yaml), field pulumi.retain_on_delete",
    ):
        assert where in run.stdout
    assert_no_secrets(run.output, "a policy preview")


def test_every_rule_passes_when_the_stack_allows_it(deployment: Deployment) -> None:
    run = _preview(deployment, LENIENT, "lenient")
    assert run.returncode == 0, run.output
    assert violations(run) == set()


def test_defaults_allow_a_small_persona_on_an_approved_host(deployment: Deployment) -> None:
    # Default config on a production stack: only what the defaults forbid fires.
    run = deployment.stack.preview("--policy-pack", PACK, check=False)
    assert violations(run) == {
        ("mandatory", "llm-base-url-allowed-host", "offsite"),
        ("mandatory", "production-personas-have-guardrails", "unguarded"),
    }


def test_a_mandatory_violation_blocks_up_before_any_request(deployment: Deployment) -> None:
    cursor = deployment.sandbox.admin.cursor()
    run = deployment.stack.run(
        "up", "--yes", "--stack", "prod", "--policy-pack", PACK,
        "--policy-pack-config", _config_file(deployment, "strict-up", STRICT), check=False,
    )  # fmt: skip
    assert run.returncode != 0
    assert "mandatory" in run.stdout and "llm-base-url-allowed-host" in run.stdout
    created = {p["persona_name"] for p in deployment.user_personas()}
    assert created.isdisjoint({"Offsite", "Unguarded", "Wordy", "Kept"})
    assert all(w["method"] != "PATCH" for w in deployment.writes_since(cursor))
    assert_no_secrets(run.output, "a blocked up")


CUSTOM_PROGRAM = f'''
"""A hand-written program: one key in plaintext, one as a secret, and a resource of another kind."""
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from providers.persona import Persona


class _Other(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="other", outs=props)


class Guardrails(Resource, module="tavus", name="Guardrails"):
    def __init__(self, name, props):
        super().__init__(_Other(), name, props)


def persona(name, key):
    return {{"persona_name": name, "system_prompt": "Be brief.", "guardrail_ids": ["g1"],
             "layers": {{"llm": {{"model": "m1", "base_url": "https://api.openai.com/v1", "api_key": key}}}}}}


Persona("plain-key", persona("Plain", "{PLAIN_KEY}"))
Persona("secret-key", persona("Secret", pulumi.Output.secret("{PLAIN_KEY}")))
# Not a persona (no persona_name): no rule looks at it, whatever it holds.
other = {{"llm": {{"base_url": "https://evil.example", "api_key": "x"}}}}
Guardrails("safety", {{"name": "safety", "layers": other}})
'''


def test_api_keys_must_reach_pulumi_as_secrets(tmp_path: Path, module_sandbox: SandboxProcess) -> None:
    custom = make_deployment(tmp_path, module_sandbox, personas=None, stack_name="prod")
    (custom.project / "__main__.py").write_text(CUSTOM_PROGRAM)
    run = custom.stack.preview("--policy-pack", PACK, check=False)
    assert run.returncode != 0
    assert violations(run) == {("mandatory", "api-keys-are-secrets", "plain-key")}
    where = "persona 'plain-key' (personas/plain-key.yaml), field layers.llm.api_key"
    assert f"{where}: the key reaches Pulumi in plaintext" in run.stdout
    assert PLAIN_KEY not in run.output  # the rule names the field, never the value
    assert not set(SECRETS) & set(run.output.split())


def test_the_shipped_prod_config_passes_the_example_personas(
    tmp_path: Path, module_sandbox: SandboxProcess
) -> None:
    # The config the deploy and preview workflows use: valid for the CLI, and today's personas deploy
    # (guardrails are advisory until personas reference them).
    examples = make_deployment(tmp_path, module_sandbox, stack_name="prod")
    config = str(REPO_ROOT / "policies" / "config" / "prod.json")
    run = examples.stack.preview("--policy-pack", PACK, "--policy-pack-config", config, check=False)
    assert run.returncode == 0, run.output
    assert violations(run) == {
        ("advisory", "production-personas-have-guardrails", "storyteller"),
        ("advisory", "production-personas-have-guardrails", "health-coach"),
    }
