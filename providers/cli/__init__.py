"""`python -m providers COMMAND`: the GitOps commands around `pulumi up` (docs/gitops.md).

Each command lives in its own module exposing `register(subparsers)`, which adds a
sub-parser whose `handler` default takes the parsed arguments and returns the exit
code. Add a command by adding its module name to COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = ("validate", "drift", "pr_comment", "export", "preflight", "recover", "promote")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m providers",
        description="Tavus personas as code: checks and reports around `pulumi up`.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"providers.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
