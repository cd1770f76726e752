"""The things the benchmark measures side by side: the product, its engine floor, its network floor.

Each track owns its project copy, stack and (when it talks to an API) its own sandbox,
so no track sees another's personas. `run(op)` performs one operation and returns a
`Sample`; the runner interleaves tracks operation by operation so that machine noise
spreads evenly over them.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.engine_floor import make_floor_project
from bench.graph import write_graph
from bench.network_floor import NetworkFloor, persona_bodies
from bench.personas import LLM_SECRET_KEY, LLM_SECRET_VALUE, edit_personas, write_personas
from bench.procmon import ProviderMemoryMonitor
from bench.state_writes import StateWriteCounter
from harness.postgres import PostgresServer
from harness.project import make_project
from harness.pulumi import PulumiStack
from sandbox.testing import SandboxProcess

OPERATIONS = ("create", "preview", "noop-up", "refresh", "edit", "destroy")
LABELS = {
    "create": "`up` creating all",
    "preview": "no-op `preview`",
    "noop-up": "no-op `up`",
    "refresh": "`refresh --preview-only`",
    "edit": "`up` editing 10%",
    "destroy": "`destroy`",
}


@dataclass
class Sample:
    seconds: float
    peak_mib: float = math.nan
    requests: dict[str, int] = field(default_factory=dict)
    state_writes: int = 0  # rows Pulumi wrote into a postgres:// state table (bench.state_writes)
    state_bytes: int = 0


def _pulumi_op(stack: PulumiStack, op: str) -> Callable[[], Any]:
    return {
        "create": stack.up,
        "preview": stack.preview,
        "noop-up": stack.up,
        "refresh": lambda: stack.refresh("--preview-only"),
        "edit": stack.up,
        "destroy": stack.destroy,
    }[op]


class PulumiTrack:
    """A project run through the real CLI; measures wall time and provider peak memory."""

    def __init__(
        self, project: Path, state_dir: Path, extra_env: dict[str, str], backend_url: str | None = None
    ) -> None:
        self.project = project
        self.stack = PulumiStack(
            project, state_dir, stack="bench", extra_env=dict(extra_env), backend_url=backend_url
        )
        self.stack.init()

    @property
    def personas_dir(self) -> Path:
        return self.project / "personas"

    def write(self, count: int) -> None:
        write_personas(self.personas_dir, count)

    def edit(self, indexes: list[int]) -> None:
        edit_personas(self.personas_dir, indexes)

    def run(self, op: str) -> Sample:
        with ProviderMemoryMonitor(self.project) as monitor:
            started = time.perf_counter()
            _pulumi_op(self.stack, op)()
            seconds = time.perf_counter() - started
        return Sample(seconds, monitor.peak_mib)


class ProductTrack(PulumiTrack):
    """The product: a project copy deploying to its own sandbox; also counts API requests."""

    def __init__(
        self, root: Path, sandbox: SandboxProcess, extra_env: dict[str, str], backend_url: str | None = None
    ) -> None:
        root.mkdir(parents=True)
        super().__init__(make_project(root, None), root / "state", extra_env, backend_url)
        self.sandbox = sandbox
        sandbox.admin.reset()
        self.stack.set_config("tavus:apiKey", sandbox.api_key, secret=True)
        self.stack.set_config("tavus:baseUrl", sandbox.url)
        self.stack.set_config(LLM_SECRET_KEY, LLM_SECRET_VALUE, secret=True)
        self.last_log: list[dict[str, Any]] = []
        self.names_by_id: dict[str, str] = {}

    def run(self, op: str) -> Sample:
        cursor = self.sandbox.admin.cursor()
        sample = super().run(op)
        self.last_log = self.sandbox.admin.requests(since=cursor)["requests"]
        sample.requests = dict(Counter(str(entry["method"]) for entry in self.last_log))
        live = self.sandbox.admin.list(persona_type="user")
        if op == "create":
            self.names_by_id = {str(p["persona_id"]): str(p["persona_name"]) for p in live}
        if op == "destroy" and live:
            raise RuntimeError(f"destroy left {len(live)} personas in the sandbox")
        return sample

    def list_queries(self) -> list[str]:
        """The query strings of the list requests in the last operation."""
        return [str(e["query"]) for e in self.last_log if e["method"] == "GET" and e["op"] == "list"]


class PostgresProductTrack(ProductTrack):
    """The product with its state in a PostgreSQL table (credentials via PG*); counts state writes."""

    def __init__(self, root: Path, sandbox: SandboxProcess, server: PostgresServer, table: str) -> None:
        self.counter = StateWriteCounter(server, table)
        super().__init__(root, sandbox, server.env, server.backend_url(table))

    def run(self, op: str) -> Sample:
        before = self.counter.read()
        sample = super().run(op)
        written = self.counter.read() - before
        sample.state_writes, sample.state_bytes = written.writes, written.bytes
        return sample


class EngineFloorTrack(PulumiTrack):
    def __init__(self, root: Path, extra_env: dict[str, str]) -> None:
        super().__init__(make_floor_project(root), root / "engine-floor-state", extra_env)
        # The same config as the product's stack (an empty config also trips the SDK:
        # `set_all_config` gets None and fails).
        self.stack.set_config(LLM_SECRET_KEY, LLM_SECRET_VALUE, secret=True)


class NetworkFloorTrack:
    """Replays the product's requests of the same operation with httpx (see bench.network_floor)."""

    def __init__(self, sandbox: SandboxProcess, product: ProductTrack) -> None:
        sandbox.admin.reset()
        self.sandbox = sandbox
        self.product = product
        self.floor = NetworkFloor(sandbox.url, sandbox.api_key)

    def close(self) -> None:
        self.floor.close()

    def run(self, op: str) -> Sample:
        cursor = self.sandbox.admin.cursor()
        if op == "create":
            bodies = persona_bodies(self.product.project, {LLM_SECRET_KEY: LLM_SECRET_VALUE})
            seconds = self.floor.create(bodies, self.product.list_queries())
        else:
            seconds = self.floor.replay(self.product.last_log, self.product.names_by_id)
        log = self.sandbox.admin.requests(since=cursor)["requests"]
        return Sample(seconds, requests=dict(Counter(str(entry["method"]) for entry in log)))


class GraphProductTrack(ProductTrack):
    """The product on the graph scenario: personas sharing objectives and guardrails sets."""

    def write(self, count: int) -> None:
        write_graph(self.project, count)


class GraphEngineFloorTrack(EngineFloorTrack):
    """The engine floor of the same graph files."""

    def write(self, count: int) -> None:
        write_graph(self.project, count)
