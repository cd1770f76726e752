"""`make demo` and `make demo-stop` as a newcomer runs them, in a project copy on a free port.

DEMO_ROOT and DEMO_PORT (harness/demo.py) move the demo off the checkout's `.demo/` and port
8787, so the test never meets a demo the developer has running.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.project import make_project
from harness.pulumi import REPO_ROOT

pytestmark = pytest.mark.e2e

Demo = tuple[Path, dict[str, str]]  # the project copy, and the environment that points the demo at it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo_project(tmp_path: Path) -> Iterator[Demo]:
    project = make_project(tmp_path)
    port = free_port()
    config = (REPO_ROOT / "Pulumi.sandbox.yaml").read_text()
    assert "http://127.0.0.1:8787" in config
    (project / "Pulumi.sandbox.yaml").write_text(config.replace(":8787", f":{port}"))
    env = {**os.environ, "DEMO_ROOT": str(project), "DEMO_PORT": str(port)}
    try:
        yield project, env
    finally:
        make("demo-stop", env)


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    make_binary = shutil.which("make")
    assert make_binary is not None
    return subprocess.run(
        [make_binary, "-s", target], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_demo_deploys_the_examples_shows_preflight_and_stops(demo_project: Demo) -> None:
    project, env = demo_project
    url = f"http://127.0.0.1:{env['DEMO_PORT']}"

    first = make("demo", env)

    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    listed = first.stdout.split("== personas in the sandbox ==")[1].split("==")[0]
    assert "Health Coach" in listed and "Storyteller" in listed
    assert "(masked by the API)" in listed and "sk-demo-storyteller" not in first.stdout
    assert "preflight passed" in first.stdout and "(exit code 0)" in first.stdout
    assert "preflight FAILED" in first.stdout and "(exit code 1)" in first.stdout
    env_file = (project / ".demo" / "env.sh").read_text()
    assert f"{project}/.demo/state/backend?metadata=skip" in env_file
    assert not (REPO_ROOT / "Pulumi.sandbox.yaml").read_text().count(env["DEMO_PORT"])

    second = make("demo", env)  # the sandbox and the stack are kept: nothing to do

    assert second.returncode == 0, second.stdout[-3000:]
    assert " created" not in second.stdout and "unchanged" in second.stdout

    stopped = make("demo-stop", env)

    assert "sandbox stopped" in stopped.stdout
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_sandbox/faults", timeout=5)
