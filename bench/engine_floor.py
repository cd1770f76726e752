"""The engine floor: the same files as trivial dynamic resources whose provider does no I/O.

The floor project reads the same persona files with plain `yaml.safe_load` (no
validation, no references resolved) and declares one resource per file with the whole
document as its inputs, so the engine moves and checkpoints the same amount of data.
Its provider lives in an importable module (pickled by reference, like the product's)
and answers every call from its arguments.
"""

from __future__ import annotations

from pathlib import Path

from harness.pulumi import REPO_ROOT

_PULUMI_YAML = """\
name: bench-engine-floor
description: Engine floor of the tavus-personas benchmark (no I/O provider).
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: .venv
"""

_PROGRAM = '''\
"""One no-I/O dynamic resource per file (the benchmark's engine floor)."""

from pathlib import Path

import yaml

from floor_provider import Noop

for folder in ("objectives", "guardrails", "personas"):  # folders that do not exist hold nothing
    for path in sorted(Path(folder).glob("*.yaml")):
        Noop(f"{folder}/{path.stem}", yaml.safe_load(path.read_text()))
'''

_PROVIDER = '''\
"""A dynamic provider that does nothing but answer from its arguments."""

from __future__ import annotations

import uuid
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, ResourceProvider
from pulumi.dynamic import UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(_own(news), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=_own(olds) != _own(news), replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=uuid.uuid4().hex, outs=dict(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=dict(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=dict(props))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


def _own(props: dict[str, Any]) -> dict[str, Any]:
    """Without the engine's `__provider` entry."""
    return {k: v for k, v in props.items() if not k.startswith("__")}


_PROVIDER = NoopProvider()


class Noop(Resource, module="floor", name="Noop"):
    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__(_PROVIDER, name, props)
'''


def make_floor_project(root: Path) -> Path:
    """A project directory beside the product's copy, sharing its virtualenv."""
    project = root / "engine-floor"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(_PULUMI_YAML)
    (project / "__main__.py").write_text(_PROGRAM)
    (project / "floor_provider.py").write_text(_PROVIDER)
    (project / ".venv").symlink_to(REPO_ROOT / ".venv")
    (project / "personas").mkdir()
    return project
