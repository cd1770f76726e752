"""`export`: personas made by hand in the account become files that `pulumi up` adopts.

Round trip against the sandbox and the real CLI: export writes one file per unmanaged persona
(secrets as `{secret: KEY}` with the `pulumi config set` commands to run); after setting those
keys, `pulumi up` adopts the personas with zero POSTs and the next preview is empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness.pulumi import REPO_ROOT
from providers.cli.export import persona_file, slugify
from providers.facts.persona import camel
from providers.spec import load_persona_text
from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment, assert_no_secrets, make_deployment

RECEPTIONIST_KEY = "sk-export-receptionist-4f7a2c91"
GUIDE_TTS_KEY = "el-export-guide-tts-83b1d6e0"
RECEPTIONIST = {
    "persona_name": "Front Desk Receptionist",
    "system_prompt": "You welcome visitors.\nYou never share room numbers.",
    "pipeline_mode": "full",
    "layers": {
        "llm": {"model": "gpt-4o-mini", "base_url": "https://api.openai.com/v1", "api_key": RECEPTIONIST_KEY},
    },
}
GUIDE = {
    "persona_name": "Tour Guide",
    "system_prompt": "You guide museum tours.",
    "layers": {"tts": {"tts_engine": "elevenlabs", "api_key": GUIDE_TTS_KEY, "external_voice_id": "v7"}},
}


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess) -> Deployment:
    """A managed stack (the examples) plus personas created by hand in the same account."""
    d = make_deployment(tmp_path_factory.mktemp("export"), module_sandbox, stack_name="prod")
    d.stack.up()
    module_sandbox.admin.create(RECEPTIONIST)
    module_sandbox.admin.create(GUIDE)
    module_sandbox.admin.create({"persona_name": "Storyteller", "system_prompt": "A hand-made twin."})
    return d


@pytest.mark.e2e
def test_export_then_up_adopts_with_zero_posts(account: Deployment) -> None:
    d = account
    result = run_cli("export", "--stack", "prod", cwd=d.project, stack=d.stack)
    assert result.returncode == 0, result.stderr
    assert_no_secrets(result.stdout + result.stderr, "export output")
    for secret in (RECEPTIONIST_KEY, GUIDE_TTS_KEY):
        assert secret not in result.stdout + result.stderr

    files = sorted(p.name for p in d.personas_dir.glob("*.yaml"))
    # The examples are managed (ids in state); the hand-made "Storyteller" twin shares a file's name.
    assert files == [
        "front-desk-receptionist.yaml",
        "health-coach.yaml",
        "storyteller.yaml",
        "tour-guide.yaml",
    ]
    receptionist = (d.personas_dir / "front-desk-receptionist.yaml").read_text()
    command = "pulumi config set --secret --stack prod frontDeskReceptionistLlmApiKey <value>"
    assert f"#   {command}" in receptionist and command in result.stdout
    document = yaml.safe_load(receptionist)
    assert document["layers"]["llm"]["api_key"] == {"secret": "frontDeskReceptionistLlmApiKey"}
    assert document["system_prompt"] == RECEPTIONIST["system_prompt"]
    assert yaml.safe_load((d.personas_dir / "tour-guide.yaml").read_text())["layers"]["tts"]["api_key"] == {
        "secret": "tourGuideTtsApiKey"
    }
    assert run_cli("validate", "--root", str(d.project), cwd=REPO_ROOT).returncode == 0

    d.stack.set_config("frontDeskReceptionistLlmApiKey", RECEPTIONIST_KEY, secret=True)
    d.stack.set_config("tourGuideTtsApiKey", GUIDE_TTS_KEY, secret=True)
    cursor = d.sandbox.admin.cursor()
    d.stack.up()
    assert [w["method"] for w in d.writes_since(cursor) if w["method"] == "POST"] == []
    adopted = d.state_ids()
    by_name = {
        p["persona_name"]: p["persona_id"] for p in d.user_personas() if p["persona_name"] != "Storyteller"
    }
    assert adopted["front-desk-receptionist"] == by_name["Front Desk Receptionist"]
    assert adopted["tour-guide"] == by_name["Tour Guide"]
    d.stack.preview("--expect-no-changes")


@pytest.mark.e2e
def test_second_export_writes_nothing(account: Deployment) -> None:
    before = sorted(account.personas_dir.iterdir())
    result = run_cli("export", "--stack", "prod", cwd=account.project, stack=account.stack)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 file(s) exported"
    assert sorted(account.personas_dir.iterdir()) == before


def test_names_and_keys() -> None:
    assert slugify("Front Desk Receptionist!") == "front-desk-receptionist"
    assert slugify("***") == "persona"
    assert camel("Front Desk Receptionist") == "frontDeskReceptionist"
    assert camel("api_key", upper_first=True) == "ApiKey"
    text, commands = persona_file(
        {"persona_id": "p1", "persona_name": "Agent 7", "layers": {"llm": {"headers": {"X-Org": "*****"}}}},
        "dev",
        "agent-7",
    )
    assert commands == ["pulumi config set --secret --stack dev agent7LlmHeaderXOrg <value>"]
    assert yaml.safe_load(text)["pulumi"] == {"adopt": "p1"}


@pytest.mark.parametrize("layer", ["llm", "tts"])
def test_validate_suggests_the_key_export_writes(layer: str) -> None:
    """One naming rule: validate once suggested `tourGuideOpenaiApiKey` where export wrote
    `tourGuideLlmApiKey`, so a user following either got a key the other did not name."""
    live = {
        "persona_id": "p1",
        "persona_name": "Tour Guide",
        "system_prompt": "You guide tours.",
        "layers": {
            "llm": {"model": "gpt-4o", "base_url": "https://api.openai.com/v1", "api_key": "****"},
            "tts": {"tts_engine": "elevenlabs", "api_key": "****", "external_voice_id": "v7"},
        },
    }
    document = yaml.safe_load(persona_file(live, "dev", "tour-guide")[0])
    written = document["layers"][layer]["api_key"]["secret"]

    document["layers"][layer]["api_key"] = "sk-typed-in-by-hand"
    _, diagnostics = load_persona_text(yaml.safe_dump(document), "personas/tour-guide.yaml", "tour-guide")

    (error,) = [d for d in diagnostics if d.path == f"layers.{layer}.api_key"]
    assert f"pulumi config set --secret {written} <value>" in error.message
    assert written == f"tourGuide{layer.capitalize()}ApiKey"


def test_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    from providers.cli.export import _free_path

    (tmp_path / "tour-guide.yaml").write_text("keep me")
    (tmp_path / "tour-guide-2.yml").write_text("keep me too")
    assert _free_path(tmp_path, "tour-guide") == tmp_path / "tour-guide-3.yaml"
