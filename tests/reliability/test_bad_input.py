"""Bad persona files and stack configs through the real `pulumi preview`: refused, named, zero API calls.

The committed corpus (bad_input/*.yaml, with the header of tests/support/corpus.py) is
previewed as one project, and every file's own message is asserted individually. Cases that need
a file too big to commit, a truly empty file or a bad stack config get one preview each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.pulumi import CommandResult
from sandbox.testing import SandboxProcess
from tests.support.corpus import corpus_header
from tests.support.deployment import Deployment, make_deployment
from tests.support.reliability import FIGURES

pytestmark = pytest.mark.e2e

CORPUS = Path(__file__).parent / "bad_input"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))
# The plaintext keys written in the corpus files secret_plaintext_*.yaml.
PLAINTEXT_KEYS = ("sk-plaintext-in-file-00000000", "tts-plaintext-in-file-0000")
VALID = "persona_name: Valid\nsystem_prompt: You help.\n"


def _refused(deployment: Deployment, *extra_files: str) -> CommandResult:
    """Preview; assert it failed, reached no API and named each file. Returns the run."""
    cursor = deployment.sandbox.admin.cursor()
    result = deployment.stack.preview(check=False)
    assert result.returncode != 0, result.output[-3000:]
    assert deployment.sandbox.admin.count(since=cursor) == 0, "bad input must cost zero API calls"
    assert "Traceback" not in result.output, result.output[-3000:]
    for name in extra_files:
        assert f"personas/{name}" in result.output
    return result


def _error_line(output: str, file: str, line: int | None) -> str:
    where = f"personas/{file}" if line is None else f"personas/{file}:{line}"
    lines = [text for text in output.splitlines() if f"{where}: error: " in text]
    assert lines, f"no error for {where} in:\n{output[-4000:]}"
    return "\n".join(lines)


@pytest.fixture
def deployment(tmp_path: Path, sandbox: SandboxProcess) -> Deployment:
    return make_deployment(tmp_path, sandbox, personas=None, stack_name="bad")


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS_FILES) >= 30


def test_every_corpus_file_is_refused_with_its_own_message(deployment: Deployment) -> None:
    for path in CORPUS_FILES:
        (deployment.personas_dir / path.name).write_bytes(path.read_bytes())
    deployment.write_persona("valid", VALID)  # a good file does not rescue or hide the bad ones

    result = _refused(deployment)

    for path in CORPUS_FILES:
        expected = corpus_header(path)
        lines = _error_line(result.output, path.name, expected.line)
        assert expected.expect in lines, f"{path.name}: {lines}"
        if expected.path:
            assert f"error: {expected.path}: " in lines, f"{path.name}: {lines}"
    assert "personas/valid.yaml" not in result.output
    for plaintext in PLAINTEXT_KEYS:  # refused keys are never echoed back
        assert plaintext not in result.output
    assert "nothing was applied" in result.output
    FIGURES["inputs refused"] += len(CORPUS_FILES)


@pytest.mark.parametrize(
    ("case", "content", "expect"),
    [
        ("empty", b"", "empty file"),
        ("twenty_mb", None, "refused without reading it"),
        (
            "oversize_prompt",
            ("persona_name: Huge\nsystem_prompt: " + "word " * 30000 + "\n").encode(),
            "shorten them below 128,000 characters",
        ),
        ("not_utf8", b"persona_name: \xff\xfe\nsystem_prompt: x\n", "UTF-8"),
        (
            "very_deep_mapping",
            (
                "persona_name: Deep\nsystem_prompt: x\n"
                + "".join("  " * depth + f"k{depth}:\n" for depth in range(200))
                + "  " * 200
                + "v: 1\n"
            ).encode(),
            "nested deeper than 32 levels",
        ),
    ],
)
def test_generated_bad_file_is_refused(
    deployment: Deployment, case: str, content: bytes | None, expect: str
) -> None:
    path = deployment.personas_dir / f"{case}.yaml"
    if content is None:  # 20 MB: generated here, never committed
        with path.open("wb") as out:
            out.write(b"persona_name: Big\nsystem_prompt: |\n")
            line = b"  " + b"x" * 1022 + b"\n"
            for _ in range(20 * 1024):
                out.write(line)
    else:
        path.write_bytes(content)
    result = _refused(deployment, path.name)
    assert expect in result.output, result.output[-3000:]
    FIGURES["inputs refused"] += 1


STORYTELLER_LIKE = (
    "persona_name: Teller\nsystem_prompt: x\ndefault_replica_id: {config: replicaIdMissing}\n"
    "layers:\n  llm:\n    model: gpt-4o\n    base_url: https://llm.example.com/v1\n"
    "    api_key: {secret: llmKeyMissing}\n"
)


def test_missing_config_and_secret_keys_are_named(deployment: Deployment) -> None:
    deployment.write_persona("teller", STORYTELLER_LIKE)
    result = _refused(deployment, "teller.yaml")
    assert "personas/teller.yaml:3: error: default_replica_id: {config: replicaIdMissing} is not set" in (
        result.output
    )
    assert "pulumi config set replicaIdMissing <value>" in result.output
    assert "personas/teller.yaml:8: error: layers.llm.api_key: {secret: llmKeyMissing} is not set" in (
        result.output
    )
    assert "pulumi config set --secret llmKeyMissing <value>" in result.output
    FIGURES["inputs refused"] += 2


@pytest.mark.parametrize(
    ("key", "value", "expect"),
    [
        (
            "tavus:timeoutSeconds",
            "soon",
            "tavus:timeoutSeconds (or TAVUS_TIMEOUT) must be a positive number of seconds, got 'soon'",
        ),
        (
            "tavus:timeoutSeconds",
            "-1",
            "tavus:timeoutSeconds (or TAVUS_TIMEOUT) must be a positive number of seconds, got '-1'",
        ),
        (
            "tavus:baseUrl",
            "tavusapi.com",
            "tavus:baseUrl (or TAVUS_BASE_URL) must be an http(s) URL with a host, got 'tavusapi.com'",
        ),
        ("tavus:apiKey", None, "no Tavus API key: run `pulumi config set --secret tavus:apiKey <key>`"),
    ],
)
def test_bad_stack_config_is_refused(
    deployment: Deployment, key: str, value: str | None, expect: str
) -> None:
    deployment.write_persona("valid", VALID)
    if value is None:
        deployment.stack.run("config", "rm", key, "--stack", deployment.stack.stack)
    else:
        deployment.stack.set_config(key, value)
    result = _refused(deployment)
    assert f"Pulumi.bad.yaml: error: {expect}" in result.output, result.output[-3000:]
    FIGURES["inputs refused"] += 1


GRAPH_TREE = Path(__file__).resolve().parents[1] / "bad_graph"


def test_every_bad_graph_file_is_refused_with_zero_api_calls(deployment: Deployment) -> None:
    """Objectives, guardrails and {ref:} mistakes (tests/bad_graph/, shared with the unit suite)."""
    cases = []
    for path in sorted(GRAPH_TREE.rglob("*.yaml")):
        relative = path.relative_to(GRAPH_TREE).as_posix()
        target = deployment.project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        if path.read_text(encoding="utf-8").startswith("# expect: "):
            cases.append((relative, corpus_header(path)))
    assert len(cases) >= 10

    result = _refused(deployment)

    for relative, expected in cases:
        where = relative if expected.line is None else f"{relative}:{expected.line}"
        lines = [text for text in result.output.splitlines() if f"{where}: error: " in text]
        assert any(expected.expect in line for line in lines), f"{relative}: {lines}"
    for valid in ("personas/valid_user.yaml", "objectives/valid_intake.yaml", "guardrails/valid_rules.yaml"):
        assert f"{valid}:" not in result.output
    FIGURES["inputs refused"] += len(cases)
