"""`validate`: the offline checks of every file (personas, objectives, guardrails), including every
`{ref:}` between them (README: The persona file, The persona's graph; docs/gitops.md).

No network and no Pulumi stack: fast enough for a pre-commit hook. With `--stack`,
`{secret:}`/`{config:}` references are also checked against `Pulumi.<stack>.yaml`.
Exit 1 when any file has an error, 0 otherwise; warnings are printed either way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from providers.cli._pulumi import project_name
from providers.cli._stack import read_stack_config
from providers.errors import StackConfigError
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
        try:
            keys = read_stack_config(args.root, args.stack, decrypt=False).keys()
        except StackConfigError as exc:
            print(f"validate: {exc}", file=sys.stderr)
            return 1
        diagnostics += check_references(files, has_config=keys.__contains__, project=project_name(args.root))
    return report(diagnostics, len(files))


def report(diagnostics: list[Diagnostic], file_count: int) -> int:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr if diagnostic.severity == "error" else sys.stdout)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"{file_count} file(s): {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0
