"""The `--json` report keeps its documented schema (docs/preflight.md), for passing and failing personas."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema

from tests.support.preflight import OVERRIDES, persona_yaml, run_preflight, write_project

CHECK_NAMES = [
    "config", "reachable", "auth", "model", "request", "stream", "done", "latency", "tools", "perception",
]
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
REPORT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["stack", "ok", "ttft_warn_ms", "timeout_s", "errors", "notes", "personas"],
    "properties": {
        "stack": {"type": "string"},
        "ok": {"type": "boolean"},
        "ttft_warn_ms": {"type": "number"},
        "timeout_s": {"type": "number"},
        "errors": {"type": "array", "items": {"type": "string"}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "personas": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "file", "persona_name", "model", "base_url", "url", "ok", "ttft_ms",
                             "total_ms", "checks"],
                "properties": {
                    "name": {"type": "string"},
                    "file": {"type": "string"},
                    "persona_name": NULLABLE_STRING,
                    "model": NULLABLE_STRING,
                    "base_url": NULLABLE_STRING,
                    "url": NULLABLE_STRING,
                    "ok": {"type": "boolean"},
                    "ttft_ms": NULLABLE_NUMBER,
                    "total_ms": NULLABLE_NUMBER,
                    "checks": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["check", "status", "message"],
                            "properties": {
                                "check": {"enum": CHECK_NAMES},
                                "status": {"enum": ["pass", "fail", "warn", "skip"]},
                                "message": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_json_report_schema(tmp_path: Path, scenario: Callable[..., str]) -> None:
    root = write_project(tmp_path, {
        "good": persona_yaml("Good", scenario(), tools=True, perception="raven-0"),
        "no-stream": persona_yaml("No Stream", scenario(stream=False)),
        "unset": persona_yaml("Unset", scenario()).replace("{secret: llmKey}", "{secret: notSetAnywhere}"),
    })
    # No stack exists: every reference comes from a PREFLIGHT_CONFIG_ override, so Pulumi is never run.
    env = {**os.environ, **OVERRIDES, "PREFLIGHT_CONFIG_notSetAnywhere": "sk-preflight-json-0001"}
    run = run_preflight(root, "--json", "--ttft-warn-ms", "5000", env=env)

    assert run.returncode == 1
    report = json.loads(run.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["ok"] is False and report["stack"] == "test" and report["ttft_warn_ms"] == 5000
    personas = {p["name"]: p for p in report["personas"]}
    assert personas["good"]["ok"] is True and personas["no-stream"]["ok"] is False
    assert personas["unset"]["ok"] is True  # resolved from its PREFLIGHT_CONFIG_ override alone
    for persona in report["personas"]:
        assert [c["check"] for c in persona["checks"]] == CHECK_NAMES
    assert personas["good"]["url"] == personas["good"]["base_url"] + "/chat/completions"
    assert "sk-preflight-json-0001" not in run.output
