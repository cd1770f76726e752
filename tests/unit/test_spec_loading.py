"""Loading a project's persona files: discovery, names, options, references, cross-file rules, limits."""

from __future__ import annotations

import pathlib
from pathlib import Path
from typing import Any

import pytest

from providers.spec import (
    MAX_FILE_BYTES,
    Diagnostic,
    PersonaOptions,
    Ref,
    check_references,
    load_persona_text,
    load_personas,
    substitute,
)

REPO = Path(__file__).resolve().parents[2]

STORYTELLER = """\
# yaml-language-server: $schema=../providers/schema/persona.schema.json
persona_name: Storyteller
system_prompt: You are a storyteller.
default_replica_id: {config: replicaId}
layers:
  llm:
    model: gpt-4o-mini
    base_url: https://api.openai.com/v1
    api_key: {secret: storytellerOpenaiApiKey}
    headers:
      X-Org: {secret: orgHeader}
pulumi:
  protect: true
  adopt: pcb7a34da5fe
"""


def _write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _persona(name: str, prompt: str = "Hi.") -> str:
    return f"persona_name: {name}\nsystem_prompt: {prompt}\n"


def _errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


def test_shipped_example_personas_have_no_errors() -> None:
    files, diagnostics = load_personas(REPO)
    assert files
    assert _errors(diagnostics) == []


def test_a_clean_file_loads_with_body_options_references_and_lines() -> None:
    persona, diagnostics = load_persona_text(STORYTELLER, "personas/storyteller.yaml", "storyteller")

    assert diagnostics == []
    assert persona is not None
    assert persona.name == "storyteller"
    assert "pulumi" not in persona.body
    assert persona.body["layers"]["llm"]["api_key"] == Ref("secret", "storytellerOpenaiApiKey")
    assert persona.options == PersonaOptions(protect=True, retain_on_delete=False, adopt="pcb7a34da5fe")
    assert persona.refs == (
        ("default_replica_id", Ref("config", "replicaId")),
        ("layers.llm.api_key", Ref("secret", "storytellerOpenaiApiKey")),
        ("layers.llm.headers.X-Org", Ref("secret", "orgHeader")),
    )
    assert persona.lines["persona_name"] == 2
    assert persona.lines["layers.llm.api_key"] == 9


def test_files_are_found_recursively_sorted_and_named_by_path(tmp_path: Path) -> None:
    _write(tmp_path, "personas/zeta.yml", _persona("Zeta"))
    _write(tmp_path, "personas/support/alpha.yaml", _persona("Alpha"))
    _write(tmp_path, "personas/beta.yaml", _persona("Beta"))
    _write(tmp_path, "personas/notes.txt", "not a persona")
    _write(tmp_path, "personas/.backup/old.yaml", _persona("Old"))

    files, diagnostics = load_personas(tmp_path)

    assert diagnostics == []
    assert [(f.name, f.file) for f in files] == [
        ("beta", "personas/beta.yaml"),
        ("support/alpha", "personas/support/alpha.yaml"),
        ("zeta", "personas/zeta.yml"),
    ]


def test_duplicate_persona_names_are_an_error_on_each_file_naming_the_other(tmp_path: Path) -> None:
    _write(tmp_path, "personas/a.yaml", _persona("Same"))
    _write(tmp_path, "personas/b.yaml", "# a comment\n" + _persona("Same"))
    _write(tmp_path, "personas/c.yaml", _persona("Other"))

    _, diagnostics = load_personas(tmp_path)

    assert [(d.file, d.line, d.path) for d in _errors(diagnostics)] == [
        ("personas/a.yaml", 1, "persona_name"),
        ("personas/b.yaml", 2, "persona_name"),
    ]
    assert "personas/b.yaml" in diagnostics[0].message
    assert "personas/a.yaml" in diagnostics[1].message
    assert "unique" in diagnostics[0].message


def test_same_resource_name_from_yaml_and_yml_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "personas/a.yaml", _persona("One"))
    _write(tmp_path, "personas/a.yml", _persona("Two"))

    _, diagnostics = load_personas(tmp_path)

    assert {d.file for d in _errors(diagnostics)} == {"personas/a.yaml", "personas/a.yml"}
    assert all("resource name `a`" in d.message for d in diagnostics)


def test_all_errors_of_all_files_are_reported_together_in_file_then_line_order(tmp_path: Path) -> None:
    _write(tmp_path, "personas/b.yaml", _persona("B") + "contxt: x\npipeline_mode: fast\n")
    _write(tmp_path, "personas/a.yaml", "persona_name: A\nlayers:\n  llm:\n    api_key: sk-1\n")

    files, diagnostics = load_personas(tmp_path)

    assert [f.name for f in files] == ["a", "b"]  # files with errors are still returned
    assert [(d.file, d.line, d.path) for d in _errors(diagnostics)] == [
        ("personas/a.yaml", 1, "system_prompt"),
        ("personas/a.yaml", 3, "layers.llm.base_url"),
        ("personas/a.yaml", 4, "layers.llm.api_key"),
        ("personas/b.yaml", 3, "contxt"),
        ("personas/b.yaml", 4, "pipeline_mode"),
    ]


