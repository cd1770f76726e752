"""The data types of a loaded persona file and of validation diagnostics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Ref:
    """A `{secret: KEY}`, `{config: KEY}` or `{ref: KIND/NAME}` reference found in a file.

    `secret` and `config` name stack config keys; `ref` names another resource of the stack
    (`guardrails/compliance`) and resolves to its id.
    """

    kind: Literal["secret", "config", "ref"]
    key: str


@dataclass(frozen=True)
class Diagnostic:
    severity: Literal["error", "warning"]
    file: str  # relative to the project root, e.g. "personas/storyteller.yaml"
    line: int | None  # 1-based, where YAML gives one
    path: str  # "layers.llm.tools[1].function.name"; "" = the whole file
    message: str  # what is wrong and what to do

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field_path = f"{self.path}: " if self.path else ""
        return f"{where}: {self.severity}: {field_path}{self.message}"


@dataclass(frozen=True)
class PersonaOptions:
    protect: bool = False
    retain_on_delete: bool = False
    adopt: str | None = None  # existing persona id to adopt (README: Adoption)


@dataclass(frozen=True)
class PersonaFile:
    """One loaded file: a persona, or an item of another kind (`folder`: objectives, guardrails...)."""

    # resource name: path under personas/ without extension, e.g. "support/storyteller";
    # for other kinds the folder comes first: "guardrails/compliance"
    name: str
    file: str  # e.g. "personas/support/storyteller.yaml"
    body: dict[str, Any]  # the Tavus body, with Ref objects where the file has references
    options: PersonaOptions
    refs: tuple[tuple[str, Ref], ...]  # (dotted path, Ref) for every reference, in file order
    # dotted field path -> 1-based line, so later checks (references, provider CheckFailures) can
    # point at the file; not part of equality.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    folder: str = "personas"


def format_path(path: Sequence[str | int]) -> str:
    """("layers", "llm", "tools", 1, "function") -> "layers.llm.tools[1].function"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
