"""`validate`: the offline checks of SPEC sections 2 and 9 on every file (personas, objectives,
guardrails), including every `{ref:}` between them.

No network and no Pulumi stack: fast enough for a pre-commit hook. With `--stack`,
`{secret:}`/`{config:}` references are also checked against `Pulumi.<stack>.yaml`.
Exit 1 when any file has an error, 0 otherwise; warnings are printed either way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from providers.cli._pulumi import project_name
from providers.spec import Diagnostic, check_references, load_project


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("validate", help="check every file offline")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--stack", help="also check references against Pulumi.<STACK>.yaml")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    project = load_project(args.root)
    diagnostics, files = project.diagnostics, project.all_files
    if args.stack:
        keys = stack_config_keys(args.root / f"Pulumi.{args.stack}.yaml")
        diagnostics += check_references(files, has_config=keys.__contains__, project=project_name(args.root))
    return report(diagnostics, len(files))


def stack_config_keys(path: Path) -> set[str]:
    """Fully qualified keys (`project:key`) set in a stack's config file."""
    if not path.exists():
        return set()
    document = yaml.safe_load(path.read_text()) or {}
    return set((document.get("config") or {}).keys())


def report(diagnostics: list[Diagnostic], file_count: int) -> int:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr if diagnostic.severity == "error" else sys.stdout)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"{file_count} file(s): {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0
