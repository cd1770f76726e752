"""End-to-end fixtures: the real Pulumi CLI and the real sandbox process; nothing mocked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.testing import SandboxProcess, start_sandbox
from tests.e2e.deployment import TAVUS_KEY, Deployment, make_deployment


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(root / "tavus.db", [TAVUS_KEY], log_path=root / "sandbox.log") as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    return make_deployment(tmp_path_factory.mktemp("deployment"), module_sandbox)
