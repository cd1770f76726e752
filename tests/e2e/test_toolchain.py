"""The Pulumi toolchain works end to end: every language-host RPC the CLI calls for a Python
project, through the real CLI (README, "The Pulumi CLI", has the table of RPCs).

A tiny program with one Python dynamic resource proves Run, the provider launcher and
virtualenv discovery; a throwaway project with hand-made wheels proves `pulumi install`
(InstallDependencies), `pulumi about` (About, GetProgramDependencies, GetRequiredPackages) and
`pulumi package pack-sdk` (Pack). RunPlugin is proven by the policy pack
(tests/e2e/test_policy_pack.py) and by a Python plugin below.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from harness.pulumi import EXIT_CHANGES_FOUND, PULUMI_BIN, REPO_ROOT, PulumiStack
from tests.e2e.wheels import build_wheel

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "fixtures" / "tiny"


def _version(text: str) -> tuple[int, ...]:
    match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", text.strip())
    assert match, f"not a version: {text!r}"
    return tuple(int(part) for part in match.groups())


def test_cli_is_at_least_the_documented_minimum() -> None:
    minimum = re.search(r"^PULUMI_MIN_VERSION=(\S+)", (REPO_ROOT / "tools/bootstrap.sh").read_text(), re.M)
    assert minimum
    out = subprocess.run([str(PULUMI_BIN / "pulumi"), "version"], capture_output=True, text=True, check=True)
    assert _version(out.stdout) >= _version(minimum.group(1))


def _tiny_project(tmp_path: Path) -> Path:
    project = tmp_path / "tiny"
    shutil.copytree(FIXTURE, project)
    manifest = project / "Pulumi.yaml"
    manifest.write_text(manifest.read_text().replace("VENV_PLACEHOLDER", str(REPO_ROOT / ".venv")))
    return project


def test_dynamic_resource_lifecycle(tmp_path: Path) -> None:
    stack = PulumiStack(project_dir=_tiny_project(tmp_path), state_dir=tmp_path / "state")
    marker = tmp_path / "marker.txt"
    stack.init()
    stack.set_config("markerPath", str(marker))

    stack.up()
    assert marker.read_text() == "hello"
    assert stack.outputs() == {"path": str(marker)}

    stack.preview("--expect-no-changes")
    marker.unlink()  # drift that only a refresh could see; a plain preview must stay empty
    stack.preview("--expect-no-changes")

    stack.set_config("markerPath", str(tmp_path / "moved.txt"))
    changed = stack.preview("--expect-no-changes", check=False)
    assert changed.returncode == EXIT_CHANGES_FOUND

    stack.set_config("markerPath", str(marker))
    marker.write_text("hello")
    stack.destroy()
    assert not marker.exists()
    assert stack.export()["deployment"].get("resources") in (None, [])


PROBE_MANIFEST = """\
name: probe
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
"""


@pytest.fixture(scope="module")
def installed_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[PulumiStack, str]:
    """A project whose virtualenv does not exist yet, then `pulumi install` (InstallDependencies)."""
    root = tmp_path_factory.mktemp("probe")
    project = root / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(PROBE_MANIFEST)
    (project / "__main__.py").write_text("import pulumi\n")
    wheel = build_wheel(project / "dist", "tavus-probe", "0.4.0")
    (project / "requirements.txt").write_text(f"./dist/{wheel.name}\n")
    stack = PulumiStack(project_dir=project, state_dir=root / "state")
    install = stack.run("install")
    return stack, install.output


def test_install_creates_the_virtualenv_and_streams_pip(installed_project: tuple[PulumiStack, str]) -> None:
    stack, output = installed_project
    venv = stack.project_dir / "venv"
    assert (venv / "bin" / "python").exists()
    # pip's own lines, streamed through the CLI as pip printed them
    assert "Processing ./dist/tavus_probe-0.4.0-py3-none-any.whl" in output
    assert "Successfully installed tavus-probe-0.4.0" in output
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert {"name": "tavus-probe", "version": "0.4.0"} in json.loads(listed.stdout)


def _about(stack: PulumiStack, *flags: str) -> dict[str, Any]:
    about: dict[str, Any] = json.loads(stack.run("about", "--json", *flags).stdout)
    return about


def test_about_shows_the_interpreter_dependencies_and_required_plugins(
    installed_project: tuple[PulumiStack, str],
) -> None:
    stack, _ = installed_project
    venv = stack.project_dir / "venv"
    # Pulumi packages as providers publish them: a pulumi-plugin.json naming the plugin, a
    # pulumi-* package without one (plugin named after it, PEP 440 version as semver), and one
    # that says it has no plugin; plus pulumi-policy, which never has one.
    dist = stack.project_dir / "dist"
    wheels = [
        build_wheel(dist, "tavus-plugged", "1.0", {"resource": True, "name": "plugged", "version": "1.2.3"}),
        build_wheel(dist, "pulumi-tavusfake", "2.0.0b3"),
        build_wheel(dist, "pulumi-noplugin", "1.0", {"resource": False}),
        build_wheel(dist, "pulumi-policy", "9.9.9"),
    ]
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", *map(str, wheels)],
        check=True,
    )

    about = _about(stack)
    assert about["runtime"]["executable"] == str(venv / "bin" / "python")
    assert about["runtime"]["toolchain"] == "Pip"
    dependencies = {d["name"]: d["version"] for d in about["dependencies"]}
    assert dependencies["tavus-probe"] == "0.4.0"
    assert dependencies["tavus-plugged"] == "1.0"
    plugins = {(p["name"], p["version"]) for p in about["plugins"] if p["kind"] == "resource"}
    assert plugins == {("plugged", "1.2.3"), ("tavusfake", "2.0.0-beta.3")}


def test_about_of_this_project_lists_its_pinned_dependencies(tmp_path: Path) -> None:
    stack = PulumiStack(project_dir=REPO_ROOT, state_dir=tmp_path / "state")
    pinned = dict(
        line.split("==") for line in (REPO_ROOT / "requirements.txt").read_text().splitlines() if "==" in line
    )
    top_level = {d["name"]: d["version"] for d in _about(stack)["dependencies"]}
    assert top_level["pulumi-policy"] == pinned["pulumi-policy"]
    assert top_level["httpx"] == pinned["httpx"]
    assert "pulumi" not in top_level  # required by pulumi-policy, so only listed with --transitive
    transitive = {d["name"]: d["version"] for d in _about(stack, "--transitive")["dependencies"]}
    assert transitive["pulumi"] == pinned["pulumi"]


def test_pack_sdk_builds_a_wheel(tmp_path: Path) -> None:
    sdk = tmp_path / "sdk"
    (sdk / "tavus_sdk").mkdir(parents=True)
    (sdk / "tavus_sdk" / "__init__.py").write_text("ANSWER = 42\n")
    (sdk / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "tavus-sdk"\nversion = "0.1.0"\n'
    )
    out = tmp_path / "out"
    out.mkdir()
    stack = PulumiStack(project_dir=out, state_dir=tmp_path / "state")
    packed = stack.run("package", "pack-sdk", "python", str(sdk))
    artifact = out / "tavus_sdk-0.1.0-py3-none-any.whl"
    assert str(artifact) in packed.stdout
    with zipfile.ZipFile(artifact) as wheel:
        assert wheel.read("tavus_sdk/__init__.py") == b"ANSWER = 42\n"


GREETER_PLUGIN = '''\
from typing import TypedDict

import pulumi
from pulumi.provider.experimental import component_provider_host


class GreetingArgs(TypedDict):
    who: pulumi.Input[str]


class Greeting(pulumi.ComponentResource):
    message: pulumi.Output[str]

    def __init__(self, name: str, args: GreetingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("greeter:index:Greeting", name, {}, opts)
        self.message = pulumi.Output.concat("hello ", args["who"])
        self.register_outputs({"message": self.message})


if __name__ == "__main__":
    component_provider_host(name="greeter", components=[Greeting])
'''


def test_a_python_plugin_gets_its_own_virtualenv_and_runs(tmp_path: Path) -> None:
    # RunPlugin for a resource plugin: a component provider in a directory with a __main__.py
    # and no `virtualenv` option, so it gets `venv/` of its own (InstallDependencies, IsPlugin).
    plugin = tmp_path / "greeter"
    plugin.mkdir()
    (plugin / "PulumiPlugin.yaml").write_text("runtime:\n  name: python\n")
    (plugin / "__main__.py").write_text(GREETER_PLUGIN)
    requirements = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    pinned = next(line for line in requirements if line.startswith("pulumi=="))
    (plugin / "requirements.txt").write_text(pinned + "\n")
    stack = PulumiStack(project_dir=tmp_path, state_dir=tmp_path / "state")

    run = stack.run("package", "get-schema", str(plugin))
    assert (plugin / "venv" / "bin" / "python").exists()
    schema_start = re.search(r"^\{", run.stdout, re.M)  # after pip's lines, if any
    assert schema_start, run.output
    schema = json.loads(run.stdout[schema_start.start() :])
    assert schema["name"] == "greeter"
    assert schema["resources"]["greeter:index:Greeting"]["isComponent"] is True
