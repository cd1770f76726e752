"""One benchmark run: for each size, every operation on every track, `repeat` times over."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.graph import GRAPH_OPERATIONS, GRAPH_PERSONAS
from bench.personas import edited_indexes
from bench.tracks import (
    OPERATIONS,
    EngineFloorTrack,
    GraphEngineFloorTrack,
    GraphProductTrack,
    NetworkFloorTrack,
    PostgresProductTrack,
    ProductTrack,
    Sample,
)
from harness.postgres import PostgresServer, start_postgres
from sandbox.testing import SandboxProcess, start_sandbox

API_KEY = "bench-tavus-key-3f9a0c17"
SKIP_CHECKPOINTS_ENV = {"PULUMI_SKIP_CHECKPOINTS": "true"}

# track name -> size -> operation -> samples
Results = dict[str, dict[int, dict[str, list[Sample]]]]


@dataclass
class BenchConfig:
    sizes: Sequence[int] = (10, 100, 500)
    latency_ms: int = 50
    repeat: int = 1
    skip_checkpoints: bool = False  # also run the product with PULUMI_SKIP_CHECKPOINTS=true
    postgres: bool = False  # also run the product on a postgres:// backend (a local server)
    graph: bool = True  # also run the graph scenario (bench/graph.py)
    graph_personas: int = GRAPH_PERSONAS
    workdir: Path | None = None
    progress: Callable[[str], None] = field(default=lambda line: print(line, flush=True))


def run(config: BenchConfig) -> Results:
    with contextlib.ExitStack() as cleanup:
        root = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-", dir=config.workdir)))
        # Default (durable) server settings: the numbers are those of a real server.
        server = cleanup.enter_context(start_postgres()) if config.postgres else None
        args = ("--latency-ms", str(config.latency_ms))
        names = ["product", "network"] + (["product-nockpt"] if config.skip_checkpoints else [])
        names += ["product-pg"] if server else []
        sandboxes = {
            name: start_sandbox(root / f"{name}.db", [API_KEY], args, log_path=root / f"{name}.log")
            for name in names
        }
        try:
            results = _run_sizes(root, config, sandboxes, server)
            if config.graph:
                _run_graph(root, config, sandboxes["product"], results)
            return results
        finally:
            for sandbox in sandboxes.values():
                sandbox.stop()
    raise AssertionError("unreachable: a context manager swallowed an exception")


def _run_sizes(
    root: Path, config: BenchConfig, sandboxes: dict[str, SandboxProcess], server: PostgresServer | None
) -> Results:
    results: Results = {}
    for size in config.sizes:
        base = root / f"n{size}"
        product = ProductTrack(base / "product", sandboxes["product"], {})
        tracks: dict[str, ProductTrack | EngineFloorTrack | NetworkFloorTrack] = {
            "product": product,
            "engine": EngineFloorTrack(base, {}),
            "network": NetworkFloorTrack(sandboxes["network"], product),
        }
        if config.skip_checkpoints:
            tracks["product-nockpt"] = ProductTrack(
                base / "product-nockpt", sandboxes["product-nockpt"], SKIP_CHECKPOINTS_ENV
            )
            tracks["engine-nockpt"] = EngineFloorTrack(base / "nockpt", SKIP_CHECKPOINTS_ENV)
        if server is not None:
            tracks["product-pg"] = PostgresProductTrack(
                base / "product-pg", sandboxes["product-pg"], server, f"bench_state_n{size}"
            )
        for repetition in range(config.repeat):
            _one_cycle(size, repetition, tracks, results, config.progress)
        network = tracks["network"]
        assert isinstance(network, NetworkFloorTrack)
        network.close()
    return results


def _run_graph(root: Path, config: BenchConfig, sandbox: SandboxProcess, results: Results) -> None:
    """Personas sharing objectives and guardrails sets: the product vs its engine floor."""
    base = root / "graph"
    tracks = {
        "graph-product": GraphProductTrack(base / "product", sandbox, {}),
        "graph-engine": GraphEngineFloorTrack(base, {}),
    }
    for repetition in range(config.repeat):
        for track in tracks.values():
            track.write(config.graph_personas)
        for op in GRAPH_OPERATIONS:
            for name, track in tracks.items():
                sample = track.run(op)
                by_op = results.setdefault(name, {}).setdefault(config.graph_personas, {})
                by_op.setdefault(op, []).append(sample)
                config.progress(f"graph rep {repetition + 1} {op:8} {name:15} {sample.seconds:8.2f} s "
                                f"{_fmt_requests(sample.requests)}")


def _one_cycle(
    size: int,
    repetition: int,
    tracks: dict[str, ProductTrack | EngineFloorTrack | NetworkFloorTrack],
    results: Results,
    progress: Callable[[str], None],
) -> None:
    for track in tracks.values():
        if not isinstance(track, NetworkFloorTrack):
            track.write(size)
    for op in OPERATIONS:
        if op == "edit":
            for track in tracks.values():
                if not isinstance(track, NetworkFloorTrack):
                    track.edit(edited_indexes(size))
        for name, track in tracks.items():
            sample = track.run(op)
            results.setdefault(name, {}).setdefault(size, {}).setdefault(op, []).append(sample)
            progress(
                f"N={size} rep {repetition + 1} {op:8} {name:15} {sample.seconds:8.2f} s "
                f"{_fmt_requests(sample.requests)}"
                + (f" ({sample.state_writes} state rows written)" if sample.state_writes else "")
            )


def _fmt_requests(requests: dict[str, int]) -> str:
    return " ".join(f"{method} {count}" for method, count in sorted(requests.items()))


def to_json(results: Results) -> dict[str, Any]:
    """Raw samples, so that a report can be rendered again without re-running (`--from-json`)."""
    return {
        track: {str(size): {op: [asdict(s) for s in samples] for op, samples in ops.items()}
                for size, ops in sizes.items()}
        for track, sizes in results.items()
    }


def from_json(data: dict[str, Any]) -> Results:
    return {
        track: {int(size): {op: [Sample(**s) for s in samples] for op, samples in ops.items()}
                for size, ops in sizes.items()}
        for track, sizes in data.items()
    }
