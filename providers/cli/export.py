"""`export --stack NAME`: write persona files for personas the account has but the project does not.

A persona is already managed when its id is in the stack's state, when a file adopts it, or when a
file has its persona_name. Every other user persona gets one file: its canonical body
(providers.canonical), `pulumi: {adopt: <id>}` so that the next `pulumi up` adopts it instead of
POSTing a copy, and `{secret: <key>}` at every secret path (Tavus masks keys on read; the key names
and the `pulumi config set --secret` commands to run are written at the top of the file and printed).

Credentials and endpoint: the stack's `tavus:*` settings (key, base URL, path prefix, timeout), read
with `pulumi config --json --show-secrets` into this process only (never printed), falling back to
the TAVUS_* environment variables, as the provider does. Existing files are never overwritten: a
taken file name gets a `-2`, `-3`... suffix.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from providers.canonical import canonical
from providers.cli._pulumi import state_personas
from providers.cli._stack import stack_client
from providers.cli._yaml_out import dump
from providers.errors import TavusPersonasError
from providers.facts.persona import suggested_secret_key
from providers.state import body_of

# Fields of Tavus's GET response that are not part of a create body.
_RESPONSE_ONLY = frozenset({"persona_type", "pal_type"})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="write files for account personas not yet under management")
    parser.add_argument("--stack", required=True, help="the stack whose account and state to use")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: .)")
    parser.add_argument("--out", type=Path, help="directory for the new files (default: ROOT/personas)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out = args.out if args.out is not None else args.root / "personas"
    try:
        written = export(args.root, args.stack, out)
    except (TavusPersonasError, OSError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 1
    for path, commands in written:
        print(f"wrote {path}")
        for command in commands:
            print(f"  {command}")
    print(f"{len(written)} persona(s) exported")
    return 0


def export(root: Path, stack: str, out: Path) -> list[tuple[Path, list[str]]]:
    managed_ids = {r.persona_id for r in state_personas(root, stack)}
    file_ids, file_names = _files_claim(root / "personas")
    with stack_client(root, stack) as client:
        live = client.list_personas("user")
    todo = [
        p for p in live
        if str(p.get("persona_id")) not in managed_ids | file_ids and p.get("persona_name") not in file_names
    ]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for persona in sorted(todo, key=lambda p: (str(p.get("persona_name")), str(p.get("persona_id")))):
        path = _free_path(out, slugify(str(persona.get("persona_name") or persona.get("persona_id"))))
        text, commands = persona_file(persona, stack, path.stem)
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
        written.append((path, commands))
    return written


def _files_claim(directory: Path) -> tuple[set[str], set[str]]:
    """Persona ids adopted by, and persona_names of, the existing files (read leniently: a broken file
    still claims its name, so export never writes a duplicate of it)."""
    ids: set[str] = set()
    names: set[str] = set()
    for path in sorted(directory.rglob("*.y*ml")) if directory.is_dir() else []:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(document, dict):
            names.add(str(document.get("persona_name")))
            options = document.get("pulumi")
            if isinstance(options, dict) and options.get("adopt"):
                ids.add(str(options["adopt"]))
    return ids, names


def persona_file(persona: Mapping[str, Any], stack: str, resource_name: str) -> tuple[str, list[str]]:
    """The file text for one live persona, and the config commands its secrets need.

    `resource_name` is the file's name without extension: its secrets get the keys `validate`
    suggests for that file (providers.facts.persona.suggested_secret_key)."""
    body = {k: v for k, v in canonical(body_of(persona)).items() if k not in _RESPONSE_ONLY}
    keys = []
    for path in list(_secret_paths(body)):
        key = suggested_secret_key(resource_name, path)
        _set(body, path, {"secret": key})
        keys.append(key)
    commands = [f"pulumi config set --secret --stack {stack} {key} <value>" for key in keys]
    ordered = {"persona_name": body.pop("persona_name")} if "persona_name" in body else {}
    ordered.update(body)
    ordered["pulumi"] = {"adopt": str(persona.get("persona_id"))}
    header = [
        "# yaml-language-server: $schema=../providers/schema/persona.schema.json",
        f"# Exported from Tavus persona {persona.get('persona_id')} by `python -m providers export`.",
        "# `pulumi up` adopts that persona (no new persona is created) and then manages it from this file.",
    ]
    if commands:
        header.append("# Tavus does not return API keys: set them in the stack before `pulumi up`:")
        header += [f"#   {command}" for command in commands]
    return "\n".join(header) + "\n" + dump(ordered), commands


def _secret_paths(body: Mapping[str, Any]) -> Iterator[tuple[str, ...]]:
    layers = body.get("layers") if isinstance(body.get("layers"), dict) else {}
    for layer in ("llm", "tts"):
        section = layers.get(layer) if isinstance(layers, dict) else None
        if isinstance(section, dict) and "api_key" in section:
            yield ("layers", layer, "api_key")
    headers = ((layers or {}).get("llm") or {}).get("headers") if isinstance(layers, dict) else None
    if isinstance(headers, dict):
        for name in sorted(headers):
            yield ("layers", "llm", "headers", name)


def _set(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def slugify(text: str) -> str:
    slug = re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")
    return slug or "persona"


def _free_path(directory: Path, stem: str) -> Path:
    path = directory / f"{stem}.yaml"
    n = 2
    while path.exists() or path.with_suffix(".yml").exists():
        path = directory / f"{stem}-{n}.yaml"
        n += 1
    return path
