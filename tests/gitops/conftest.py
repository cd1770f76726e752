"""GitOps fixtures: the real sandbox process per module; stacks come from tests.e2e.deployment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.testing import SandboxProcess, start_sandbox
from tests.e2e.deployment import TAVUS_KEY


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    root = tmp_path_factory.mktemp("sandbox")
    with start_sandbox(root / "tavus.db", [TAVUS_KEY], log_path=root / "sandbox.log") as sandbox:
        yield sandbox