def test_missing_directory_is_an_error_and_an_empty_one_a_warning(tmp_path: Path) -> None:
    _, missing = load_personas(tmp_path)
    assert [d.severity for d in missing] == ["error"]

    (tmp_path / "personas").mkdir()
    files, empty = load_personas(tmp_path)
    assert files == []
    assert [d.severity for d in empty] == ["warning"]


def test_a_20_mb_file_is_refused_by_size_without_being_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "personas" / "big.yaml"
    big.parent.mkdir()
    with big.open("wb") as stream:
        stream.truncate(20 * 1024 * 1024)  # sparse: nothing is written
    real_open = pathlib.Path.open

    def guarded_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        assert self != big, "the oversized file was opened"
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", guarded_open)

    files, diagnostics = load_personas(tmp_path)

    assert files == []
    assert [(d.file, d.severity) for d in diagnostics] == [("personas/big.yaml", "error")]
    assert "20.0 MiB" in diagnostics[0].message


def test_text_over_the_limit_is_refused_before_parsing() -> None:
    text = "persona_name: x\nsystem_prompt: " + "a" * MAX_FILE_BYTES + "\n"
    persona, diagnostics = load_persona_text(text, "personas/x.yaml", "x")
    assert persona is None
    assert "larger than 1024 KiB" in diagnostics[0].message


def test_non_utf8_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "personas" / "latin1.yaml"
    path.parent.mkdir()
    path.write_bytes(b"persona_name: x\nsystem_prompt: caf\xe9\n")

    _, diagnostics = load_personas(tmp_path)

    assert [(d.line, d.severity) for d in diagnostics] == [(2, "error")]
    assert "UTF-8" in diagnostics[0].message


def test_missing_references_name_file_line_path_and_the_exact_command() -> None:
    persona, _ = load_persona_text(STORYTELLER, "personas/storyteller.yaml", "storyteller")
    assert persona is not None
    asked: list[str] = []

    def has_config(key: str) -> bool:
        asked.append(key)
        return key == "tavus-personas:orgHeader"

    diagnostics = check_references([persona], has_config)

    assert asked == [
        "tavus-personas:replicaId",
        "tavus-personas:storytellerOpenaiApiKey",
        "tavus-personas:orgHeader",
    ]
    assert [d.format() for d in diagnostics] == [
        "personas/storyteller.yaml:4: error: default_replica_id: {config: replicaId} is not set in this "
        "stack's config: run `pulumi config set replicaId <value>`",
        "personas/storyteller.yaml:9: error: layers.llm.api_key: {secret: storytellerOpenaiApiKey} is not "
        "set in this stack's config: run `pulumi config set --secret storytellerOpenaiApiKey <value>`",
    ]


def test_namespaced_reference_keys_are_passed_as_written() -> None:
    text = _persona("X") + "default_replica_id: {config: 'shared:replicaId'}\n"
    persona, diagnostics = load_persona_text(text, "personas/x.yaml", "x")
    assert persona is not None and diagnostics == []
    asked: list[str] = []
    check_references([persona], lambda key: asked.append(key) is None, project="other")
    assert asked == ["shared:replicaId"]


def test_substitute_returns_a_new_deep_copy_with_every_reference_resolved() -> None:
    persona, _ = load_persona_text(STORYTELLER, "personas/storyteller.yaml", "storyteller")
    assert persona is not None
    sentinel = object()

    resolved = substitute(persona.body, lambda ref: sentinel if ref.kind == "secret" else f"<{ref.key}>")

    assert resolved["default_replica_id"] == "<replicaId>"
    assert resolved["layers"]["llm"]["api_key"] is sentinel
    assert resolved["layers"]["llm"]["headers"]["X-Org"] is sentinel
    assert persona.body["layers"]["llm"]["api_key"] == Ref("secret", "storytellerOpenaiApiKey")
    assert resolved["layers"] is not persona.body["layers"]


def test_references_inside_lists_are_found_and_substituted() -> None:
    text = _persona("X") + "document_ids: [doc-1, {config: extraDoc}]\n"
    persona, diagnostics = load_persona_text(text, "personas/x.yaml", "x")
    assert persona is not None and diagnostics == []
    assert persona.refs == (("document_ids[1]", Ref("config", "extraDoc")),)
    assert substitute(persona.body, lambda ref: "doc-2")["document_ids"] == ["doc-1", "doc-2"]


def test_diagnostic_format_with_and_without_line_and_path() -> None:
    assert Diagnostic("error", "personas/x.yaml", 12, "layers.llm.api_key", "bad").format() == (
        "personas/x.yaml:12: error: layers.llm.api_key: bad"
    )
    assert Diagnostic("warning", "personas/x.yaml", None, "", "empty").format() == (
        "personas/x.yaml: warning: empty"
    )
