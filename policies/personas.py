"""Which resources the rules look at, and how to read a persona from one.

Rules apply to persona resources only: other resource kinds (objectives, guardrails,
documents, dictionaries) share the dynamic-provider type token, so a persona is recognised by
its inputs (a `persona_name`), never by the type alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import ResourceValidationArgs

from providers.canonical import SECRET_PATHS
from providers.spec import PersonaOptions, load_persona_text

DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"
PACK_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PersonaResource:
    name: str  # the resource name: the file's path under personas/ without extension
    props: Mapping[str, Any]

    @property
    def file(self) -> str:
        return f"personas/{self.name}.yaml"

    def where(self, field: str) -> str:
        """How a violation names the place to fix: persona, file and field."""
        return f"persona {self.name!r} ({self.file}), field {field}"


def persona_of(args: ResourceValidationArgs) -> PersonaResource | None:
    """The persona behind this resource, or None for any other resource."""
    if not args.resource_type.startswith(DYNAMIC_TYPE_PREFIX):
        return None
    props = args.props
    if "persona_name" not in props:
        return None
    return PersonaResource(args.name, props)


def layer(props: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    layers = props.get("layers")
    value = layers.get(name) if isinstance(layers, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def secret_values(props: Mapping[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) at each secret-bearing path the persona has (providers.canonical.SECRET_PATHS).

    Only those paths are read: during a preview another field may hold a value Pulumi does not know
    yet (an id from `{ref:}`), and pulumi-policy refuses to run a rule that reads one.
    """
    for pattern in SECRET_PATHS:
        yield from _along(props, pattern, ())


FieldPath = tuple[str, ...]


def _along(node: Any, pattern: FieldPath, path: FieldPath) -> Iterator[tuple[FieldPath, Any]]:
    if not pattern:
        yield path, node
        return
    if not isinstance(node, Mapping):
        return
    keys = list(node) if pattern[0] == "*" else [pattern[0]] if pattern[0] in node else []
    for key in keys:
        yield from _along(node[key], pattern[1:], (*path, str(key)))


def project_dir(configured: str | None) -> Path:
    """The project whose persona files are checked: policy config `project_dir`, else the
    nearest directory above the pack holding a Pulumi.yaml (the pack ships inside the project)."""
    if configured:
        return Path(configured)
    for candidate in PACK_DIR.parents:
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    return PACK_DIR.parent


@cache
def file_options(path: Path) -> PersonaOptions | None:
    """The `pulumi:` options block of one persona file (None when unreadable).

    Pulumi does not send the `retain_on_delete` resource option to policy packs, so the
    rule reads it where the program does: the persona file, with the provider's own loader.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    persona, _ = load_persona_text(text, str(path), path.stem)
    return persona.options if persona else None
