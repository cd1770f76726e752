"""`export --stack NAME`: write files for what the account has but the project does not.

Objectives and guardrails sets come first (into objectives/ and guardrails/), then personas (into
personas/, or --out); a persona that points at a set by id points at it by name in the exported
file (`objectives_id: {ref: objectives/intake}`) when that set is managed or exported here.

An item is already managed when its id is in the stack's state, when a file adopts it, or when a
file has its name (persona_name; a guardrails set's name). Every other item gets one file: its canonical body
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
from providers.cli._pulumi import PERSONA_TYPE, StateResource, state_resources
from providers.cli._stack import stack_client
from providers.cli._yaml_out import dump
from providers.client import TavusClient
from providers.errors import TavusPersonasError
from providers.facts import KINDS, REF_FIELDS, ref_field
from providers.facts.persona import suggested_secret_key
from providers.kind import Kind
from providers.state import body_of

# Fields of Tavus's GET response that are not part of a create body.
_RESPONSE_ONLY = frozenset({"persona_type", "pal_type"})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="write files for account items not yet under management")
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
    print(f"{len(written)} file(s) exported")
    return 0


def export(root: Path, stack: str, out: Path) -> list[tuple[Path, list[str]]]:
    state = state_resources(root, stack)
    written: list[tuple[Path, list[str]]] = []
    with stack_client(root, stack) as client:
        # id -> resource name, so that exported personas reference sets by name
        names: dict[str, str] = {r.persona_id: r.name for r in state if r.type != PERSONA_TYPE}
        for kind in KINDS.values():
            written += _export_kind(client, kind, root, state, names)
        live = client.list_personas("user")
    todo = _unclaimed(live, "persona_id", "persona_name", _managed(state, PERSONA_TYPE), root / "personas")
    out.mkdir(parents=True, exist_ok=True)
    for persona in sorted(todo, key=lambda p: (str(p.get("persona_name")), str(p.get("persona_id")))):
        path = _free_path(out, slugify(str(persona.get("persona_name") or persona.get("persona_id"))))
        text, commands = persona_file(persona, stack, path.stem, names)
        _write_new(path, text)
        written.append((path, commands))
    return written


def _export_kind(
    client: TavusClient, kind: Kind, root: Path, state: list[StateResource], names: dict[str, str]
) -> list[tuple[Path, list[str]]]:
    directory = root / kind.folder
    id_field, name_field = kind.id_output, kind.endpoint.name_field
    live = client.at(kind.endpoint).list_items()
    names.update(_adopted_by_files(directory, kind))
    todo = _unclaimed(live, id_field, name_field, _managed(state, kind.type_token), directory)
    written: list[tuple[Path, list[str]]] = []
    for item in sorted(todo, key=lambda i: (str(kind.endpoint.name_of(i) or ""), str(i.get(id_field)))):
        item_id = str(item.get(id_field))
        path = _free_path(directory, slugify(kind.endpoint.name_of(item) or item_id))
        header = [
            f"# yaml-language-server: $schema=../providers/schema/{kind.schema_file}",
            f"# Exported from Tavus {kind.endpoint.label} {item_id} by `python -m providers export`.",
            "# `pulumi up` adopts it (nothing new is created) and then manages it from this file.",
        ]
        document = {**kind.canonical(item), "pulumi": {"adopt": item_id}}
        _write_new(path, "\n".join(header) + "\n" + dump(document))
        names[item_id] = kind.resource_name(path.stem)
        written.append((path, []))
    return written


def _managed(state: list[StateResource], type_token: str) -> set[str]:
    return {r.persona_id for r in state if r.type == type_token}


def _unclaimed(
    live: list[dict[str, Any]], id_field: str, name_field: str | None, managed: set[str], directory: Path
) -> list[dict[str, Any]]:
    file_ids, file_names = _files_claim(directory, name_field)
    return [
        item for item in live
        if str(item.get(id_field)) not in managed | file_ids
        and (name_field is None or item.get(name_field) not in file_names)
    ]


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)


def _documents(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The YAML files of `directory`, read leniently: a broken file is skipped here, and still
    claims its file name (export never overwrites)."""
    for path in sorted(directory.rglob("*.y*ml")) if directory.is_dir() else []:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(document, dict):
            yield path, document


def _adopt_id(document: Mapping[str, Any]) -> str | None:
    options = document.get("pulumi")
    return str(options["adopt"]) if isinstance(options, dict) and options.get("adopt") else None


def _files_claim(directory: Path, name_field: str | None = "persona_name") -> tuple[set[str], set[str]]:
    """Ids adopted by, and names of, the existing files, so export never writes a duplicate of them."""
    ids: set[str] = set()
    names: set[str] = set()
    for _, document in _documents(directory):
        if name_field is not None:
            names.add(str(document.get(name_field)))
        adopted = _adopt_id(document)
        if adopted:
            ids.add(adopted)
    return ids, names


def _adopted_by_files(directory: Path, kind: Kind) -> dict[str, str]:
    """id -> resource name of the files of `kind` that adopt an existing item."""
    found = {}
    for path, document in _documents(directory):
        adopted = _adopt_id(document)
        if adopted:
            found[adopted] = kind.resource_name(path.relative_to(directory).with_suffix("").as_posix())
    return found


def persona_file(
    persona: Mapping[str, Any], stack: str, resource_name: str, names: Mapping[str, str] | None = None
) -> tuple[str, list[str]]:
    """The file text for one live persona, and the config commands its secrets need.

    `resource_name` is the file's name without extension: its secrets get the keys `validate`
    suggests for that file (providers.facts.persona.suggested_secret_key). Ids of sets in `names`
    (id -> resource name) are written as `{ref: <resource name>}`."""
    body = {k: v for k, v in canonical(body_of(persona)).items() if k not in _RESPONSE_ONLY}
    _reference_by_name(body, names or {}, ())
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


def _reference_by_name(node: Any, names: Mapping[str, str], path: tuple[str, ...]) -> None:
    """Replace, in place, each id at a reference field (REF_FIELDS) that `names` knows by `{ref: name}`."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*path, key)
            if isinstance(value, str) and ref_field(".".join(here)) in REF_FIELDS and value in names:
                node[key] = {"ref": names[value]}
            elif isinstance(value, list) and ref_field(".".join(here) + "[0]") in REF_FIELDS:
                node[key] = [{"ref": names[v]} if isinstance(v, str) and v in names else v for v in value]
            else:
                _reference_by_name(value, names, here)


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
