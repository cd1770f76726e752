"""One test per way a custom LLM fails (a switch of the sandbox's `/_llm` endpoint): preflight exits 1 and
the failing check's message says what is wrong and how to fix it. References come from the
PREFLIGHT_CONFIG_* overrides here (the stack path is in test_preflight_stack.py).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.pulumi import CommandResult
from sandbox.llm_testing import LlmAdmin
from tests.support.preflight import persona_yaml, run_preflight, scenario_name, write_project


def _check(run: CommandResult, name: str = "p") -> dict[str, dict[str, str]]:
    """check name -> {status, message} of one persona, from a --json run."""
    persona = next(p for p in json.loads(run.stdout)["personas"] if p["name"] == name)
    return {c["check"]: {"status": c["status"], "message": c["message"]} for c in persona["checks"]}


def _preflight(
    tmp_path: Path, base_url: str, *flags: str, **persona: Any
) -> tuple[CommandResult, dict[str, Any]]:
    root = write_project(tmp_path, {"p": persona_yaml("P", base_url, **persona)})
    run = run_preflight(root, "--json", *flags)
    return run, _check(run)


def test_no_streaming(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(stream=False))
    assert run.returncode == 1
    assert checks["stream"]["status"] == "fail"
    assert "answered application/json, not a stream" in checks["stream"]["message"]
    assert "Tavus needs stream=true support (server-sent events" in checks["stream"]["message"]


def test_wrong_api_key(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(api_key="sk-the-key-the-endpoint-wants"))
    assert run.returncode == 1
    assert checks["auth"]["status"] == "fail"
    message = checks["auth"]["message"]
    assert message.startswith("401 from ") and "refused the api key" in message
    assert "pulumi config set --secret llmKey <key>" in message


def test_base_url_with_the_route_is_a_404(
    tmp_path: Path, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    base_url = scenario()
    root = write_project(tmp_path, {"p": persona_yaml("P", base_url)})
    # The override skips the file's validation (which refuses this offline), so the endpoint answers.
    run = run_preflight(root, "--json", "--base-url", base_url + "/chat/completions")
    checks = _check(run)
    assert run.returncode == 1
    message = checks["reachable"]["message"]
    assert f"404 on {base_url}/chat/completions/chat/completions" in message
    assert "base_url must be the API root without the route" in message
    assert "base_url ends with `/chat/completions`; remove it" in message
    assert llm.requests(scenario_name(base_url))[0]["outcome"] == "invalid_url"


def test_missing_version_segment_is_a_404_with_the_fix(tmp_path: Path, scenario: Callable[..., str]) -> None:
    base_url = scenario().removesuffix("/v1")
    run, checks = _preflight(tmp_path, base_url)
    assert run.returncode == 1
    message = checks["reachable"]["message"]
    assert "without the route" in message and "did you include /chat/completions" in message


def test_slow_first_token_warns_and_passes(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(first_token_delay_ms=600), "--ttft-warn-ms", "100")
    assert run.returncode == 0, run.output  # a warning does not fail the run
    latency = checks["latency"]
    assert latency["status"] == "warn"
    assert "first token after" in latency["message"] and "(threshold 100 ms" in latency["message"]
    assert "raise --ttft-warn-ms" in latency["message"]
    persona = json.loads(run.stdout)["personas"][0]
    assert persona["ttft_ms"] is not None and persona["total_ms"] is not None


def test_stream_without_done(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(done="omit"))
    assert run.returncode == 1
    assert checks["stream"]["status"] == "pass"
    assert "the stream ended without `data: [DONE]`" in checks["done"]["message"]
    assert "end every stream with `data: [DONE]`" in checks["done"]["message"]


def test_stream_that_never_finishes_hits_the_timeout(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(done="hang"), "--timeout", "3")
    assert run.returncode == 1
    message = checks["done"]["message"]
    assert "did not finish within 3s and never sent `data: [DONE]`" in message
    assert "raise --timeout" in message


def test_tools_rejected(tmp_path: Path, scenario: Callable[..., str], llm: LlmAdmin) -> None:
    base_url = scenario(reject_tools=True)
    run, checks = _preflight(tmp_path, base_url, tools=True)
    assert run.returncode == 1
    assert checks["stream"]["status"] == "pass"  # a plain request is fine
    message = checks["tools"]["message"]
    assert checks["tools"]["status"] == "fail"
    assert "rejected a request offering the file's 1 tool(s) (400" in message
    assert "OpenAI function calling" in message and "remove layers.llm.tools" in message
    outcomes = [r["outcome"] for r in llm.requests(scenario_name(base_url))]
    assert outcomes == ["streamed", "tools_rejected"]


def test_unknown_model(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(models=["gpt-4o"]), model="gpt-4o-mini")
    assert run.returncode == 1
    assert checks["auth"]["status"] == "pass"
    message = checks["model"]["message"]
    assert checks["model"]["status"] == "fail" and "does not accept model `gpt-4o-mini` (404" in message
    assert "set layers.llm.model to a model this endpoint serves" in message


def test_chunks_not_in_openai_format(tmp_path: Path, scenario: Callable[..., str]) -> None:
    run, checks = _preflight(tmp_path, scenario(openai_chunks=False))
    assert run.returncode == 1
    message = checks["stream"]["message"]
    assert "not in the OpenAI chunk format" in message
    assert "serve the OpenAI chat.completion.chunk format" in message


def test_unreachable_endpoint(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run, checks = _preflight(tmp_path, f"http://127.0.0.1:{port}/v1")
    assert run.returncode == 1
    message = checks["reachable"]["message"]
    assert message.startswith(f"could not connect to http://127.0.0.1:{port}/v1/chat/completions")
    assert "check the host and port of layers.llm.base_url" in message


def test_invalid_file_is_reported_and_nothing_is_sent(
    tmp_path: Path, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    base_url = scenario()
    root = write_project(tmp_path, {"p": persona_yaml("P", base_url + "/chat/completions")})
    run = run_preflight(root)
    assert run.returncode == 1
    assert "personas/p.yaml" in run.stdout and "must not include the route `/chat/completions`" in run.stdout
    assert llm.requests(scenario_name(base_url)) == []


def test_text_report_and_selection_by_name(
    tmp_path: Path, scenario: Callable[..., str], llm: LlmAdmin
) -> None:
    good, bad = scenario(), scenario(stream=False)
    root = write_project(tmp_path, {
        "good": persona_yaml("Good One", good),
        "bad": persona_yaml("Bad One", bad),
        "hosted": "persona_name: Hosted\nsystem_prompt: Hi.\nlayers:\n  llm:\n    model: tavus-gpt-oss\n",
    })
    run = run_preflight(root, "Good One", "hosted")  # a persona_name and a resource name
    assert run.returncode == 0, run.output
    assert "good (personas/good.yaml)" in run.stdout and "bad (" not in run.stdout
    assert "note: hosted: uses a Tavus-hosted LLM; nothing to preflight" in run.stdout
    assert "preflight passed" in run.stdout
    assert llm.requests(scenario_name(bad)) == []

    run = run_preflight(root, "nope")
    assert run.returncode == 1 and "no persona file named `nope`" in run.stdout
