"""The persona's graph: objectives and guardrails files, and `{ref: <folder>/<name>}` references.

`load_project` loads every file of a project (personas/ and one folder per kind) and checks what
spans files: every reference names a file of the right kind, objective graphs are well formed,
names that identify an item (guardrails `name`) are unique. Pure and offline, like the rest of spec.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from providers.facts import KINDS, REF_FIELDS, objectives, ref_field
from providers.kind import Kind
from providers.spec.files import (
    OPTIONS_KEY,
    file_paths,
    in_line_order,
    load_personas,
    read_file,
    spec_file,
)
from providers.spec.model import Diagnostic, FieldPath, PersonaFile, Ref
from providers.spec.report import FileReport
from providers.spec.rules import check_options
from providers.spec.schema_check import check_fields, check_types, near_miss
from providers.spec.yaml_nodes import parse


@dataclass
class Project:
    """Every file of a project, by folder (`personas`, `objectives`, ...), and all their diagnostics."""

    files: dict[str, list[PersonaFile]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def personas(self) -> list[PersonaFile]:
        return self.files.get("personas", [])

    def items(self, folder: str) -> list[PersonaFile]:
        return self.files.get(folder, [])

    @property
    def all_files(self) -> list[PersonaFile]:
        return [f for files in self.files.values() for f in files]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def load_project(root: Path) -> Project:
    """personas/ and every kind's folder under `root`, each file validated, plus the cross-file rules."""
    personas, diagnostics = load_personas(root)
    project = Project({"personas": personas}, diagnostics)
    for kind in KINDS.values():
        files, kind_diagnostics = load_kind(root, kind)
        project.files[kind.folder] = files
        project.diagnostics += kind_diagnostics
    project.diagnostics += check_resource_refs(project)
    project.diagnostics = in_line_order(project.diagnostics)
    return project


# --------------------------------------------------------------------------------------------------
# one kind's folder


def load_kind(root: Path, kind: Kind) -> tuple[list[PersonaFile], list[Diagnostic]]:
    """Every `<folder>/**/*.yaml` of `kind` (a missing or empty folder is fine)."""
    base = root / kind.folder
    if not base.is_dir():
        return [], []
    files: list[PersonaFile] = []
    diagnostics: list[Diagnostic] = []
    for path in file_paths(base):
        file = path.relative_to(root).as_posix()
        name = kind.resource_name(path.relative_to(base).with_suffix("").as_posix())
        text, report = read_file(path, file)
        loaded = load_kind_text(text, file, name, kind) if text is not None else None
        if loaded is not None:
            files.append(loaded[0])
            report = loaded[1]
        diagnostics += report.diagnostics
    diagnostics += _duplicate_names(files, kind)
    return files, diagnostics


def load_kind_text(text: str, file: str, name: str, kind: Kind) -> tuple[PersonaFile, FileReport] | None:
    report = FileReport(file)
    document = parse(text, report)
    if document is None:
        return None
    check_options(document.get(OPTIONS_KEY), report)
    check_fields(document, report, kind.schema_file)
    _check_kind_rules(document, kind, report)
    _refuse_resource_refs(document, report)
    check_types(document, report, kind.schema_file)
    return spec_file(document, report, name, folder=kind.folder), report


def validate_item_body(body: Mapping[str, Any], kind: Kind) -> list[Diagnostic]:
    """The errors of a resolved body of `kind`: the provider's `check` (warnings were shown on load)."""
    report = FileReport("")
    check_fields(body, report, kind.schema_file)
    _check_kind_rules(body, kind, report)
    check_types(body, report, kind.schema_file)
    return [d for d in in_line_order(report.diagnostics) if d.severity == "error"]


def _check_kind_rules(document: Mapping[str, Any], kind: Kind, report: FileReport) -> None:
    data = document.get("data")
    if not isinstance(data, list):
        return
    name_field = kind.keyed_lists.get("data", "")
    names = _unique_item_names(data, name_field, report)
    if kind.folder == objectives.KIND.folder:
        _check_objective_graph(data, names, report)


def _unique_item_names(data: list[Any], name_field: str, report: FileReport) -> dict[str, int]:
    """item name -> index of its first item; a repeated name is an error."""
    first: dict[str, int] = {}
    for index, item in enumerate(data):
        name = item.get(name_field) if isinstance(item, Mapping) else None
        if not isinstance(name, str):
            continue
        if name in first:
            report.error(("data", index, name_field), f"`{name}` is also the name of data[{first[name]}]: "
                                                      "names must be unique within a set; rename one")
        else:
            first[name] = index
    return first


def _check_objective_graph(data: list[Any], names: Mapping[str, int], report: FileReport) -> None:
    """`next_*` name objectives of this set, and every objective can be reached from the first."""
    edges: dict[int, list[int]] = defaultdict(list)
    linked, broken = False, False
    for index, item in enumerate(data):
        if not isinstance(item, Mapping):
            continue
        for path, target in _next_objectives(item):
            linked = True
            where: FieldPath = ("data", index, *path)
            if target not in names:
                broken = True
                guess = near_miss(target, list(names), cutoff=0.6)
                hint = f"did you mean `{guess}`? " if guess else ""
                report.error(where, f"`{target}` is not an objective of this file; {hint}"
                                    f"objectives here: {', '.join(names) or '(none)'}")
            elif names[target] == index:
                report.error(where, f"`{target}` names the objective itself: it cannot follow itself")
            else:
                edges[index].append(names[target])
    if linked and not broken:  # a broken link already explains why something is unreachable
        _check_reachable(data, edges, report)


