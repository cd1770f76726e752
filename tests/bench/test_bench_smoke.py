"""`make bench` end to end at its smallest size: the real CLI, two real sandboxes, one repetition.

It proves the benchmark still runs through every operation on every track, that the
report (table and Markdown) is produced, and that the request-count targets hold:
those counts are deterministic, so they are asserted; times never are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import __main__ as bench_main
from bench import report, runner
from bench.graph import GRAPH_OPERATIONS
from bench.tracks import OPERATIONS

pytestmark = pytest.mark.e2e

SIZE = 3
GRAPH = 4  # personas of the graph scenario: 4 personas sharing 1 objectives and 1 guardrails set


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> runner.Results:
    config = runner.BenchConfig(
        sizes=(SIZE,), latency_ms=0, repeat=1, skip_checkpoints=True, postgres=True, graph_personas=GRAPH,
        workdir=tmp_path_factory.mktemp("bench"), progress=lambda _line: None,
    )
    return runner.run(config)


def test_every_operation_is_measured_on_every_track(results: runner.Results) -> None:
    sized = {"product", "engine", "network", "product-nockpt", "engine-nockpt", "product-pg"}
    assert set(results) == sized | {"graph-product", "graph-engine"}
    for track in (results[name] for name in sized):
        assert list(track[SIZE]) == list(OPERATIONS)
        assert all(len(samples) == 1 for samples in track[SIZE].values())
    # The provider process was found and sampled for every product operation.
    assert all(samples[0].peak_mib > 0 for samples in results["product"][SIZE].values())
    # Without checkpoints, or with the state in PostgreSQL, the product makes exactly the same requests.
    for op in OPERATIONS:
        assert results["product-nockpt"][SIZE][op][0].requests == results["product"][SIZE][op][0].requests
        assert results["product-pg"][SIZE][op][0].requests == results["product"][SIZE][op][0].requests


def test_postgres_state_writes_are_counted(results: runner.Results) -> None:
    postgres = {op: samples[0] for op, samples in results["product-pg"][SIZE].items()}
    # A checkpoint per created persona at least; previews write no state at all.
    assert postgres["create"].state_writes > SIZE and postgres["create"].state_bytes > 0
    assert postgres["preview"].state_writes == 0 and postgres["refresh"].state_writes == 0
    assert results["product"][SIZE]["create"][0].state_writes == 0  # only the postgres track counts


def test_request_count_targets_hold(results: runner.Results) -> None:
    sized = [t for t in report.targets(results) if not t.name.startswith("graph")]
    counted = [t for t in sized if "request" in t.name or "PATCH" in t.name]
    assert len(counted) == 4, counted
    assert all(t.passed for t in counted), [t.line() for t in counted]
    create = results["product"][SIZE]["create"][0].requests
    assert create.get("POST") == SIZE
    assert results["product"][SIZE]["destroy"][0].requests == {"DELETE": SIZE}


def test_network_floor_sends_the_products_requests(results: runner.Results) -> None:
    for op in OPERATIONS:
        product = results["product"][SIZE][op][0].requests
        network = results["network"][SIZE][op][0].requests
        assert network == product, op


def test_markdown_report_is_written_and_renders_again_from_json(
    results: runner.Results, tmp_path: Path
) -> None:
    rows = report.table_rows(results)
    saved = tmp_path / "samples.json"
    saved.write_text(json.dumps(runner.to_json(results)))
    assert report.table_rows(runner.from_json(json.loads(saved.read_text()))) == rows
    assert len(rows) == 1 + len(OPERATIONS)
    config = runner.BenchConfig(sizes=(SIZE,), latency_ms=0)
    found = report.targets(results)
    text = bench_main.markdown(rows, found, {"CPU": "test"}, "make bench", config, 60.0, results)
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(text)
    assert "| N | operation | API requests | product s |" in out.read_text()
    assert f"| {SIZE} | `up` editing 10% | 1 GET, 1 PATCH |" in text
    assert "[PULUMI_SKIP_CHECKPOINTS]" in text
    assert "| postgres product s | × file | postgres rows written | postgres MiB written |" in text
    assert "PASS  no-op `preview` at N=3 makes no API request" in text
    assert "## The graph: 4 personas sharing 1 objectives and 1 guardrails sets" in text
    assert "| no-op `preview` | 0 |" in text


def test_the_graph_scenario_creates_everything_and_previews_for_free(results: runner.Results) -> None:
    graph = {op: samples[0] for op, samples in results["graph-product"][GRAPH].items()}
    assert list(graph) == list(GRAPH_OPERATIONS) == list(results["graph-engine"][GRAPH])
    assert graph["create"].requests.get("POST") == GRAPH + 2  # 4 personas, 1 objectives, 1 guardrails set
    assert graph["preview"].requests == {}
    assert graph["destroy"].requests == {"DELETE": GRAPH + 2}
    graph_targets = [t for t in report.targets(results) if t.name.startswith("graph")]
    assert len(graph_targets) == 2 and graph_targets[0].passed, [t.line() for t in graph_targets]
    assert report.graph_rows(results)[0][0] == "operation"
