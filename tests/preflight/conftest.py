"""Preflight fixtures: the sandbox's `/_llm` endpoint (module_sandbox, tests/conftest.py) and real stacks.

Each test uses its own scenario names, so one sandbox serves every test of a module and the
chat requests a test inspects are only its own. Helpers are in tests/support/preflight.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import PulumiStack
from sandbox.llm_testing import LlmAdmin
from sandbox.testing import SandboxProcess
from tests.support.preflight import LLM_KEY, ORG_HEADER, write_project


@pytest.fixture(scope="module")
def llm(module_sandbox: SandboxProcess) -> Iterator[LlmAdmin]:
    with LlmAdmin(module_sandbox.url) as admin:
        yield admin


@pytest.fixture
def scenario(llm: LlmAdmin) -> Callable[..., str]:
    """Configure a fresh scenario with the given switches; returns its base_url."""

    def make(**switches: Any) -> str:
        name = "s-" + uuid.uuid4().hex[:8]
        llm.set_scenario(name, **switches)
        return llm.base_url(name)

    return make


@pytest.fixture
def stack(tmp_path: Path) -> PulumiStack:
    """A real stack (file backend, passphrase) of a project in tmp_path/project, with both secrets set."""
    project = write_project(tmp_path / "project", {})
    stack = PulumiStack(project_dir=project, state_dir=tmp_path / "state", stack="prod")
    stack.init()
    stack.set_config("llmKey", LLM_KEY, secret=True)
    stack.set_config("orgHeader", ORG_HEADER, secret=True)
    return stack