def _next_objectives(item: Mapping[str, Any]) -> list[tuple[FieldPath, str]]:
    found: list[tuple[FieldPath, str]] = []
    required = item.get("next_required_objective")
    if isinstance(required, str):
        found.append((("next_required_objective",), required))
    conditional = item.get("next_conditional_objectives")
    if isinstance(conditional, Mapping):
        found += [(("next_conditional_objectives", key), key) for key in conditional if isinstance(key, str)]
    return found


def _check_reachable(data: list[Any], edges: Mapping[int, list[int]], report: FileReport) -> None:
    """The conversation starts at data[0] and moves along next_* links: an objective that no path
    from data[0] reaches (e.g. one only a cycle of other unreachable objectives leads to) never runs."""
    reached = {0}
    queue = deque([0])
    while queue:
        for target in edges.get(queue.popleft(), []):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    for index, item in enumerate(data):
        if index in reached or not isinstance(item, Mapping):
            continue
        name = item.get("objective_name", f"data[{index}]")
        report.error(("data", index, "objective_name"),
                     f"objective `{name}` is unreachable: no chain of next_required_objective / "
                     "next_conditional_objectives from the first objective leads to it; link it from "
                     "another objective, or move it first")


def _refuse_resource_refs(document: Mapping[str, Any], report: FileReport) -> None:
    for path, value in _refs(document, ()):
        if value.kind == "ref":
            report.error(path, "`{ref: ...}` is for persona files (objectives_id, guardrails_id, ...); "
                               "use {config: KEY} or a literal value here")


def _refs(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Ref]]:
    if isinstance(value, Ref):
        return [(path, value)]
    if isinstance(value, Mapping):
        return [found for key, child in value.items() for found in _refs(child, (*path, key))]
    if isinstance(value, list):
        return [found for i, child in enumerate(value) for found in _refs(child, (*path, i))]
    return []


def _duplicate_names(files: Sequence[PersonaFile], kind: Kind) -> list[Diagnostic]:
    """The name (or, for unnamed kinds, the content) by which a lost create is found again is unique."""
    by_identity: dict[tuple[str, str], list[PersonaFile]] = defaultdict(list)
    for item in files:
        name = kind.endpoint.name_of(item.body)
        if name:
            by_identity[(f"{kind.endpoint.name_field} `{name}`", "")].append(item)
        elif kind.endpoint.same_item is not None:
            content = json.dumps(item.body, default=repr, sort_keys=True)
            by_identity[(f"the same {kind.folder}", content)].append(item)
    field_path = kind.endpoint.name_field or ""
    return [
        Diagnostic("error", f.file, f.lines.get(field_path), field_path,
                   f"{what} is also used by {', '.join(o.file for o in group if o is not f)}: "
                   f"each {kind.endpoint.label} of a stack must be distinct (a create whose answer was lost "
                   "is found again by it); change one")
        for (what, _), group in by_identity.items() if len(group) > 1 for f in group
    ]


# --------------------------------------------------------------------------------------------------
# references between files


def check_resource_refs(project: Project) -> list[Diagnostic]:
    """Every `{ref:}` of a persona sits at an id field and names an existing file of that field's kind."""
    known = {f.name: folder for folder, files in project.files.items() if folder != "personas" for f in files}
    diagnostics = []
    for persona in project.personas:
        for path, ref in persona.refs:
            if ref.kind == "ref":
                problem = _ref_problem(path, ref.key, known)
                if problem:
                    line = persona.lines.get(path)
                    diagnostics.append(Diagnostic("error", persona.file, line, path, problem))
    return diagnostics


def _ref_problem(path: str, target: str, known: Mapping[str, str]) -> str | None:
    wanted = REF_FIELDS.get(ref_field(path))
    if wanted is None:
        fields = ", ".join(f"{f} ({k})" for f, k in REF_FIELDS.items())
        return f"`{{ref: {target}}}` cannot stand here: references go at {fields}"
    folder = target.split("/", 1)[0]
    if folder != wanted:
        return (f"`{path}` takes a reference to {wanted}/..., not `{target}` (a file of {folder}/): "
                f"point it at a file under {wanted}/")
    if target in known:
        return None
    candidates = sorted(name for name, kind in known.items() if kind == wanted)
    guess = near_miss(target, candidates, cutoff=0.6)
    hint = f"did you mean `{guess}`? " if guess else ""
    listing = ", ".join(candidates) if candidates else f"none (the {wanted}/ folder has no files)"
    return (f"`{{ref: {target}}}` names no file: {hint}known {wanted}: {listing}. If you removed "
            f"{target}.yaml, remove or change this reference in the same change")
