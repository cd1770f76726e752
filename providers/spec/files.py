"""Loading persona files: one file from text, or every file of a project with cross-file rules."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from providers.settings import qualified_config_key
from providers.spec.model import Diagnostic, FieldPath, PersonaFile, PersonaOptions, Ref, format_path
from providers.spec.report import FileReport
from providers.spec.rules import check_rules
from providers.spec.schema_check import check_fields, check_types
from providers.spec.yaml_nodes import MAX_FILE_BYTES, parse

OPTIONS_KEY = "pulumi"
PERSONA_SUFFIXES = (".yaml", ".yml")
PERSONA_ID = re.compile(r"^p[0-9a-f]+$")  # as in the schema's pulumi.adopt
ITEM_ID = re.compile(r"^[A-Za-z][0-9A-Za-z_]*$")  # other kinds: each schema checks its own prefix


def load_persona_text(text: str, file: str, name: str) -> tuple[PersonaFile | None, list[Diagnostic]]:
    """One file, without cross-file rules. None when the text is not a YAML mapping."""
    persona, report = _load(text, file, name)
    return persona, in_line_order(report.diagnostics)


def _load(text: str, file: str, name: str) -> tuple[PersonaFile | None, FileReport]:
    report = FileReport(file)
    document = parse(text, report)
    if document is None:
        return None, report
    # Specific checks first: they claim the paths they explain, so generic schema errors there are dropped.
    check_fields(document, report)
    check_rules(document, name, report)
    check_types(document, report)
    return spec_file(document, report, name), report


def spec_file(
    document: dict[str, Any], report: FileReport, name: str, folder: str = "personas"
) -> PersonaFile:
    """The loaded file: its Tavus body (without the `pulumi:` options), options, references and lines."""
    body = {key: value for key, value in document.items() if key != OPTIONS_KEY}
    return PersonaFile(
        name=name,
        file=report.file,
        body=body,
        options=_options(document.get(OPTIONS_KEY), PERSONA_ID if folder == "personas" else ITEM_ID),
        refs=tuple(_references(body, ())),
        lines={format_path(path): line for path, line in report.lines.items()},
        folder=folder,
    )


def validate_body(body: Mapping[str, Any]) -> list[Diagnostic]:
    """The errors of an already-resolved Tavus body: the provider's `check`, after Pulumi substituted
    the references. The file rules apply except that secrets are plaintext here (as the engine
    hands them to the provider); warnings are left out (they were shown when the file was loaded)."""
    report = FileReport("")
    check_fields(body, report)
    check_rules(body, "persona", report, resolved=True)
    check_types(body, report)
    return [d for d in in_line_order(report.diagnostics) if d.severity == "error"]


def _options(raw: Any, id_pattern: re.Pattern[str]) -> PersonaOptions:
    """The valid options; invalid ones are reported by the schema check and left at their default."""
    options = raw if isinstance(raw, Mapping) else {}
    protect, retain, adopt = (options.get(k) for k in ("protect", "retain_on_delete", "adopt"))
    return PersonaOptions(
        protect=protect if isinstance(protect, bool) else False,
        retain_on_delete=retain if isinstance(retain, bool) else False,
        adopt=adopt if isinstance(adopt, str) and id_pattern.match(adopt) else None,
    )


def _references(value: Any, path: FieldPath) -> Iterator[tuple[str, Ref]]:
    if isinstance(value, Ref):
        yield format_path(path), value
    elif isinstance(value, Mapping):
        for key, child in value.items():
            yield from _references(child, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(item, (*path, index))


def in_line_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.file, d.line or 0))


# --------------------------------------------------------------------------------------------------
# a project


def load_personas(root: Path, directory: str = "personas") -> tuple[list[PersonaFile], list[Diagnostic]]:
    """Every <directory>/**/*.yaml and *.yml under `root`, sorted, each validated fully, plus the
    cross-file rules (unique persona_name, unique resource name).

    Returns every file that parsed to a mapping, including files with errors (so that `validate`
    can also check their references), and all diagnostics ordered by file then line. Callers must
    refuse to apply anything when any diagnostic is an error. Files and folders whose name starts
    with "." (editor backups) are skipped.
    """
    base = root / directory
    if not base.is_dir():
        return [], [Diagnostic("error", directory, None, "", f"no `{directory}/` directory under {root}: "
                                                              "run from the project root")]
    personas: list[PersonaFile] = []
    reports: list[FileReport] = []
    for path in file_paths(base):
        name = path.relative_to(base).with_suffix("").as_posix()
        file = path.relative_to(root).as_posix()
        text, report = read_file(path, file)
        persona = None
        if text is not None:
            persona, report = _load(text, file, name)
        reports.append(report)
        if persona is not None:
            personas.append(persona)
    diagnostics = [d for report in reports for d in report.diagnostics]
    diagnostics += _duplicate_names(personas) + _duplicate_persona_names(personas)
    if not reports:
        diagnostics.append(Diagnostic("warning", directory, None, "", "no persona files: every managed "
                                                                      "persona would be deleted"))
    return personas, in_line_order(diagnostics)


def file_paths(base: Path) -> list[Path]:
    """The YAML files under `base`, sorted; names starting with "." (editor backups) are skipped."""
    return sorted(
        path
        for path in base.rglob("*")
        if path.suffix in PERSONA_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(base).parts)
    )


def read_file(path: Path, file: str) -> tuple[str | None, FileReport]:
    """The file's text, or None and a report saying why it was refused (too large, not UTF-8)."""
    # Refuse by size before reading, and never read more than the limit even if the file grows.
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, _file_error(file, f"file is {size / 2**20:.1f} MiB; a file is at most "
                                       f"{MAX_FILE_BYTES // 1024} KiB: refused without reading it")
    with path.open("rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return None, _file_error(file, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, _file_error(file, f"not UTF-8 text (byte {exc.start}): save the file as UTF-8", line)
    return text, FileReport(file)


def _file_error(file: str, message: str, line: int | None = None) -> FileReport:
    report = FileReport(file)
    report.error((), message, line)
    return report


def _duplicate_names(personas: Sequence[PersonaFile]) -> list[Diagnostic]:
    """x.yaml and x.yml would both be the resource `x`."""
    by_name: dict[str, list[PersonaFile]] = defaultdict(list)
    for persona in personas:
        by_name[persona.name].append(persona)
    return [
        Diagnostic("error", p.file, None, "", f"resource name `{p.name}` is also the name of "
                   f"{_others(p, group)}: rename one of the files")
        for group in by_name.values() if len(group) > 1 for p in group
    ]


def _duplicate_persona_names(personas: Sequence[PersonaFile]) -> list[Diagnostic]:
    """persona_name is unique in a stack: recovery from a lost create response matches by name."""
    by_name: dict[str, list[PersonaFile]] = defaultdict(list)
    for persona in personas:
        name = persona.body.get("persona_name")
        if isinstance(name, str):
            by_name[name].append(persona)
    return [
        Diagnostic("error", p.file, p.lines.get("persona_name"), "persona_name",
                   f"persona_name `{name}` is also used by {_others(p, group)}; persona names must be "
                   "unique in a stack (recovery after a lost create matches by name): rename one")
        for name, group in by_name.items() if len(group) > 1 for p in group
    ]


def _others(persona: PersonaFile, group: list[PersonaFile]) -> str:
    return ", ".join(other.file for other in group if other is not persona)


# --------------------------------------------------------------------------------------------------
# references


def check_references(
    files: Sequence[PersonaFile], has_config: Callable[[str], bool], project: str = "tavus-personas"
) -> list[Diagnostic]:
    """An error for every reference whose config key is not set in the stack.

    `has_config` receives the full key, `<project>:<key>` (a key written with a namespace, such as
    `{secret: other:key}`, is passed as written), as `pulumi config` stores it.
    """
    diagnostics = []
    for persona in files:
        for path, ref in persona.refs:
            if ref.kind == "ref":  # another resource of the stack, not config: see spec.graph
                continue
            if not has_config(qualified_config_key(ref.key, project)):
                secret = " --secret" if ref.kind == "secret" else ""
                diagnostics.append(Diagnostic(
                    "error", persona.file, persona.lines.get(path), path,
                    f"{{{ref.kind}: {ref.key}}} is not set in this stack's config: run "
                    f"`pulumi config set{secret} {ref.key} <value>`",
                ))
    return in_line_order(diagnostics)


def substitute(body: Mapping[str, Any], resolve: Callable[[Ref], Any]) -> dict[str, Any]:
    """A new deep copy of `body` with every Ref replaced by resolve(ref) (any object, e.g. an Output)."""
    result: dict[str, Any] = _substitute(body, resolve)
    return result


def _substitute(value: Any, resolve: Callable[[Ref], Any]) -> Any:
    if isinstance(value, Ref):
        return resolve(value)
    if isinstance(value, Mapping):
        return {key: _substitute(child, resolve) for key, child in value.items()}
    if isinstance(value, list):
        return [_substitute(item, resolve) for item in value]
    return value  # JSON scalars are immutable
