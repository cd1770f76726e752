"""Which personas `preflight` checks, and their custom LLM with references resolved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from providers.cli.preflight.checks import Target
from providers.cli.preflight.config import StackConfig, env_name
from providers.errors import StackConfigError
from providers.facts.persona import is_custom_llm
from providers.spec import PersonaFile, Ref, substitute


def llm_layer(persona: PersonaFile) -> Mapping[str, Any]:
    layers = persona.body.get("layers")
    llm = layers.get("llm") if isinstance(layers, Mapping) else None
    return llm if isinstance(llm, Mapping) else {}


def has_custom_llm(persona: PersonaFile) -> bool:
    """The rule validation applies (providers.facts.persona.is_custom_llm)."""
    return is_custom_llm(llm_layer(persona))


def select(
    personas: Sequence[PersonaFile], names: Sequence[str]
) -> tuple[list[PersonaFile], list[str], list[str]]:
    """(personas to check, notes, errors). Names match the resource name or persona_name."""
    if not names:
        return [p for p in personas if has_custom_llm(p)], [], []
    chosen: list[PersonaFile] = []
    notes: list[str] = []
    errors: list[str] = []
    for name in names:
        match = [p for p in personas if name in (p.name, p.body.get("persona_name"))]
        if not match:
            known = ", ".join(p.name for p in personas) or "none"
            errors.append(f"no persona file named `{name}` (a resource name such as `storyteller`, or a "
                          f"persona_name); persona files: {known}")
        for persona in match:
            if not has_custom_llm(persona):
                notes.append(f"{persona.name}: uses a Tavus-hosted LLM; nothing to preflight")
            elif persona not in chosen:
                chosen.append(persona)
    return chosen, notes, errors


@dataclass
class Resolution:
    target: Target | None
    problems: list[str] = field(default_factory=list)  # missing references, unreadable config
    secrets: list[str] = field(default_factory=list, repr=False)  # every secret value found, for redaction


def resolve(persona: PersonaFile, config: StackConfig, base_url_override: str | None) -> Resolution:
    body = persona.body
    layers = body.get("layers")
    perception = layers.get("perception") if isinstance(layers, Mapping) else None
    needed = {
        "system_prompt": body.get("system_prompt"),
        "context": body.get("context"),
        "llm": llm_layer(persona),
        "perception": perception if isinstance(perception, Mapping) else {},
    }
    result = Resolution(None)
    missing: list[Ref] = []

    def value_of(ref: Ref) -> Any:
        found, value = config.lookup(ref)
        if not found:
            missing.append(ref)
        elif ref.kind == "secret":
            result.secrets.append(str(value))
        return value

    try:
        resolved = substitute(needed, value_of)
    except StackConfigError as exc:
        result.problems.append(str(exc))
        return result
    result.problems += [_missing_message(persona, ref, config.stack) for ref in dict.fromkeys(missing)]
    llm = resolved["llm"]
    headers = {str(k): str(v) for k, v in (llm.get("headers") or {}).items()}
    result.secrets += [str(llm.get("api_key") or ""), *headers.values()]
    if result.problems:
        return result
    result.target = _target(persona, resolved, headers, base_url_override)
    return result


def _target(persona: PersonaFile, resolved: Mapping[str, Any], headers: dict[str, str],
            base_url_override: str | None) -> Target:
    llm = resolved["llm"]
    api_key_ref = next((ref.key for path, ref in persona.refs if path == "layers.llm.api_key"), None)
    extra_body = llm.get("extra_body")
    tools = llm.get("tools")
    return Target(
        name=persona.name,
        file=persona.file,
        persona_name=_str_or_none(persona.body.get("persona_name")) or persona.name,
        model=str(llm.get("model") or ""),
        base_url=str(base_url_override or llm.get("base_url") or ""),
        api_key=str(llm.get("api_key") or ""),
        api_key_ref=api_key_ref,
        headers=headers,
        extra_body=dict(extra_body) if isinstance(extra_body, Mapping) else {},
        tools=list(tools) if isinstance(tools, list) else [],
        perception_model=_str_or_none(resolved["perception"].get("perception_model")),
        system_prompt=str(resolved.get("system_prompt") or ""),
        context=str(resolved.get("context") or ""),
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _missing_message(persona: PersonaFile, ref: Ref, stack: str) -> str:
    path = next((p for p, r in persona.refs if r == ref), "")
    secret = " --secret" if ref.kind == "secret" else ""
    return (f"{persona.file}: {path}: `{{{ref.kind}: {ref.key}}}` is not set in stack {stack}: run "
            f"`pulumi config set{secret} {ref.key} <value> --stack {stack}` (or export {env_name(ref.key)})")
