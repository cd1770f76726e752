"""`pr-comment`: turn `pulumi preview --json` into a Markdown pull-request comment (docs/gitops.md).

Per persona: the operation and the field-level changes (old -> new; long prompts as unified
diffs), secrets only as "changed" (Pulumi already prints them as "[secret]"; we never print a
value at a secret path either way), plus the offline validation's findings. `pulumi preview --json`
leaves unchanged resources out, so they are counted from the project's files (`--root`, default the
current directory); where there is no `personas/` directory the count is said to be unknown.
The output is a pure function of the plan: sorted, no timestamps, so a sticky comment changes
only when the plan does. The hidden MARKER lets a sticky-comment action find its comment.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from providers.cli._changes import markdown_changes
from providers.cli._plan import PersonaPlan, counts, persona_plans, stack_of
from providers.facts import KINDS
from providers.spec import Diagnostic, Project, load_project

MARKER = "<!-- tavus-personas:pr-comment -->"
UNCOUNTED = "unchanged not counted (no `personas/` in the project root: run in the project or pass `--root`)"
_SECTIONS = {"objectives": "Objectives", "guardrails": "Guardrails", "personas": "Personas"}
_SIGN = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "import": "=", "unchanged": " "}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pr-comment", help="Markdown PR comment from `pulumi preview --json`"
    )
    parser.add_argument("file", nargs="?", default="-", help="preview JSON file, or - for stdin (default)")
    parser.add_argument(
        "--root", type=Path, default=Path("."),
        help="project root: its files count the unchanged personas and are validated (default: .)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except ValueError as exc:
        print(f"pr-comment: {args.file}: not the JSON of `pulumi preview --json`: {exc}", file=sys.stderr)
        return 1
    if not isinstance(document, dict):
        print(f"pr-comment: {args.file}: expected a JSON object", file=sys.stderr)
        return 1
    sys.stdout.write(render(document, args.root))
    return 0


def render(document: dict[str, Any], root: Path | None = None) -> str:
    """The comment; `root` is the project (None, or a directory without `personas/`: no files to
    count unchanged personas from, so the summary says the count is unknown)."""
    plans = persona_plans(document)
    project = root if root is not None and (root / "personas").is_dir() else None
    loaded = load_project(project) if project is not None else Project()
    files, diagnostics = loaded.all_files, loaded.diagnostics
    # `pulumi preview --json` leaves out unchanged resources: the files they come from count them.
    planned = {plan.resource for plan in plans}
    plans += [PersonaPlan(f.name, "unchanged", folder=f.folder) for f in files if f.name not in planned]
    stack = stack_of(document)
    title = f"## Tavus personas: plan for stack `{stack}`" if stack else "## Tavus personas: plan"
    lines = [MARKER, title, "", _summary(plans, unchanged_known=project is not None), ""]
    lines += _preview_errors(document)
    changed = [plan for plan in plans if plan.operation != "unchanged"]
    # With objectives or guardrails in the plan, one section per kind, in the order Tavus needs them.
    sectioned = any(plan.folder != "personas" for plan in plans)
    for folder in (*KINDS, "personas"):
        in_kind = [plan for plan in changed if plan.folder == folder]
        if in_kind and sectioned:
            lines += [f"## {_SECTIONS.get(folder, folder)}", ""]
        for plan in in_kind:
            lines += _persona(plan)
    if project is not None:
        lines += _validation(len(files), diagnostics)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))  # one blank line between blocks
    return text.rstrip("\n") + "\n"


def _summary(plans: list[PersonaPlan], unchanged_known: bool) -> str:
    n = counts(plans)
    parts = [f"{n['create']} to create", f"{n['update']} to update"]
    if n["replace"]:
        parts.append(f"{n['replace']} to replace")
    parts += [f"{n['delete']} to delete", f"{n['unchanged']} unchanged" if unchanged_known else UNCOUNTED]
    return f"**{', '.join(parts)}**"


def _persona(plan: PersonaPlan) -> list[str]:
    name = f" — {plan.persona_name}" if plan.persona_name else ""
    ident = f" (`{plan.persona_id}`)" if plan.persona_id else ""
    lines = [f"### {_SIGN.get(plan.operation, '?')} {plan.operation} `{plan.resource}`{name}{ident}", ""]
    what = "persona" if plan.folder == "personas" else KINDS[plan.folder].endpoint.label
    if plan.adopt:
        lines += [f"Adopts the existing {what} `{plan.adopt}` instead of creating one.", ""]
    if plan.operation == "delete":
        lines += [f"The {what} will be deleted from Tavus.", ""]
    if plan.changes:
        lines += [*markdown_changes(plan.changes), ""]
    return lines


def _preview_errors(document: dict[str, Any]) -> list[str]:
    errors = [
        str(d.get("message", "")).strip()
        for d in document.get("diagnostics") or []
        if d.get("severity") == "error"
    ]
    if not errors:
        return []
    return ["### Preview failed", "", "```", *sorted(set(errors)), "```", ""]


def _validation(file_count: int, diagnostics: list[Diagnostic]) -> list[str]:
    if not diagnostics:
        return ["### Validation", "", f"{file_count} file(s): no errors, no warnings."]
    lines = ["### Validation", ""]
    lines += [f"- `{d.format()}`" for d in diagnostics]
    return lines
