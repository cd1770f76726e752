"""`pr-comment` on the JSON of a REAL `pulumi preview --json` (sandbox stack): golden-file test.

The plan holds a create, an update of a long prompt, a key rotation and a delete (and one
unchanged persona). The comment must equal tests/gitops/golden/pr_comment.md once persona ids
(random per run) are replaced by `<id:RESOURCE>`, and hold no secret value.
Regenerate the golden file with `UPDATE_GOLDEN=1 .venv/bin/pytest tests/gitops/test_pr_comment.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from providers.cli.pr_comment import UNCOUNTED
from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import Deployment, assert_no_secrets, make_deployment

pytestmark = pytest.mark.e2e

GOLDEN = Path(__file__).parent / "golden" / "pr_comment.md"
CONCIERGE_KEY = "sk-golden-concierge-5e0f2b18"
CONCIERGE_ROTATED = "sk-golden-rotated-c3d9a470"
LONG_PROMPT = "\n".join(
    f"Rule {n}: answer in plain words, then offer one follow-up idea." for n in range(1, 13)
)
CONCIERGE = """\
persona_name: Concierge
system_prompt: You book tables and tours for hotel guests.
layers:
  llm:
    model: gpt-4o-mini
    base_url: https://api.openai.com/v1
    api_key: {secret: conciergeLlmApiKey}
"""
GREETER = "persona_name: Greeter\nsystem_prompt: You greet visitors at the door.\n"
FRONT_DESK = """\
persona_name: Front Desk
system_prompt: You check guests in and answer questions about the hotel.
pipeline_mode: full
layers:
  tts:
    tts_engine: cartesia
"""


def _long_prompt_file(prompt: str) -> str:
    indented = "\n".join(f"  {line}" for line in prompt.splitlines())
    return f"persona_name: Long Rules\nsystem_prompt: |\n{indented}\n"


@pytest.fixture(scope="module")
def planned(
    tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess
) -> tuple[Deployment, str]:
    """A stack after `up`, then edited files and config, and the JSON of its real preview."""
    d = make_deployment(tmp_path_factory.mktemp("golden"), module_sandbox, stack_name="pr")
    d.stack.set_config("conciergeLlmApiKey", CONCIERGE_KEY, secret=True)
    d.write_persona("concierge", CONCIERGE)
    d.write_persona("greeter", GREETER)
    d.write_persona("long-rules", _long_prompt_file(LONG_PROMPT))
    d.stack.up()

    d.write_persona("front-desk", FRONT_DESK)  # create
    edited = LONG_PROMPT.replace("Rule 7: answer in plain words", "Rule 7: answer in two sentences at most")
    d.write_persona("long-rules", _long_prompt_file(edited))  # update of a long prompt
    d.stack.set_config("conciergeLlmApiKey", CONCIERGE_ROTATED, secret=True)  # key rotation
    (d.personas_dir / "health-coach.yaml").unlink()  # delete
    preview = d.stack.preview("--json").stdout
    return d, preview


def _comment(d: Deployment, preview: str) -> str:
    result = run_cli("pr-comment", "-", "--root", ".", cwd=d.project, stdin=preview)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _normalise(d: Deployment, text: str) -> str:
    for resource, persona_id in d.state_ids().items():
        text = text.replace(persona_id, f"<id:{resource}>")
    return text


def test_comment_matches_the_golden_file(planned: tuple[Deployment, str]) -> None:
    d, preview = planned
    comment = _normalise(d, _comment(d, preview))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(comment, encoding="utf-8")
    assert comment == GOLDEN.read_text(encoding="utf-8")


def test_plan_in_the_preview_has_each_kind_of_change(planned: tuple[Deployment, str]) -> None:
    _, preview = planned
    ops = {
        step["urn"].rsplit("::", 1)[1]: step["op"]
        for step in json.loads(preview)["steps"]
        if "tavus:Persona" in step["urn"]
    }
    assert ops == {
        "concierge": "update",
        "front-desk": "create",
        "health-coach": "delete",
        "long-rules": "update",
    }


def test_comment_never_holds_a_secret_and_is_stable(planned: tuple[Deployment, str]) -> None:
    d, preview = planned
    comment = _comment(d, preview)
    assert_no_secrets(comment, "the PR comment")
    for secret in (CONCIERGE_KEY, CONCIERGE_ROTATED):
        assert secret not in comment and secret not in preview
    assert "`layers.llm.api_key`: changed (secret, value hidden)" in comment
    assert comment.startswith("<!-- tavus-personas:pr-comment -->\n")
    assert _comment(d, preview) == comment  # same plan, same comment: the sticky comment stays put


def test_without_root_the_project_in_the_current_directory_counts(
    planned: tuple[Deployment, str], tmp_path: Path
) -> None:
    """`pr-comment FILE` without --root once said "0 unchanged" for personas the plan leaves out."""
    d, preview = planned
    plan = tmp_path / "preview.json"
    plan.write_text(preview, encoding="utf-8")
    result = run_cli("pr-comment", str(plan), cwd=d.project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == _comment(d, preview)
    assert "**1 to create, 2 to update, 1 to delete, 2 unchanged**" in result.stdout

    elsewhere = run_cli("pr-comment", str(plan), "--root", str(tmp_path), cwd=d.project)  # no personas/
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert f"1 to delete, {UNCOUNTED}**" in elsewhere.stdout
    assert UNCOUNTED.startswith("unchanged not counted (no `personas/` in the project root")
    assert "### Validation" not in elsewhere.stdout


def test_bad_input_exits_1(tmp_path: Path) -> None:
    result = run_cli("pr-comment", "-", cwd=Path(__file__).parents[2], stdin="not json")
    assert result.returncode == 1
    assert "not the JSON of `pulumi preview --json`" in result.stderr
