"""Helpers for end-to-end tests: a project copy, its stack and the sandbox it deploys to.

Nothing here is mocked. Each test module gets a project directory whose
`providers/`, `__main__.py` and `.venv` are the repository's own (symlinked), and a
copy of the example personas it may edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.project import make_project
from harness.pulumi import REPO_ROOT, PulumiStack
from sandbox.testing import SandboxProcess

# Distinctive values, so a scan for them cannot match anything by accident.
TAVUS_KEY = "tavus-e2e-key-7c1f0a93"
STORYTELLER_KEY = "sk-e2e-storyteller-9d2b4e61"
ROTATED_KEY = "sk-e2e-rotated-1a8c3f57"
REPLICA_ID = "r90bbd427f71"
SECRETS = (TAVUS_KEY, STORYTELLER_KEY, ROTATED_KEY)


@dataclass
class Deployment:
    """A project copy, its stack and the sandbox it deploys to."""

    project: Path
    stack: PulumiStack
    sandbox: SandboxProcess

    @property
    def personas_dir(self) -> Path:
        return self.project / "personas"

    def write_persona(self, name: str, text: str) -> Path:
        path = self.personas_dir / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def write_file(self, relative: str, text: str) -> Path:
        """Write e.g. `guardrails/compliance.yaml` into the project."""
        path = self.project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def edit_file(self, relative: str, old: str, new: str) -> None:
        path = self.project / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new))

    def resource_ids(self, type_name: str) -> dict[str, str]:
        """Resource name -> id of every `tavus:<type_name>` resource in the stack's state."""
        resources = self.stack.export()["deployment"].get("resources") or []
        return {
            r["urn"].rsplit("::", 1)[1]: r["id"]
            for r in resources
            if r["type"] == f"pulumi-python:dynamic/tavus:{type_name}"
        }

    def edit_persona(self, name: str, old: str, new: str) -> None:
        path = self.personas_dir / f"{name}.yaml"
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new))

    def state_ids(self) -> dict[str, str]:
        """Resource name -> persona id, from the stack's state."""
        resources = self.stack.export()["deployment"].get("resources") or []
        return {
            r["urn"].rsplit("::", 1)[1]: r["id"]
            for r in resources
            if r["type"] == "pulumi-python:dynamic/tavus:Persona"
        }

    def user_personas(self) -> list[dict[str, object]]:
        return self.sandbox.admin.list(persona_type="user")

    def writes_since(self, cursor: int) -> list[dict[str, object]]:
        log = self.sandbox.admin.requests(since=cursor)["requests"]
        return [entry for entry in log if entry["method"] in ("POST", "PATCH", "DELETE")]


def make_deployment(
    root: Path,
    sandbox: SandboxProcess,
    personas: Path | None = REPO_ROOT / "personas",
    stack_name: str = "e2e",
    backend_url: str | None = None,
    backend_env: Mapping[str, str] | None = None,
) -> Deployment:
    """`backend_url` and its credentials `backend_env` (PG* variables) default to a file backend."""
    project = make_project(root, personas)
    stack = PulumiStack(
        project_dir=project, state_dir=root / "state", stack=stack_name,
        backend_url=backend_url, extra_env=dict(backend_env or {}),
    )
    stack.init()
    stack.set_config("tavus:apiKey", sandbox.api_key, secret=True)
    stack.set_config("tavus:baseUrl", sandbox.url)
    stack.set_config("storytellerOpenaiApiKey", STORYTELLER_KEY, secret=True)
    stack.set_config("replicaId", REPLICA_ID)
    return Deployment(project, stack, sandbox)


def assert_no_secrets(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret value leaked into {where}"
