"""The persona lifecycle and every GitOps command on a real PostgreSQL state backend.

The tests run in file order and share one stack in its own table: up, no-op, one-field edit,
drift (detected by `drift`, reverted by `up`), `pr-comment`, `export` + adoption, `preflight`,
a secret scan of every row of the state table, destroy. Credentials reach Pulumi and the
product only through PG* variables; the backend URL is `postgres:///?table=...`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from harness.postgres import PostgresServer
from sandbox.llm_testing import LlmAdmin
from sandbox.testing import SandboxProcess
from tests.support.cli import run_cli
from tests.support.deployment import SECRETS, STORYTELLER_KEY, Deployment, assert_no_secrets
from tests.team.support import scan_rows, state_of, team_deployment

pytestmark = pytest.mark.e2e

TABLE = "lifecycle_state"
STACK = "team"


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory, module_sandbox: SandboxProcess, postgres: PostgresServer
) -> Iterator[Deployment]:
    deployment = team_deployment(tmp_path_factory.mktemp("team"), module_sandbox, postgres, TABLE, STACK)
    yield deployment
    assert_no_secrets(deployment.stack.captured_text(), "the Pulumi CLI output")


def _cli(d: Deployment, *args: str) -> tuple[int, str]:
    result = run_cli(*args, cwd=d.project, stack=d.stack)
    output = result.stdout + result.stderr
    assert_no_secrets(output, f"`python -m providers {args[0]}`")
    assert "Traceback" not in output, output
    return result.returncode, output


def test_up_writes_the_state_into_the_table_only(deployment: Deployment, postgres: PostgresServer) -> None:
    deployment.stack.up()

    assert sorted(p["persona_name"] for p in deployment.user_personas()) == ["Health Coach", "Storyteller"]
    keys = [blob.key for blob in state_of(deployment.stack, postgres).blobs()]
    assert f".pulumi/stacks/tavus-personas/{STACK}.json" in keys
    assert any(key.startswith(".pulumi/history/") for key in keys)
    assert not (deployment.stack.state_dir / "backend").exists(), "no file backend was used"
    assert postgres.password not in deployment.stack.run("whoami", "--verbose").output


def test_noop_changes_nothing(deployment: Deployment) -> None:
    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.preview("--expect-no-changes")
    deployment.stack.up("--expect-no-changes")
    deployment.stack.refresh("--preview-only", "--expect-no-changes")
    assert deployment.writes_since(cursor) == []


def test_edit_is_one_patch_and_pr_comment_shows_it(deployment: Deployment) -> None:
    deployment.edit_persona("health-coach", "and you help people", "You also coach sleep. You help people")
    preview = deployment.stack.preview("--json")
    code, comment = _cli_stdin(deployment, preview.stdout)
    assert code == 0
    assert f"plan for stack `{STACK}`" in comment and "**0 to create, 1 to update" in comment
    assert "health-coach" in comment and "context" in comment

    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up()
    writes = deployment.writes_since(cursor)
    assert [w["method"] for w in writes] == ["PATCH"]
    assert [op["path"] for op in json.loads(str(writes[0]["body"]))] == ["/context"]


def _cli_stdin(d: Deployment, stdin: str) -> tuple[int, str]:
    result = run_cli("pr-comment", "-", "--root", str(d.project), cwd=d.project, stack=d.stack, stdin=stdin)
    assert_no_secrets(result.stdout + result.stderr, "pr-comment")
    return result.returncode, result.stdout


def test_drift_is_reported_then_reverted(deployment: Deployment) -> None:
    storyteller = deployment.state_ids()["storyteller"]
    edit = [{"op": "replace", "path": "/system_prompt", "value": "UI edit"}]
    deployment.sandbox.admin.edit(storyteller, edit)

    code, report = _cli(deployment, "drift", "--stack", STACK, "--json")
    assert code == 2, report
    managed = json.loads(report)["managed"]
    assert [(m["resource"], [c["path"] for c in m["changes"]]) for m in managed] == [
        ("storyteller", ["system_prompt"])
    ]

    deployment.stack.up("--refresh")
    assert _cli(deployment, "drift", "--stack", STACK)[0] == 0


def test_export_then_up_adopts(deployment: Deployment) -> None:
    made_by_hand = deployment.sandbox.admin.create(
        {"persona_name": "Front Desk", "system_prompt": "You greet visitors.", "pipeline_mode": "full"}
    )
    code, output = _cli(deployment, "export", "--stack", STACK)
    assert code == 0, output
    exported = deployment.personas_dir / "front-desk.yaml"
    assert f"adopt: {made_by_hand}" in exported.read_text()

    cursor = deployment.sandbox.admin.cursor()
    deployment.stack.up()
    assert [w["method"] for w in deployment.writes_since(cursor) if w["method"] == "POST"] == []
    assert deployment.state_ids()["front-desk"] == made_by_hand


def test_preflight_reads_the_stack_config(deployment: Deployment) -> None:
    with LlmAdmin(deployment.sandbox.url) as llm:
        llm.set_scenario("team", api_key=STORYTELLER_KEY)
        code, output = _cli(
            deployment, "preflight", "--stack", STACK, "storyteller", "--base-url", llm.base_url("team")
        )
    assert code == 0, output


def test_no_secret_in_any_row_of_the_state_table(deployment: Deployment, postgres: PostgresServer) -> None:
    state = state_of(deployment.stack, postgres)
    rows, findings = scan_rows(state, (*SECRETS, postgres.password))
    assert rows >= 10, "the state, its backups, history and meta rows were all scanned"
    assert findings == []
    # The scan reads the decoded rows: a value that is in the state in clear is found.
    assert scan_rows(state, ("You greet visitors.",))[1]


def test_destroy_empties_account_and_state(deployment: Deployment) -> None:
    deployment.stack.destroy()
    assert deployment.user_personas() == []
    assert deployment.state_ids() == {}
