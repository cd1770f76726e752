"""`promote --from dev --to staging [--apply]`: move a tested set of persona files one stack on.

What "promote" means here (docs/team.md, "Promotion"): the stacks dev -> staging -> prod are
deployed from the same files, each with its own config (`{config: replicaId}` and secrets per
stack). Promoting applies the files of the commit you stand on to the next stack, and only when
the previous stack runs exactly those files:

1. Gate: `pulumi preview --refresh --json` of the `--from` stack must plan nothing for any
   persona. A planned change means the files differ from what that stack runs (promote the
   commit that was deployed there) or that stack drifted (someone edited a persona outside
   Pulumi). Refused with exit 2 and that stack's plan, so you see why.
2. Show: `pulumi preview --refresh --json` of the `--to` stack, rendered as the pr-comment
   Markdown: what the promotion will change there, per persona and per field, secrets hidden.
3. With `--apply`: `pulumi up --refresh` on the `--to` stack. Without it nothing is written.

Exit codes: 0 shown (or applied), 2 refused (the `--from` stack is not clean), 1 error
(including a lock held by another run, explained with its holder).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from providers.cli._plan import persona_plans
from providers.cli._pulumi import CliError, pulumi_json, stream_pulumi
from providers.cli.pr_comment import render

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "promote", help="show (and with --apply, deploy) what promoting the files to the next stack changes"
    )
    parser.add_argument("--from", dest="source", required=True, help="the stack the files run on now (dev)")
    parser.add_argument("--to", dest="target", required=True, help="the next stack (staging)")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--apply", action="store_true", help="run `pulumi up` on the --to stack")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        return promote(args.root, args.source, args.target, apply=args.apply)
    except CliError as exc:
        print(f"promote: {exc}", file=sys.stderr)
        return EXIT_ERROR


def promote(root: Path, source: str, target: str, *, apply: bool) -> int:
    if source == target:
        raise CliError("--from and --to name the same stack")
    gate = _preview(root, source)
    pending = [p for p in persona_plans(gate) if p.operation != "unchanged"]
    if pending:
        print(
            f"promote: refused: stack {source} does not run exactly these files "
            f"({len(pending)} resource(s) would change there). Deploy them to {source} first, or check "
            f"out the commit {source} runs; if this is drift, see `python -m providers drift --stack "
            f"{source}`. The plan for {source}:\n",
            file=sys.stderr,
        )
        sys.stderr.write(render(gate, root))
        return EXIT_REFUSED
    print(f"promote: stack {source} runs exactly these files; what promoting them changes in {target}:\n")
    sys.stdout.write(render(_preview(root, target), root))
    if not apply:
        print(f"\npromote: nothing applied; run again with --apply to deploy this to stack {target}")
        return EXIT_OK
    print(f"\npromote: applying to stack {target}", flush=True)
    stream_pulumi(root, "up", "--refresh", "--yes", "--skip-preview", "--stack", target)
    print(f"promote: stack {target} now runs the files of stack {source}")
    return EXIT_OK


def _preview(root: Path, stack: str) -> dict[str, Any]:
    """`pulumi preview --refresh --json` of the stack: what `up --refresh` would do there."""
    # A failed preview (invalid file, missing config) raises CliError with its error diagnostics.
    document = pulumi_json(root, "preview", "--refresh", "--json", "--stack", stack)
    if not isinstance(document, dict):
        raise CliError(f"`pulumi preview --stack {stack}` printed no JSON object")
    return document
