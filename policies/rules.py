"""The policies: each one looks at persona resources only and is configurable per stack.

Configure them with `--policy-pack-config FILE.json` (README, "Policy pack";
`policies/config/prod.json` is an example): per policy an `enforcementLevel` (advisory,
mandatory, disabled) and the properties of its `config_schema` below. Every violation names
the persona, its file and the field to fix.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies.personas import PersonaResource, file_options, layer, persona_of, project_dir, secret_values
from policies.secret_marks import SecretText

PersonaCheck = Callable[[PersonaResource, Mapping[str, Any], ReportViolation], None]

DEFAULT_ALLOWED_HOSTS = ["api.openai.com"]
DEFAULT_PRODUCTION_STACKS = ["prod", "production"]
DEFAULT_MAX_TOKENS = 32_000
DEFAULT_SLOW_TOKENS = 25_000
DEFAULT_CHARS_PER_TOKEN = 4


def _persona_policy(
    name: str,
    description: str,
    level: EnforcementLevel,
    properties: dict[str, dict[str, Any]],
    check: PersonaCheck,
) -> ResourceValidationPolicy:
    """A resource policy that runs `check` on persona resources with the config's defaults filled in."""
    defaults = {key: spec["default"] for key, spec in properties.items() if "default" in spec}

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        persona = persona_of(args)
        if persona is not None:
            check(persona, {**defaults, **(args.get_config() or {})}, report)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        enforcement_level=level,
        validate=validate,
        config_schema=PolicyConfigSchema(properties=properties),
    )


def host_allowed(host: str, patterns: list[str]) -> bool:
    """`api.openai.com` matches itself; `*.example.com` matches any subdomain of example.com."""
    host = host.lower().rstrip(".")
    for pattern in (p.lower().rstrip(".") for p in patterns):
        if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def check_llm_host(persona: PersonaResource, config: Mapping[str, Any], report: ReportViolation) -> None:
    base_url = layer(persona.props, "llm").get("base_url")
    if not isinstance(base_url, str) or not base_url:
        return
    host = urlsplit(base_url).hostname or ""
    allowed = list(config["allowed_hosts"])
    if not host_allowed(host, allowed):
        report(
            f"{persona.where('layers.llm.base_url')}: host {host or base_url!r} is not on the allow-list "
            f"{allowed}. Use an approved LLM endpoint, or add the host to `allowed_hosts` of "
            "llm-base-url-allowed-host in this stack's policy config.",
            None,
        )


def is_production(config: Mapping[str, Any]) -> bool:
    """`production: true|false` in the policy config decides; otherwise the stack's name does."""
    if config.get("production") is not None:
        return bool(config["production"])
    return os.environ.get("PULUMI_STACK", "") in config["production_stacks"]


def check_guardrails(persona: PersonaResource, config: Mapping[str, Any], report: ReportViolation) -> None:
    if not is_production(config):
        return
    if persona.props.get("guardrails_id") or persona.props.get("guardrail_ids"):
        return
    stack = os.environ.get("PULUMI_STACK", "?")
    report(
        f"{persona.where('guardrails_id / guardrail_ids')}: stack {stack!r} is a production stack and this "
        "persona references no guardrails. Set `guardrails_id: g...` or a non-empty `guardrail_ids` list.",
        None,
    )


def prompt_tokens(props: Mapping[str, Any], chars_per_token: float) -> int:
    """Estimated tokens of system_prompt + context (Tavus's rule of thumb: ~4 characters a token)."""
    text = "".join(str(props.get(field) or "") for field in ("system_prompt", "context"))
    return math.ceil(len(text) / chars_per_token)


def _token_check(limit_key: str, consequence: str) -> PersonaCheck:
    def check(persona: PersonaResource, config: Mapping[str, Any], report: ReportViolation) -> None:
        tokens = prompt_tokens(persona.props, float(config["chars_per_token"]))
        limit = int(config[limit_key])
        if tokens > limit:
            report(
                f"{persona.where('system_prompt + context')}: about {tokens:,} tokens "
                f"(1 token ~ {config['chars_per_token']:g} characters), over {limit:,}: {consequence}. "
                "Shorten the prompt or move reference material into a knowledge-base document.",
                None,
            )

    return check


def check_retain_on_delete(
    persona: PersonaResource, config: Mapping[str, Any], report: ReportViolation
) -> None:
    if not config["forbidden"]:
        return
    path = project_dir(config.get("project_dir")) / Path(persona.file)
    options = file_options(path)
    if options is not None and options.retain_on_delete:
        report(
            f"{persona.where('pulumi.retain_on_delete')}: this stack forbids retain_on_delete (removing the "
            "file would leave the persona running in Tavus, unmanaged). Remove `retain_on_delete: true`.",
            None,
        )


def check_api_keys_secret(
    persona: PersonaResource, _config: Mapping[str, Any], report: ReportViolation
) -> None:
    for path, value in secret_values(persona.props):
        if isinstance(value, str) and value and not isinstance(value, SecretText):
            field = ".".join(path)
            report(
                f"{persona.where(field)}: the key reaches Pulumi in plaintext, so it would be stored "
                "unencrypted in state. Pass it as a secret: `{secret: KEY}` in the file and "
                "`pulumi config set --secret KEY <value>`.",
                None,
            )


_TOKEN_PROPERTIES: dict[str, dict[str, Any]] = {
    "chars_per_token": {"type": "number", "exclusiveMinimum": 0, "default": DEFAULT_CHARS_PER_TOKEN},
}

POLICIES: tuple[ResourceValidationPolicy, ...] = (
    _persona_policy(
        "llm-base-url-allowed-host",
        "A custom LLM's base_url must point at an approved host.",
        EnforcementLevel.MANDATORY,
        {"allowed_hosts": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_ALLOWED_HOSTS}},
        check_llm_host,
    ),
    _persona_policy(
        "production-personas-have-guardrails",
        "Personas in a production stack must reference guardrails.",
        EnforcementLevel.MANDATORY,
        {
            "production": {"type": "boolean"},
            "production_stacks": {
                "type": "array",
                "items": {"type": "string"},
                "default": DEFAULT_PRODUCTION_STACKS,
            },
        },
        check_guardrails,
    ),
    _persona_policy(
        "prompt-within-token-budget",
        "system_prompt + context must fit the LLM's token budget.",
        EnforcementLevel.MANDATORY,
        {"max_tokens": {"type": "integer", "minimum": 1, "default": DEFAULT_MAX_TOKENS}, **_TOKEN_PROPERTIES},
        _token_check("max_tokens", "the conversation cannot start"),
    ),
    _persona_policy(
        "prompt-fast-token-budget",
        "system_prompt + context past this size makes every reply slower.",
        EnforcementLevel.ADVISORY,
        {
            "max_tokens": {"type": "integer", "minimum": 1, "default": DEFAULT_SLOW_TOKENS},
            **_TOKEN_PROPERTIES,
        },
        _token_check("max_tokens", "replies get slower"),
    ),
    _persona_policy(
        "no-retain-on-delete",
        "Stacks that forbid it must not retain personas on delete.",
        EnforcementLevel.MANDATORY,
        {
            "forbidden": {"type": "boolean", "default": False},
            "project_dir": {"type": "string"},
        },
        check_retain_on_delete,
    ),
    _persona_policy(
        "api-keys-are-secrets",
        "API keys and LLM headers reach Pulumi only as secrets.",
        EnforcementLevel.MANDATORY,
        {},
        check_api_keys_secret,
    ),
)
