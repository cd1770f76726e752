"""`python -m providers promote`: dev -> staging -> prod from the same files, per-stack config.

Each stack has its own Tavus account (its own sandbox) and its own `replicaId`; all three stacks
live in one PostgreSQL table, as a team's would. The tests run in file order on shared stacks.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.postgres import PostgresServer
from harness.pulumi import PulumiStack
from sandbox.testing import SandboxProcess, start_sandbox
from tests.support.cli import run_cli
from tests.support.deployment import STORYTELLER_KEY, TAVUS_KEY, Deployment, assert_no_secrets
from tests.team.support import plant_lock, team_deployment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TABLE = "promote_state"
REPLICAS = {"dev": "r-dev-000001", "staging": "r-staging-02", "prod": "r-prod-00003"}


@dataclass
class Pipeline:
    dev: Deployment
    stacks: dict[str, PulumiStack]
    accounts: dict[str, SandboxProcess]

    def promote(self, source: str, target: str, *flags: str) -> subprocess.CompletedProcess[str]:
        result = run_cli(
            "promote", "--from", source, "--to", target, *flags, cwd=self.dev.project, stack=self.dev.stack
        )
        assert_no_secrets(result.stdout + result.stderr, "promote's output")
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def replicas(self, stack: str) -> list[str]:
        """Replica ids of the stack's personas that set one (the storyteller: `{config: replicaId}`)."""
        personas = self.accounts[stack].admin.list("user")
        return sorted(str(p["default_replica_id"]) for p in personas if p.get("default_replica_id"))


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer) -> Iterator[Pipeline]:
    root = tmp_path_factory.mktemp("promote")
    accounts = {
        name: start_sandbox(root / f"{name}.db", [TAVUS_KEY], log_path=root / f"{name}.log")
        for name in REPLICAS
    }
    try:
        dev = team_deployment(root / "dev", accounts["dev"], postgres, TABLE, "dev")
        dev.stack.set_config("replicaId", REPLICAS["dev"])
        stacks = {"dev": dev.stack}
        for name in ("staging", "prod"):
            stacks[name] = _next_stack(dev, name, accounts[name])
        yield Pipeline(dev, stacks, accounts)
    finally:
        for account in accounts.values():
            account.stop()


def _next_stack(dev: Deployment, name: str, account: SandboxProcess) -> PulumiStack:
    """Another stack of the same project and backend, with its own account and config."""
    stack = PulumiStack(
        project_dir=dev.project, state_dir=dev.stack.state_dir, stack=name,
        backend_url=dev.stack.backend_url, extra_env=dict(dev.stack.extra_env),
    )
    stack.init()
    stack.set_config("tavus:apiKey", account.api_key, secret=True)
    stack.set_config("tavus:baseUrl", account.url)
    stack.set_config("storytellerOpenaiApiKey", STORYTELLER_KEY, secret=True)
    stack.set_config("replicaId", REPLICAS[name])
    return stack


def test_promote_shows_the_next_stacks_plan_and_writes_nothing(pipeline: Pipeline) -> None:
    pipeline.dev.stack.up()

    shown = pipeline.promote("dev", "staging")

    assert shown.returncode == 0, shown.stderr
    assert "## Tavus personas: plan for stack `staging`" in shown.stdout
    assert "**5 to create, 0 to update, 0 to delete" in shown.stdout  # 2 personas, 3 sets
    assert "run again with --apply" in shown.stdout
    assert pipeline.accounts["staging"].admin.list("user") == []


def test_apply_deploys_with_the_targets_own_config(pipeline: Pipeline) -> None:
    applied = pipeline.promote("dev", "staging", "--apply")

    assert applied.returncode == 0, applied.stderr
    assert "stack staging now runs the files of stack dev" in applied.stdout
    assert pipeline.replicas("staging") == [REPLICAS["staging"]]  # storyteller's {config: replicaId}
    pipeline.stacks["staging"].preview("--expect-no-changes")


def test_files_not_yet_on_the_source_stack_are_refused(pipeline: Pipeline) -> None:
    pipeline.dev.edit_persona("health-coach", "and you help people", "and you coach sleep, you help people")
    cursor = pipeline.accounts["staging"].admin.cursor()

    refused = pipeline.promote("dev", "staging", "--apply")

    assert refused.returncode == 2
    assert "stack dev does not run exactly these files (1 resource(s) would change there)" in refused.stderr
    assert "plan for stack `dev`" in refused.stderr and "health-coach" in refused.stderr
    logged = pipeline.accounts["staging"].admin.requests(cursor)["requests"]
    assert [r for r in logged if r["method"] != "GET"] == []  # nothing was applied


def test_after_dev_runs_them_the_edit_is_promoted(pipeline: Pipeline) -> None:
    pipeline.dev.stack.up()
    cursor = pipeline.accounts["staging"].admin.cursor()

    applied = pipeline.promote("dev", "staging", "--apply")

    assert applied.returncode == 0, applied.stderr
    assert "**0 to create, 1 to update" in applied.stdout and "health-coach" in applied.stdout
    writes = [r["method"] for r in pipeline.accounts["staging"].admin.requests(cursor)["requests"]]
    assert writes.count("PATCH") == 1 and "POST" not in writes


def test_drift_on_the_source_stack_is_refused(pipeline: Pipeline) -> None:
    staging = pipeline.accounts["staging"]
    coach = next(p for p in staging.admin.list("user") if p["persona_name"] == "Health Coach")
    staging.admin.edit(str(coach["persona_id"]), [{"op": "replace", "path": "/context", "value": "UI edit"}])

    refused = pipeline.promote("staging", "prod")

    assert refused.returncode == 2
    assert "stack staging does not run exactly these files" in refused.stderr
    assert "drift --stack staging" in refused.stderr
    assert pipeline.accounts["prod"].admin.list("user") == []


def test_locked_target_is_explained_then_promoted(pipeline: Pipeline, postgres: PostgresServer) -> None:
    pipeline.stacks["staging"].up("--refresh")  # revert the drift: staging is clean again
    key = plant_lock(postgres, TABLE, "prod", pid=4242, hostname="ci-runner-7")

    locked = pipeline.promote("staging", "prod", "--apply")

    assert locked.returncode == 1
    assert "stack prod is locked by another run: ci@ci-runner-7 (pid 4242)" in locked.stderr
    assert "python -m providers recover --stack prod" in locked.stderr
    assert pipeline.accounts["prod"].admin.list("user") == []

    with postgres.admin() as admin:
        admin.execute(f"DELETE FROM {TABLE} WHERE key = %s".encode(), (key,))
    applied = pipeline.promote("staging", "prod", "--apply")

    assert applied.returncode == 0, applied.stderr
    assert pipeline.replicas("prod") == [REPLICAS["prod"]]
