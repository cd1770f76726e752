"""`preflight`: call every custom LLM the way Tavus will, before `pulumi up` (docs/preflight.md).

A persona with a broken custom LLM deploys fine and then fails in a live call. For every persona
with a custom (non-`tavus-*`) LLM, or only the ones named, this resolves its references from the
stack's config and sends short streaming chat completions to `{base_url}/chat/completions`:
a plain one, one offering the file's tools, and one shaped like perception's messages. Exit 0 when
every check passes (warnings allowed), 1 otherwise. No secret is printed: every secret value
sent is redacted from everything printed, including endpoint answers that echo headers back.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from providers.cli.preflight.checks import (
    Target,
    Verdict,
    judge_extra,
    judge_plain,
    perception_rejected,
    tools_rejected,
)
from providers.cli.preflight.config import StackConfig
from providers.cli.preflight.probe import Exchange, send
from providers.cli.preflight.report import PersonaResult, Report
from providers.cli.preflight.targets import resolve, select
from providers.client import http_timeout, redact
from providers.spec import load_personas


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "preflight",
        help="call each custom LLM as Tavus will (streaming, tools, perception) before `pulumi up`",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("personas", nargs="*", metavar="PERSONA",
                        help="resource names (e.g. storyteller) or persona_names; default: every custom LLM")
    parser.add_argument("--stack", required=True, help="the stack whose config resolves {secret:}/{config:}")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--json", action="store_true", help="print a JSON report instead of text")
    parser.add_argument("--ttft-warn-ms", type=float, default=1500.0,
                        help="warn when the first token takes longer (default: 1500)")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds each request may take, connection to [DONE] (default: 20)")
    parser.add_argument("--base-url", dest="base_url",
                        help="send to this base_url instead of each persona's layers.llm.base_url")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    report = Report(stack=args.stack, ttft_warn_ms=args.ttft_warn_ms, timeout_s=args.timeout)
    secrets: list[str] = []
    files, diagnostics = load_personas(args.root)
    chosen, report.notes, report.errors = select(files, args.personas)
    errors = [d for d in diagnostics if d.severity == "error"]
    invalid = {d.file for d in errors}
    # Errors of the files being checked, and (when checking all) of files that did not load at all:
    # such a file may hold a custom LLM too.
    relevant = {p.file for p in chosen}
    if not args.personas:
        relevant |= invalid - {p.file for p in files}
    report.errors += [f"{d.format()} (see `python -m providers validate`)" for d in errors
                      if d.file in relevant]
    config = StackConfig(args.stack, args.root)
    with httpx.Client(timeout=http_timeout(args.timeout), follow_redirects=False) as client:
        for persona in chosen:
            if persona.file in invalid:
                continue  # its validation errors are in report.errors
            resolution = resolve(persona, config, args.base_url)
            secrets += resolution.secrets
            if resolution.target is None:
                problems = resolution.problems
                report.personas.append(PersonaResult.unresolved(persona.name, persona.file, problems))
                continue
            probe = Probe(client, resolution.target, resolution.secrets, args.timeout)
            report.personas.append(check(probe, args.ttft_warn_ms))
    text = report.to_json() if args.json else report.to_text()
    # Every value we sent that may be secret is removed from everything printed, including
    # endpoint answers that echo headers back.
    print(redact(text, secrets))
    return 0 if report.ok else 1


@dataclass
class Probe:
    """Sends one persona's requests; redacts each answer before anything quotes or truncates it
    (a cut-off secret would no longer match)."""

    client: httpx.Client
    target: Target
    secrets: list[str] = field(repr=False)
    timeout: float

    def send(self, body: dict[str, Any]) -> Exchange:
        exchange = send(self.client, self.target.url, self.target.request_headers(), body, self.timeout)
        exchange.body = redact(exchange.body, self.secrets)
        exchange.failure_text = redact(exchange.failure_text, self.secrets)
        exchange.bad_event = None if exchange.bad_event is None else redact(exchange.bad_event, self.secrets)
        return exchange


def check(probe: Probe, ttft_warn_ms: float) -> PersonaResult:
    target, timeout = probe.target, probe.timeout
    verdict = Verdict()
    verdict.set("config", "pass", "references resolved")
    plain = probe.send(target.body(target.plain_messages()))
    judge_plain(target, plain, verdict, timeout, ttft_warn_ms)
    ready = not verdict.failed()
    if not target.tools:
        verdict.set("tools", "skip", "the file defines no layers.llm.tools")
    elif ready:
        body = target.body(target.plain_messages(), tools=target.tools)
        status, problem = judge_extra(target, probe.send(body), timeout, tools_rejected(target))
        accepted = f"a request offering {len(target.tools)} tool(s) was accepted"
        verdict.set("tools", status, problem or accepted)
    messages = target.perception_messages()
    if messages is None:
        verdict.set("perception", "skip", "perception_model is not raven-0, raven-1 or basic")
    elif ready:
        status, problem = judge_extra(target, probe.send(target.body(messages)), timeout,
                                      perception_rejected(target))
        verdict.set("perception", status,
                    problem or f"messages shaped like perception `{target.perception_model}` were accepted")
    return PersonaResult.checked(target, verdict, plain.ttft_ms, plain.total_ms)
