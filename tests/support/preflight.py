"""Helpers of the preflight suite: persona projects with a custom LLM, and `preflight` runs."""

from __future__ import annotations

import os
from pathlib import Path

from harness.pulumi import REPO_ROOT, CommandResult
from tests.support.cli import run_cli

# Distinctive values, so a scan for them cannot match anything by accident.
LLM_KEY = "sk-preflight-7f3a9c2e51d4"
ORG_HEADER = "org-preflight-b4d8e06a93"
SECRETS = (LLM_KEY, ORG_HEADER)
OVERRIDES = {"PREFLIGHT_CONFIG_llmKey": LLM_KEY, "PREFLIGHT_CONFIG_orgHeader": ORG_HEADER}
TOOLS_YAML = """
    tools:
      - type: function
        function:
          name: get_weather
          description: The weather in a city.
          parameters: {type: object, properties: {city: {type: string}}, required: [city]}
"""


def persona_yaml(
    name: str,
    base_url: str,
    *,
    model: str = "gpt-4o-mini",
    tools: bool = False,
    perception: str | None = None,
) -> str:
    text = f"""persona_name: {name}
system_prompt: You are a test persona for preflight.
context: You like short answers.
layers:
  llm:
    model: {model}
    base_url: {base_url}
    api_key: {{secret: llmKey}}
    headers:
      X-Org: {{secret: orgHeader}}
    extra_body: {{temperature: 0.3, user_tag: preflight-test}}
"""
    if tools:
        text += TOOLS_YAML
    if perception:
        text += f"  perception:\n    perception_model: {perception}\n"
    return text


def write_project(root: Path, personas: dict[str, str]) -> Path:
    """A minimal project: Pulumi.yaml and personas/ (preflight needs nothing else)."""
    (root / "personas").mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    for name, text in personas.items():
        (root / "personas" / f"{name}.yaml").write_text(text)
    return root


def run_preflight(
    root: Path, *args: str, env: dict[str, str] | None = None, stack: str = "test"
) -> CommandResult:
    """`python -m providers preflight --stack STACK --root ROOT ARGS`, as a user runs it."""
    proc = run_cli(
        "preflight", "--stack", stack, "--root", str(root), *args,
        cwd=REPO_ROOT,
        env=env if env is not None else {**os.environ, **OVERRIDES},
    )
    run = CommandResult(tuple(proc.args), proc.returncode, proc.stdout, proc.stderr)
    for secret in SECRETS:
        assert secret not in run.output, "a secret value was printed"
    assert "Traceback" not in run.stderr, run.stderr
    return run


def scenario_name(base_url: str) -> str:
    return base_url.rstrip("/").split("/")[-2]
