"""The process: ready line, persistence across restarts, CLI errors, the testing helper itself."""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sandbox.testing import PROJECT_ROOT, SandboxProcess, SandboxStartError, start_sandbox

Start = Callable[..., SandboxProcess]


def test_ready_line_is_exactly_one_line(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--db",
        str(tmp_path / "r.db"),
        "--api-key",
        "k",
    ]
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert re.fullmatch(r"sandbox listening on http://127\.0\.0\.1:\d+\n", line)
        url = line.split()[-1]
        assert httpx.get(f"{url}/v2/personas", headers={"x-api-key": "k"}).status_code == 200
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert out == ""  # nothing else on stdout
    assert process.returncode == 0


def test_fixed_port_and_api_keys(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    sb = start_sandbox(tmp_path / "p.db", ["a", "b"], port=free_port, log_path=tmp_path / "p.log")
    try:
        assert sb.url == f"http://127.0.0.1:{free_port}"
        for key in ("a", "b"):
            assert httpx.get(f"{sb.url}/v2/personas", headers={"x-api-key": key}).status_code == 200
        with pytest.raises(SandboxStartError):  # the port is taken now
            start_sandbox(tmp_path / "q.db", ["a"], port=free_port, log_path=tmp_path / "q.log")
    finally:
        sb.stop()


@pytest.mark.parametrize("graceful", [True, False], ids=["sigterm", "sigkill"])
def test_restart_keeps_every_persona(start: Start, graceful: bool) -> None:
    sb = start()
    key = "sk-persisted-0123456789"
    with sb.client() as client:
        ids = [
            client.post("/v2/personas", json={"persona_name": f"n{i}", "system_prompt": "p"}).json()[
                "persona_id"
            ]
            for i in range(3)
        ]
        ops = [
            {
                "op": "add",
                "path": "/layers/llm",
                "value": {"model": "m", "base_url": "https://x/v1", "api_key": key},
            }
        ]
        assert client.patch(f"/v2/personas/{ids[0]}", json=ops).status_code == 200
        assert client.delete(f"/v2/personas/{ids[1]}").status_code == 204
        before = client.get("/v2/personas").json()
    sb.admin.edit(ids[2], [{"op": "replace", "path": "/context", "value": "edited"}])
    raw_before = sb.admin.list()
    port = sb.port
    sb.restart(graceful=graceful)
    assert sb.port == port and sb.running
    assert sb.admin.list() == raw_before
    with sb.client() as client:
        after = client.get("/v2/personas").json()
        assert client.get(f"/v2/personas/{ids[1]}").status_code == 400
    assert [p["persona_id"] for p in after["data"]] == [p["persona_id"] for p in before["data"]]
    assert after["data"][2]["layers"]["llm"]["api_key"] == "****6789"
    raw = sb.admin.get(ids[0])
    assert raw is not None and raw["layers"]["llm"]["api_key"] == key


def test_database_uses_wal(start: Start, tmp_path: Path) -> None:
    sb = start(db_name="wal.db")
    sb.admin.create({"system_prompt": "p"})
    with sqlite3.connect(tmp_path / "wal.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM personas WHERE persona_type = 'user'").fetchone()[0] == 1


def test_two_sandboxes_share_nothing(start: Start) -> None:
    first, second = start(db_name="one.db"), start(db_name="two.db")
    first.admin.create({"system_prompt": "p"})
    assert second.admin.list("user") == []


def test_stop_is_idempotent_and_context_manager(tmp_path: Path) -> None:
    with start_sandbox(tmp_path / "c.db", log_path=tmp_path / "c.log") as sb:
        assert sb.running and sb.pid is not None
        assert sb.api_key == "sandbox-test-key"
    assert not sb.running
    assert sb.stop() is None
    with pytest.raises(RuntimeError):
        _ = sb.admin


@pytest.mark.parametrize(
    "args",
    [
        [],  # no --api-key
        ["--api-key", "k", "--path-prefix", "/_sandbox/x"],
        ["--api-key", "k", "--unknown-id-status", "418"],
        ["--api-key", "k", "--get-shape", "list"],
    ],
    ids=["no-key", "prefix-collides-with-admin", "bad-unknown-id-status", "bad-get-shape"],
)
def test_bad_cli_arguments_exit_2(tmp_path: Path, args: list[str]) -> None:
    command = [sys.executable, "-m", "sandbox", "--port", "0", "--db", str(tmp_path / "x.db"), *args]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage:" in result.stderr


def test_start_error_includes_the_log(tmp_path: Path) -> None:
    with pytest.raises(SandboxStartError, match="unknown-id-status"):
        start_sandbox(tmp_path / "e.db", ["k"], ["--unknown-id-status", "418"], log_path=tmp_path / "e.log")
