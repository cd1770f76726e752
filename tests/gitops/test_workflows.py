"""The GitHub Actions workflows: actionlint (pinned, built by `make bootstrap`) finds nothing, and
the properties the team relies on hold (no secrets for forks, drift fails the job, caches)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from harness.pulumi import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ACTIONLINT = REPO_ROOT / ".tools" / "actionlint"


def _load(name: str) -> dict[Any, Any]:
    document: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return document


def _steps(name: str) -> list[dict[str, Any]]:
    jobs = _load(name)["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def test_actionlint_passes() -> None:
    assert ACTIONLINT.exists(), "run `make bootstrap`: it builds .tools/actionlint"
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 3
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_is_not_a_rubber_stamp(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.no_such_thing }\n"
    )
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1


def test_preview_never_hands_secrets_to_forks() -> None:
    workflow = _load("preview.yml")
    assert set(workflow[True]) == {"pull_request"}  # YAML 1.1 reads the key `on` as True
    for step in _steps("preview.yml"):
        uses_secrets = "secrets." in yaml.safe_dump(step)
        if uses_secrets or "pr-comment" in str(step.get("run", "")) or "sticky" in str(step.get("uses", "")):
            assert step.get("if") == "${{ !github.event.pull_request.head.repo.fork }}", step
    assert any("providers validate" in str(s.get("run", "")) and "if" not in s for s in _steps("preview.yml"))


def test_each_workflow_bootstraps_with_the_shared_caches() -> None:
    for name in ("preview.yml", "deploy.yml", "drift.yml"):
        steps = _steps(name)
        assert any(s.get("run") == "make bootstrap" for s in steps), name
        cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
        paths = cache["with"]["path"].split()
        assert paths == ["~/.cache/tavus-personas", "~/go/pkg/mod", "~/.cache/go-build", "~/.cache/pip"], name


def test_deploy_and_drift_commands() -> None:
    deploy = [str(s.get("run", "")) for s in _steps("deploy.yml")]
    assert any("providers preflight --stack" in r for r in deploy)
    up = next(i for i, r in enumerate(deploy) if "pulumi up" in r)
    assert "--expect-no-changes" in deploy[up + 1]
    drift = next(str(s["run"]) for s in _steps("drift.yml") if "providers drift" in str(s.get("run", "")))
    assert '--markdown >> "$GITHUB_STEP_SUMMARY"' in drift and 'exit "$code"' in drift
    assert set(_load("drift.yml")[True]) == {"schedule", "workflow_dispatch"}


def test_deploy_recovers_only_when_asked_and_before_anything_else() -> None:
    steps = _steps("deploy.yml")
    recover = next(i for i, s in enumerate(steps) if "providers recover" in str(s.get("run", "")))
    assert steps[recover]["if"] == "${{ inputs.recover }}"
    assert "--force-unlock" in steps[recover]["run"]  # safe only because deploys never overlap
    assert _load("deploy.yml")["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    preflight = next(i for i, s in enumerate(steps) if "providers preflight" in str(s.get("run", "")))
    assert recover < preflight
