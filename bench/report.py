"""The benchmark's table, its PASS/FAIL targets and BENCHMARKS.md."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.graph import GRAPH_OPERATIONS, sets_for
from bench.personas import edited_indexes
from bench.runner import Results
from bench.tracks import LABELS, OPERATIONS, Sample

NOOP_OPERATIONS = ("preview", "noop-up")
PREVIEW_VS_ENGINE_MAX = 1.15
CREATE_VS_FLOORS_MAX = 1.3
GROWTH_MAX = 1.5


@dataclass(frozen=True)
class Target:
    name: str
    passed: bool
    detail: str
    floor_bound: bool = False  # missed because the floor itself misses it

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL (floor-bound)" if self.floor_bound else "FAIL"
        return f"{verdict}  {self.name}: {self.detail}"


def median_seconds(samples: Sequence[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


def peak_mib(samples: Sequence[Sample]) -> float:
    values = [s.peak_mib for s in samples if not math.isnan(s.peak_mib)]
    return max(values) if values else math.nan


def requests_of(samples: Sequence[Sample]) -> dict[str, int]:
    """Counts of the first repetition (they are deterministic; the targets check every one)."""
    return samples[0].requests


NOCKPT = " [PULUMI_SKIP_CHECKPOINTS]"
POSTGRES = "product-pg"


def table_rows(results: Results) -> list[list[str]]:
    header = ["N", "operation", "API requests", "product s", "engine floor s", "network floor s", "× floors"]
    nockpt = "product-nockpt" in results
    if nockpt:
        header += ["no-checkpoint product s", "no-checkpoint engine floor s", "× floors"]
    postgres = POSTGRES in results
    if postgres:
        header += ["postgres product s", "× file", "postgres rows written", "postgres MiB written"]
    header += ["provider peak MiB", "engine-floor peak MiB", "× engine"]
    rows = [header]
    for size in sorted(results["product"]):
        for op in OPERATIONS:
            rows.append(_row(results, size, op, nockpt, postgres))
    return rows


def _postgres_cells(results: Results, size: int, op: str) -> list[str]:
    samples = results[POSTGRES][size][op]
    seconds = median_seconds(samples)
    ratio = seconds / median_seconds(results["product"][size][op])
    first = samples[0]  # writes are deterministic for an operation: the first repetition's
    return [f"{seconds:.2f}", f"{ratio:.2f}", str(first.state_writes), f"{first.state_bytes / 2**20:.1f}"]


def _times(results: Results, size: int, op: str, product: str, engine: str) -> list[str]:
    seconds = median_seconds(results[product][size][op])
    floor = median_seconds(results[engine][size][op])
    network = median_seconds(results["network"][size][op])
    cells = [f"{seconds:.2f}", f"{floor:.2f}"]
    if product == "product":
        cells.append(f"{network:.2f}")
    return [*cells, f"{seconds / (floor + network):.2f}"]


def _row(results: Results, size: int, op: str, nockpt: bool, postgres: bool) -> list[str]:
    memory, engine_memory = peak_mib(results["product"][size][op]), peak_mib(results["engine"][size][op])
    row = [str(size), LABELS[op], _fmt_requests(requests_of(results["product"][size][op]))]
    row += _times(results, size, op, "product", "engine")
    if nockpt:
        row += _times(results, size, op, "product-nockpt", "engine-nockpt")
    if postgres:
        row += _postgres_cells(results, size, op)
    ratio = f"{memory / engine_memory:.2f}" if engine_memory else "-"
    return [*row, f"{memory:.0f}", f"{engine_memory:.0f}", ratio]


def _fmt_requests(requests: dict[str, int]) -> str:
    return ", ".join(f"{count} {method}" for method, count in sorted(requests.items())) or "0"


def format_table(rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)


# -- targets -----------------------------------------------------------------------------------


GRAPH_LABELS = {"create": "`up` creating all", "preview": "no-op `preview`",
                "refresh": "`refresh --preview-only`", "destroy": "`destroy`"}


def graph_size(results: Results) -> tuple[int, int]:
    """(personas, sets) of the graph scenario that ran."""
    personas = next(iter(results["graph-product"]))
    return personas, sets_for(personas)


def graph_rows(results: Results) -> list[list[str]]:
    """The graph scenario's table (empty when it did not run)."""
    if "graph-product" not in results:
        return []
    personas, _ = graph_size(results)
    product, engine = results["graph-product"][personas], results["graph-engine"][personas]
    rows = [["operation", "API requests", "product s", "engine floor s", "× engine floor"]]
    for op in GRAPH_OPERATIONS:
        seconds, floor = median_seconds(product[op]), median_seconds(engine[op])
        rows.append([GRAPH_LABELS[op], _fmt_requests(requests_of(product[op])), f"{seconds:.2f}",
                     f"{floor:.2f}", f"{seconds / floor:.2f}"])
    return rows


