"""The Pulumi program's side: files in, resources out.

objectives/ and guardrails/ files become `tavus:Objectives` / `tavus:Guardrails`, personas/ files
`tavus:Persona`. Every file is loaded and validated, every `{ref:}` is checked against the files,
and every `{secret:}`/`{config:}` reference against the stack's config, before a single resource
is declared: one bad file stops the whole run with all the errors listed and nothing applied.

A `{ref: guardrails/compliance}` becomes that resource's id output, which makes it a Pulumi
dependency: the guardrails set is created or updated before the persona, and deleted after it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from providers.errors import InvalidSettingError, MissingApiKeyError, TavusPersonasError
from providers.graph import RESOURCE_TYPES
from providers.persona import Persona
from providers.settings import qualified_config_key, settings_from
from providers.spec import Diagnostic, PersonaFile, Ref, check_references, load_project, substitute


class InvalidPersonaFilesError(TavusPersonasError, pulumi.RunError):
    """Raised when any persona file or reference is invalid; a RunError, so Pulumi shows no traceback."""


def declare_personas(root: Path = Path(".")) -> dict[str, Persona]:
    """Declare one resource per file (objectives/, guardrails/, then personas/); return the personas
    keyed by resource name. `declare_all` returns every resource."""
    return {name: r for name, r in declare_all(root).items() if isinstance(r, Persona)}


def declare_all(root: Path = Path(".")) -> dict[str, pulumi.CustomResource]:
    """Every resource of the project, keyed by resource name (`guardrails/compliance`, `storyteller`)."""
    project = load_project(root)
    diagnostics = project.diagnostics
    diagnostics += check_references(project.all_files, has_config=_has_config, project=pulumi.get_project())
    diagnostics += _check_provider_settings()
    _report(diagnostics)
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise InvalidPersonaFilesError(
            f"{len(errors)} error(s) in persona files or stack config (listed above); nothing was applied. "
            "Fix them and run again; `.venv/bin/python -m providers validate` checks offline."
        )
    declared: dict[str, pulumi.CustomResource] = {}
    for folder, resource_type in RESOURCE_TYPES.items():
        for item in project.items(folder):
            body = substitute(item.body, _resolve)
            adopt = item.options.adopt
            declared[item.name] = resource_type(item.name, body, adopt_id=adopt, opts=_options(item))
    ids = {name: resource.id for name, resource in declared.items()}
    for persona in project.personas:
        body = substitute(persona.body, lambda ref: ids[ref.key] if ref.kind == "ref" else _resolve(ref))
        adopt = persona.options.adopt
        declared[persona.name] = Persona(persona.name, body, adopt_persona_id=adopt, opts=_options(persona))
    return declared


def _options(file: PersonaFile) -> pulumi.ResourceOptions:
    options = file.options
    return pulumi.ResourceOptions(protect=options.protect, retain_on_delete=options.retain_on_delete)


def _split(key: str) -> tuple[str, str]:
    """(namespace, name): `openaiApiKey` is project config; `tavus:apiKey` names its namespace."""
    namespace, _, name = qualified_config_key(key, pulumi.get_project()).rpartition(":")
    return namespace, name


def _resolve(ref: Ref) -> Any:
    namespace, name = _split(ref.key)
    config = pulumi.Config(namespace)
    # A secret reference stays a Pulumi secret from config to state.
    return config.require_secret(name) if ref.kind == "secret" else config.require(name)


def _has_config(key: str) -> bool:
    return pulumi.runtime.get_config(qualified_config_key(key, pulumi.get_project())) is not None


def _check_provider_settings() -> list[Diagnostic]:
    """The provider's own settings, checked here so that a bad one fails before any API call.

    The provider would fail too, but only once it runs, with the engine's traceback around the message.
    """
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    try:
        settings = settings_from(pulumi.runtime.get_config)
    except InvalidSettingError as error:
        return [Diagnostic("error", stack_file, None, "", str(error))]  # the message names the key
    try:
        settings.require_api_key()
    except MissingApiKeyError as error:
        return [Diagnostic("error", stack_file, None, "", str(error))]
    return []


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        log = pulumi.log.error if diagnostic.severity == "error" else pulumi.log.warn
        log(diagnostic.format())
