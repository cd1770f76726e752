"""The `preflight` report: per persona, each check's status and message; as text or JSON.

JSON schema (docs/preflight.md): {"stack", "ok", "ttft_warn_ms", "timeout_s", "errors": [str],
"notes": [str], "personas": [{"name", "file", "persona_name", "model", "base_url", "url", "ok",
"ttft_ms", "total_ms", "checks": [{"check", "status", "message"}]}]}. Redaction of secrets happens
on the rendered text, by the caller.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from providers.cli.preflight.checks import CHECKS, Check, Target, Verdict

STATUS_LABELS = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "skip": "skip"}


@dataclass
class PersonaResult:
    name: str
    file: str
    persona_name: str | None
    model: str | None
    base_url: str | None
    url: str | None
    ok: bool
    ttft_ms: float | None
    total_ms: float | None
    checks: list[Check]

    @classmethod
    def checked(
        cls, target: Target, verdict: Verdict, ttft_ms: float | None, total_ms: float | None
    ) -> PersonaResult:
        return cls(target.name, target.file, target.persona_name, target.model, target.base_url, target.url,
                   not verdict.failed(), ttft_ms, total_ms, verdict.as_list())

    @classmethod
    def unresolved(cls, name: str, file: str, problems: list[str]) -> PersonaResult:
        checks = [Check("config", "fail", "; ".join(problems))]
        checks += [Check(n, "skip", "not checked: the config check failed") for n in CHECKS if n != "config"]
        return cls(name, file, None, None, None, None, False, None, None, checks)


@dataclass
class Report:
    stack: str
    ttft_warn_ms: float
    timeout_s: float
    personas: list[PersonaResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(p.ok for p in self.personas)

    def to_json(self) -> str:
        document: dict[str, Any] = {
            "stack": self.stack,
            "ok": self.ok,
            "ttft_warn_ms": self.ttft_warn_ms,
            "timeout_s": self.timeout_s,
            "errors": self.errors,
            "notes": self.notes,
            "personas": [asdict(p) for p in self.personas],
        }
        return json.dumps(document, indent=2)

    def to_text(self) -> str:
        lines = [f"preflight (stack {self.stack}): {len(self.personas)} persona(s) with a custom LLM"]
        lines += [f"error: {e}" for e in self.errors]
        lines += [f"note: {n}" for n in self.notes]
        for persona in self.personas:
            where = f" model `{persona.model}` at {persona.base_url}" if persona.base_url else ""
            lines.append(f"\n{persona.name} ({persona.file}){where}")
            width = max(len(c.check) for c in persona.checks)
            lines += [f"  {STATUS_LABELS[c.status]}  {c.check:<{width}}  {c.message}" for c in persona.checks]
        failed = sum(not p.ok for p in self.personas)
        warned = sum(any(c.status == "warn" for c in p.checks) for p in self.personas)
        verdict = "FAILED" if not self.ok else "passed"
        lines.append(f"\npreflight {verdict}: {failed} persona(s) failing, {warned} with warnings, "
                     f"{len(self.errors)} error(s)")
        return "\n".join(lines)