def _graph_targets(results: Results) -> list[Target]:
    if "graph-product" not in results:
        return []
    personas, sets = graph_size(results)
    product, engine = results["graph-product"][personas], results["graph-engine"][personas]
    what = f"{personas} personas sharing {sets} objectives and {sets} guardrails sets"
    counts = [sum(s.requests.values()) for s in product["preview"]]
    seconds, floor = median_seconds(product["preview"]), median_seconds(engine["preview"])
    ratio = seconds / floor
    return [
        Target(f"graph ({what}): no-op preview makes no API request", max(counts) == 0, f"{counts}"),
        Target(f"graph ({what}): no-op preview at most {PREVIEW_VS_ENGINE_MAX}x the engine floor",
               ratio <= PREVIEW_VS_ENGINE_MAX, f"{seconds:.2f} s / {floor:.2f} s = {ratio:.2f}x"),
    ]


def targets(results: Results) -> list[Target]:
    sizes = sorted(results["product"])
    found: list[Target] = _graph_targets(results)
    for size in sizes:
        found += _request_targets(size, results["product"][size])
    pairs = [("product", "engine", "")]
    if "product-nockpt" in results:
        pairs.append(("product-nockpt", "engine-nockpt", NOCKPT))
    for product, engine, label in pairs:
        found.append(_preview_target(results, sizes[-1], product, engine, label))
        found.append(_create_target(results, 100 if 100 in sizes else sizes[-1], product, engine, label))
        if len(sizes) >= 2:
            small, large = (100, 500) if {100, 500} <= set(sizes) else (sizes[-2], sizes[-1])
            found += [_growth_target(results, op, small, large, product, engine, label) for op in OPERATIONS]
    return found


def _request_targets(size: int, ops: dict[str, list[Sample]]) -> list[Target]:
    found = []
    for op in NOOP_OPERATIONS:
        counts = [sum(s.requests.values()) for s in ops[op]]
        found.append(Target(f"{LABELS[op]} at N={size} makes no API request", max(counts) == 0, f"{counts}"))
    limit = math.ceil(size / 100) + 2
    counts = [sum(s.requests.values()) for s in ops["refresh"]]
    found.append(
        Target(f"refresh at N={size}: at most ceil(N/100)+2 = {limit} requests", max(counts) <= limit,
               f"{counts}")
    )
    k = len(edited_indexes(size))
    ok = all(
        s.requests.get("PATCH", 0) == k and s.requests.get("GET", 0) <= k
        and not s.requests.get("POST") and not s.requests.get("DELETE")
        for s in ops["edit"]
    )
    found.append(
        Target(f"editing k={k} at N={size}: {k} PATCH, at most {k} GET, no other write", ok,
               "; ".join(_fmt_requests(s.requests) for s in ops["edit"]))
    )
    return found


def _preview_target(results: Results, size: int, product_track: str, engine_track: str, label: str) -> Target:
    product = median_seconds(results[product_track][size]["preview"])
    engine = median_seconds(results[engine_track][size]["preview"])
    ratio = product / engine
    return Target(
        f"no-op preview at N={size}: at most {PREVIEW_VS_ENGINE_MAX}x the engine floor{label}",
        ratio <= PREVIEW_VS_ENGINE_MAX, f"{product:.2f} s / {engine:.2f} s = {ratio:.2f}x",
    )


def _create_target(results: Results, size: int, product_track: str, engine_track: str, label: str) -> Target:
    product = median_seconds(results[product_track][size]["create"])
    engine = median_seconds(results[engine_track][size]["create"])
    network = median_seconds(results["network"][size]["create"])
    ratio = product / (engine + network)
    return Target(
        f"create-all at N={size}: at most {CREATE_VS_FLOORS_MAX}x (engine floor + network floor){label}",
        ratio <= CREATE_VS_FLOORS_MAX,
        f"{product:.2f} s / ({engine:.2f} + {network:.2f}) s = {ratio:.2f}x",
    )


def _growth(results: Results, track: str, op: str, small: int, large: int) -> tuple[float, float, float]:
    per_small = median_seconds(results[track][small][op]) / small
    per_large = median_seconds(results[track][large][op]) / large
    return per_small, per_large, per_large / per_small


def _growth_target(
    results: Results, op: str, small: int, large: int, product_track: str, engine_track: str, label: str
) -> Target:
    per_small, per_large, ratio = _growth(results, product_track, op, small, large)
    _, _, floor_ratio = _growth(results, engine_track, op, small, large)
    detail = f"{per_large * 1000:.1f} ms vs {per_small * 1000:.1f} ms = {ratio:.2f}x"
    floor_bound = ratio > GROWTH_MAX and floor_ratio > GROWTH_MAX
    if floor_bound:
        detail += f"; the engine floor itself grows {floor_ratio:.2f}x"
    return Target(
        f"{LABELS[op]}: per-persona time at N={large} at most {GROWTH_MAX}x that at N={small}{label}",
        ratio <= GROWTH_MAX, detail, floor_bound,
    )
