"""Fixtures for the sandbox contract suite.

By default every test talks HTTP to a real `python -m sandbox` subprocess. Set
TAVUS_CONTRACT_BASE_URL (e.g. https://tavusapi.com) and TAVUS_CONTRACT_API_KEY to run the
tests marked `tavus_live` against that server instead; all other tests are then skipped, since
they need the sandbox admin surface or check sandbox-specific behaviour.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess, start_sandbox

HERE = Path(__file__).resolve().parent
LIVE_URL = os.environ.get("TAVUS_CONTRACT_BASE_URL", "").rstrip("/")
LIVE_KEY = os.environ.get("TAVUS_CONTRACT_API_KEY", "")
LIVE_PREFIX = os.environ.get("TAVUS_CONTRACT_PATH_PREFIX", "/v2/personas")
API_KEY = "sandbox-contract-key"
SECOND_KEY = "sandbox-contract-key-2"
SANDBOX_ONLY_REASON = (
    "sandbox-only (admin surface or sandbox-specific behaviour); "
    f"TAVUS_CONTRACT_BASE_URL points at another server: {LIVE_URL}"
)
# A name prefix for every persona the suite creates, so leftovers on a live account are obvious.
NAME_PREFIX = "contract-test-"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not LIVE_URL:
        return
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents and item.get_closest_marker("tavus_live") is None:
            item.add_marker(pytest.mark.skip(reason=SANDBOX_ONLY_REASON))


@dataclass
class Target:
    """The server under test: the shared sandbox, or a live Tavus-compatible server."""

    base_url: str
    api_key: str
    prefix: str
    sandbox: SandboxProcess | None

    def client(self, api_key: str | None = None, timeout: float = 15.0) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"x-api-key": api_key or self.api_key}, timeout=timeout
        )


@pytest.fixture(scope="session")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess | None]:
    if LIVE_URL:
        yield None
        return
    directory = tmp_path_factory.mktemp("sandbox")
    process = start_sandbox(
        directory / "contract.db", [API_KEY, SECOND_KEY], log_path=directory / "sandbox.log"
    )
    yield process
    process.stop()


@pytest.fixture
def target(shared_sandbox: SandboxProcess | None) -> Target:
    if shared_sandbox is None:
        if not LIVE_KEY:
            pytest.skip("TAVUS_CONTRACT_BASE_URL is set but TAVUS_CONTRACT_API_KEY is not")
        return Target(LIVE_URL, LIVE_KEY, LIVE_PREFIX, None)
    shared_sandbox.admin.reset()
    return Target(shared_sandbox.url, API_KEY, "/v2/personas", shared_sandbox)


@pytest.fixture
def sandbox(target: Target) -> SandboxProcess:
    """The shared sandbox (reset before the test). Skips when the target is not a sandbox."""
    if target.sandbox is None:
        pytest.skip(SANDBOX_ONLY_REASON)
    return target.sandbox


@pytest.fixture
def api(target: Target) -> Iterator[httpx.Client]:
    with target.client() as client:
        yield client


@pytest.fixture
def prefix(target: Target) -> str:
    return target.prefix


PersonaFactory = Callable[..., str]


@pytest.fixture
def make_persona(api: httpx.Client, prefix: str) -> Iterator[PersonaFactory]:
    """Create a persona through the API (asserting 200); deleted again after the test."""
    created: list[str] = []

    def make(**fields: Any) -> str:
        body: dict[str, Any] = {"persona_name": unique_name(), "system_prompt": "You are a test persona."}
        body.update(fields)
        body = {key: value for key, value in body.items() if value is not None}
        response = api.post(prefix, json=body)
        assert response.status_code == 200, response.text
        persona_id = str(response.json()["persona_id"])
        created.append(persona_id)
        return persona_id

    yield make
    for persona_id in created:
        api.delete(f"{prefix}/{persona_id}")


def unique_name() -> str:
    return f"{NAME_PREFIX}{uuid.uuid4().hex[:10]}"


@pytest.fixture(name="unique_name")
def unique_name_fixture() -> Callable[[], str]:
    """A factory of persona names that are unique and recognisable as test leftovers."""
    return unique_name


@pytest.fixture
def second_key() -> str:
    """A second API key the shared sandbox accepts."""
    return SECOND_KEY


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., SandboxProcess]]:
    """Start a dedicated sandbox with extra CLI flags; stopped after the test."""
    if LIVE_URL:
        pytest.skip(SANDBOX_ONLY_REASON)
    processes: list[SandboxProcess] = []

    def launch(*extra_args: str, db_name: str = "dedicated.db") -> SandboxProcess:
        process = start_sandbox(
            tmp_path / db_name, [API_KEY], extra_args, log_path=tmp_path / f"{db_name}.log"
        )
        processes.append(process)
        return process

    yield launch
    for process in processes:
        process.stop()
