"""End-to-end fixtures: the real Pulumi CLI and the real sandbox process; nothing mocked."""

from __future__ import annotations

import pytest

from sandbox.testing import SandboxProcess
from tests.support.deployment import Deployment, make_deployment


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    return make_deployment(tmp_path_factory.mktemp("deployment"), module_sandbox)
