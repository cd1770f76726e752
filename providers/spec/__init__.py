"""Loading and offline validation of persona files (README: The persona file) and of the files
they reference (objectives, guardrails: `spec.graph`; README: The persona's graph).

Pure and importable: no network, no Pulumi. The provider, `__main__.py` and the CLI call
`load_personas`, refuse to apply anything when any diagnostic is an error, check references against
the stack config with `check_references`, and resolve them with `substitute`.
"""

from providers.canonical import SECRET_PATH_DESCRIPTION
from providers.spec.files import (
    check_references,
    load_persona_text,
    load_personas,
    substitute,
    validate_body,
)
from providers.spec.graph import Project, load_kind_text, load_project, validate_item_body
from providers.spec.model import Diagnostic, PersonaFile, PersonaOptions, Ref
from providers.spec.rules import KNOWN_TAVUS_MODELS
from providers.spec.schema_check import SCHEMA_FILE, persona_schema
from providers.spec.yaml_nodes import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

__all__ = [
    "KNOWN_TAVUS_MODELS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "SCHEMA_FILE",
    "SECRET_PATH_DESCRIPTION",
    "Diagnostic",
    "PersonaFile",
    "PersonaOptions",
    "Project",
    "Ref",
    "check_references",
    "load_kind_text",
    "load_persona_text",
    "load_personas",
    "load_project",
    "persona_schema",
    "substitute",
    "validate_body",
    "validate_item_body",
]
