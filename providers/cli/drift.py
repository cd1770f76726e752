"""`drift --stack NAME`: what changed in Tavus behind Pulumi's back (docs/gitops.md).

Exit 0 clean, 2 drift, 1 error. Personas and every kind they reference alike. Three sections,
per resource and per field:
- managed-field drift and personas deleted out of band come from
  `pulumi refresh --preview-only --json` (state -> what the provider's read returns; nothing is
  written to the stack);
- changes to fields the files do not set (`unmanaged`) cannot come from that JSON: the CLI only
  carries a new state for steps whose *inputs* changed, so a refresh that changes outputs only shows
  the old state. They are computed by listing the personas with the Tavus client (configured from
  the stack's `tavus:*` settings exactly as the provider is, env fallback) and comparing each with
  the `unmanaged` output stored at the last up/refresh, the same way the provider computes it.
Secrets are never shown: a changed secret is "changed" plus its non-secret fingerprints.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from providers.canonical import unmanaged_fields
from providers.cli._changes import FieldChange, Kind, field_changes
from providers.cli._drift_report import DriftReport, PersonaDrift
from providers.cli._pulumi import CliError, pulumi_json, resource_name
from providers.cli._stack import stack_client
from providers.errors import TavusPersonasError
from providers.facts import kind_of_urn, persona
from providers.kind import Kind as ResourceKind

EXIT_CLEAN, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("drift", help="report changes made outside Pulumi (exit 2 on drift)")
    parser.add_argument("--stack", required=True, help="the stack to check")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="JSON report (schema: docs/gitops.md)")
    form.add_argument("--markdown", action="store_true", help="Markdown, e.g. for $GITHUB_STEP_SUMMARY")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        report = check(args.root, args.stack)
    except TavusPersonasError as exc:
        print(f"drift: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(report.as_json(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        sys.stdout.write(report.markdown() if args.markdown else report.text())
    return EXIT_DRIFT if report.drifted else EXIT_CLEAN


def check(root: Path, stack: str) -> DriftReport:
    document = pulumi_json(root, "refresh", "--preview-only", "--json", "--stack", stack)
    steps = [s for s in document.get("steps") or [] if _managed_by_us(str(s.get("urn", "")))]
    report = DriftReport(stack=stack, checked=len(steps))
    alive: list[Mapping[str, Any]] = []
    for step in steps:
        old = step.get("oldState") or {}
        if step.get("op") == "delete":
            report.deleted.append(_persona(step, old))
            continue
        alive.append(step)
        if step.get("op") == "update":
            managed = _managed_changes(step, old, step.get("newState") or {})
            if managed:
                report.managed.append(_persona(step, old, managed))
    if alive:
        report.unmanaged = _unmanaged_drift(root, stack, alive)
    return report


def _managed_by_us(urn: str) -> bool:
    return kind_of_urn(urn) is not None


def _kind(step: Mapping[str, Any]) -> ResourceKind:
    kind = kind_of_urn(str(step["urn"]))
    if kind is None:
        raise CliError(f"not a resource of this project: {step['urn']}")  # steps are filtered first
    return kind


def _persona(
    step: Mapping[str, Any], old: Mapping[str, Any], changes: list[FieldChange] | None = None
) -> PersonaDrift:
    kind = _kind(step)
    return PersonaDrift(
        resource=resource_name(str(step["urn"])),
        persona_id=str(old.get("id", "")),
        persona_name=(old.get("inputs") or {}).get(kind.title_field),
        changes=changes or [],
        kind="persona" if kind is persona.KIND else kind.folder,
    )


def _managed_changes(
    step: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[FieldChange]:
    resource_kind = _kind(step)
    body_of = resource_kind.body_of
    changes = field_changes(body_of(old.get("inputs") or {}), body_of(new.get("inputs") or {}),
                            resource_kind.keyed_lists)
    before = (old.get("outputs") or {}).get("secret_fingerprints") or {}
    after = (new.get("outputs") or {}).get("secret_fingerprints") or {}
    secret_paths = {c.path for c in changes if c.secret}
    changes = [c for c in changes if not c.secret]
    for path in sorted(secret_paths | {p for p in set(before) | set(after) if before.get(p) != after.get(p)}):
        kind: Kind = "add" if path not in before else "remove" if path not in after else "update"
        changes.append(FieldChange(path, kind, secret=True, old_fingerprint=before.get(path),
                                   new_fingerprint=after.get(path)))
    return sorted(changes, key=lambda c: c.path)


def _unmanaged_drift(root: Path, stack: str, steps: list[Mapping[str, Any]]) -> list[PersonaDrift]:
    by_kind: dict[str, list[Mapping[str, Any]]] = {}
    for step in steps:
        by_kind.setdefault(_kind(step).folder, []).append(step)
    drifted = []
    with stack_client(root, stack) as personas:
        for kind_steps in by_kind.values():
            kind = _kind(kind_steps[0])
            # Personas' collection is a setting (personas or PALs): the stack's client knows it.
            client = personas if kind is persona.KIND else personas.at(kind.endpoint)
            id_field = client.endpoint.id_field
            live = {str(item.get(id_field)): item for item in client.iter_items()}
            for step in kind_steps:
                old = step.get("oldState") or {}
                item = live.get(str(old.get("id"))) or client.get(str(old.get("id")))
                if item is None:
                    continue  # gone since the refresh preview; the next run reports it as deleted
                changes = _unmanaged_changes(kind, old, item)
                if changes:
                    drifted.append(_persona(step, old, changes))
    return drifted


def _unmanaged_changes(
    kind: ResourceKind, old: Mapping[str, Any], live: Mapping[str, Any]
) -> list[FieldChange]:
    """Stored `unmanaged` output vs the live fields the last applied inputs do not set, computed
    as the provider computes `unmanaged` (ItemProvider._with_computed)."""
    stored = (old.get("outputs") or {}).get("unmanaged") or {}
    now = unmanaged_fields(kind.canonical(live), kind.body_of(old.get("inputs") or {}))
    return field_changes(stored, now)
