"""Preflight fixtures: the real sandbox process (its `/_llm` endpoint), persona projects, the real CLI.

Each test uses its own scenario names, so one sandbox serves every test of a module and the
chat requests a test inspects are only its own.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import REPO_ROOT, PulumiStack
from sandbox.llm_testing import LlmAdmin
from sandbox.testing import SandboxProcess, start_sandbox

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
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


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


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


def run_preflight(root: Path, *args: str, env: dict[str, str] | None = None, stack: str = "test") -> Run:
    """`python -m providers preflight --stack STACK --root ROOT ARGS`, as a user runs it."""
    proc = subprocess.run(
        [PYTHON, "-m", "providers", "preflight", "--stack", stack, "--root", str(root), *args],
        cwd=REPO_ROOT,
        env=env if env is not None else {**os.environ, **OVERRIDES},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    for secret in SECRETS:
        assert secret not in run.output, "a secret value was printed"
    assert "Traceback" not in run.stderr, run.stderr
    return run


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(root / "tavus.db", ["preflight-tavus-key"], log_path=root / "sandbox.log") as process:
        yield process


@pytest.fixture(scope="module")
def llm(sandbox: SandboxProcess) -> Iterator[LlmAdmin]:
    with LlmAdmin(sandbox.url) as admin:
        yield admin


@pytest.fixture
def scenario(llm: LlmAdmin) -> Callable[..., str]:
    """Configure a fresh scenario with the given switches; returns its base_url."""

    def make(**switches: Any) -> str:
        name = "s-" + uuid.uuid4().hex[:8]
        llm.set_scenario(name, **switches)
        return llm.base_url(name)

    return make


def scenario_name(base_url: str) -> str:
    return base_url.rstrip("/").split("/")[-2]


@pytest.fixture
def stack(tmp_path: Path) -> PulumiStack:
    """A real stack (file backend, passphrase) of a project in tmp_path/project, with both secrets set."""
    project = write_project(tmp_path / "project", {})
    stack = PulumiStack(project_dir=project, state_dir=tmp_path / "state", stack="prod")
    stack.init()
    stack.set_config("llmKey", LLM_KEY, secret=True)
    stack.set_config("orgHeader", ORG_HEADER, secret=True)
    return stack
