"""Run the sandbox as a real subprocess from tests (contract and end-to-end).

    from sandbox.testing import start_sandbox

    with start_sandbox(tmp_path / "tavus.db", ["test-key"]) as sb:
        httpx.get(f"{sb.url}/v2/personas", headers={"x-api-key": sb.api_key})
        sb.admin.set_faults(rate_limit=1, rate_limit_window_s=60)
        assert sb.admin.count("GET") == 1
        sb.restart()            # same db, same port when it is still free

The process is started with `python -m sandbox --port 0 ...` from the project root; readiness is the
ready line on stdout (no polling, no sleeps). Server logs go to `log_path`, never to a pipe.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

import httpx

from ._admin_kinds import KINDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READY_PREFIX = "sandbox listening on "
DEFAULT_API_KEY = "sandbox-test-key"


class SandboxStartError(RuntimeError):
    """The sandbox exited or did not print its ready line in time; the message has its log."""


class SandboxAdmin:
    """Client of the `/_sandbox` admin API of one running sandbox."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=url.rstrip("/") + "/_sandbox", timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _json(self, response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()

    # -- request log --------------------------------------------------------------------------
    def requests(self, since: int = 0) -> dict[str, Any]:
        """`{"requests": [...], "total", "counts", "op_counts", "status_counts", "cursor"}`, seq > since."""
        return cast(dict[str, Any], self._json(self._http.get("/requests", params={"since": since})))

    def cursor(self) -> int:
        """The current end of the log; pass it as `since` later to see only newer requests."""
        return int(self.requests(since=sys.maxsize)["cursor"])

    def count(
        self,
        method: str | None = None,
        *,
        op: str | None = None,
        path: str | None = None,
        since: int = 0,
    ) -> int:
        """Number of logged API requests after `since`, optionally of one method, op and/or path.

        `path` is a prefix matched at a segment boundary: `count("PATCH", path="/v2/objectives")`
        counts PATCHes of any objectives set, `path="/v2/objectives/o123"` those of one set.
        """
        prefix = path.rstrip("/") if path else None
        return sum(
            1
            for entry in self.requests(since)["requests"]
            if (method is None or entry["method"] == method.upper())
            and (op is None or entry["op"] == op)
            and (prefix is None or entry["path"] == prefix or entry["path"].startswith(prefix + "/"))
        )

    def clear_requests(self) -> int:
        return int(self._json(self._http.post("/requests/clear"))["cursor"])

    # -- faults -------------------------------------------------------------------------------
    def faults(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._json(self._http.get("/faults")))

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        """Replace all fault switches (unnamed ones go back to off). Re-seeds the random streams."""
        return cast(dict[str, Any], self._json(self._http.put("/faults", json=faults)))

    def update_faults(self, **faults: Any) -> dict[str, Any]:
        """Change only the named fault switches. Re-seeds the random streams."""
        return cast(dict[str, Any], self._json(self._http.patch("/faults", json=faults)))

    # -- personas, out of band ----------------------------------------------------------------
    def create(self, persona: Mapping[str, Any]) -> str:
        """Create a persona as if in the web UI (no validation); returns its id."""
        return str(self._json(self._http.post("/personas", json=dict(persona)))["persona_id"])

    def get(self, persona_id: str) -> dict[str, Any] | None:
        """The raw stored document (secrets unmasked), or None if there is no such persona."""
        response = self._http.get(f"/personas/{persona_id}")
        return None if response.status_code == 404 else cast(dict[str, Any], self._json(response))

    def list(self, persona_type: str | None = None) -> list[dict[str, Any]]:
        """All raw stored documents (user and system unless filtered), oldest first."""
        params = {"persona_type": persona_type} if persona_type else {}
        return cast(list[dict[str, Any]], self._json(self._http.get("/personas", params=params))["data"])

    def edit(self, persona_id: str, patch: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Apply a JSON Patch as a person in the web UI would; bumps updated_at; returns the raw doc."""
        response = self._http.post(f"/personas/{persona_id}/edit", json=[dict(op) for op in patch])
        return cast(dict[str, Any], self._json(response))

    def delete(self, persona_id: str) -> bool:
        """Delete out of band; False if it did not exist."""
        response = self._http.delete(f"/personas/{persona_id}")
        if response.status_code == 404:
            return False
        response.raise_for_status()
        return True

    # -- other kinds, out of band (kind: objectives | guardrails | documents |
    #    pronunciation-dictionaries) ---------------------------------------------------------
    def create_item(self, kind: str, body: Mapping[str, Any]) -> str:
        """Create an item as if in the web UI (no validation; the id may be given); returns its id."""
        created = self._json(self._http.post(f"/{kind}", json=dict(body)))
        return str(created[KINDS[kind].id_field])

    def get_item(self, kind: str, item_id: str) -> dict[str, Any] | None:
        """The raw stored item (documents keep their processing plan in `_sandbox`), or None."""
        response = self._http.get(f"/{kind}/{item_id}")
        return None if response.status_code == 404 else cast(dict[str, Any], self._json(response))

    def list_items(self, kind: str) -> builtins.list[dict[str, Any]]:
        """All raw stored items of `kind`, oldest first."""
        return cast(builtins.list[dict[str, Any]], self._json(self._http.get(f"/{kind}"))["data"])

    def edit_item(self, kind: str, item_id: str, patch: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Apply a JSON Patch out of band (no validation, no 304); bumps updated_at; the raw item."""
        response = self._http.post(f"/{kind}/{item_id}/edit", json=[dict(op) for op in patch])
        return cast(dict[str, Any], self._json(response))

    def delete_item(self, kind: str, item_id: str) -> bool:
        """Delete out of band (a dictionary is also unlinked from personas); False if it did not exist."""
        response = self._http.delete(f"/{kind}/{item_id}")
        if response.status_code == 404:
            return False
        response.raise_for_status()
        return True

    def set_document_status(
        self,
        document_id: str,
        status: str | None,
        *,
        progress: int | None = None,
        error_message: str | None = None,
    ) -> dict[str, Any]:
        """Pin a document's status (None resumes the simulated processing); returns the API view."""
        body = {"status": status, "progress": progress, "error_message": error_message}
        response = self._http.post(f"/documents/{document_id}/status", json=body)
        return cast(dict[str, Any], self._json(response))

    def advance_clock(self, seconds: float) -> str:
        """Move the sandbox clock forward (documents progress, recrawl cooldowns pass); the new now."""
        return str(self._json(self._http.post("/clock", json={"advance_s": seconds}))["now"])

    def set_draft(self, persona_id: str, on: bool = True) -> None:
        """Mark (or clear) an unpublished web-editor draft: PATCHes of the persona then answer 409."""
        method = "POST" if on else "DELETE"
        self._json(self._http.request(method, f"/personas/{persona_id}/draft"))

    def has_draft(self, persona_id: str) -> bool:
        return bool(self._json(self._http.get(f"/personas/{persona_id}/draft"))["draft"])

    def reset(self) -> None:
        """Delete all user personas and every other item, clear the log, restore the start-up faults."""
        self._json(self._http.post("/reset"))

    def config(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._json(self._http.get("/config")))


class SandboxProcess:
    """A running `python -m sandbox` subprocess. Use as a context manager or call `stop()`."""

    def __init__(
        self,
        db_path: Path,
        api_keys: tuple[str, ...],
        extra_args: tuple[str, ...],
        *,
        host: str,
        python: str,
        startup_timeout: float,
        log_path: Path,
        env: Mapping[str, str] | None,
    ) -> None:
        self.db_path = db_path
        self.api_keys = api_keys
        self.extra_args = extra_args
        self.host = host
        self.python = python
        self.startup_timeout = startup_timeout
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.url = ""
        self.port = 0
        self._process: subprocess.Popen[str] | None = None
        self._admin: SandboxAdmin | None = None

    # -- properties -----------------------------------------------------------------------------
    @property
    def api_key(self) -> str:
        return self.api_keys[0]

    @property
    def admin(self) -> SandboxAdmin:
        if self._admin is None:
            raise RuntimeError("the sandbox is not running")
        return self._admin

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def client(self, api_key: str | None = None, timeout: float = 10.0) -> httpx.Client:
        """An httpx client for the Tavus API of this sandbox (base_url and x-api-key set)."""
        return httpx.Client(
            base_url=self.url, headers={"x-api-key": api_key or self.api_key}, timeout=timeout
        )

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    # -- lifecycle ------------------------------------------------------------------------------
    def command(self, port: int) -> list[str]:
        args = [
            self.python,
            "-m",
            "sandbox",
            "--host",
            self.host,
            "--port",
            str(port),
            "--db",
            str(self.db_path),
        ]
        for key in self.api_keys:
            args += ["--api-key", key]
        return [*args, *self.extra_args]

    def _start(self, port: int) -> None:
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONUNBUFFERED"] = "1"
        with open(self.log_path, "a") as log:
            process = subprocess.Popen(
                self.command(port),
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        line = _read_line(cast(IO[str], process.stdout), self.startup_timeout)
        if line is None or not line.startswith(READY_PREFIX):
            _terminate(process, 5.0)
            raise SandboxStartError(
                f"sandbox did not become ready (exit code {process.returncode}, first line {line!r}).\n"
                f"command: {' '.join(self.command(port))}\nlog {self.log_path}:\n{self.log_text()}"
            )
        self._process = process
        self.url = line[len(READY_PREFIX) :].strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        self._admin = SandboxAdmin(self.url)

    def stop(self, timeout: float = 10.0, *, graceful: bool = True) -> int | None:
        """Stop the process (SIGTERM, or SIGKILL when not graceful); returns its exit code."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        process, self._process = self._process, None
        if process is None:
            return None
        if not graceful:
            process.kill()
        code = _terminate(process, timeout)
        if process.stdout is not None:
            process.stdout.close()
        return code

    def restart(self, *, graceful: bool = True) -> None:
        """Stop and start again with the same db and arguments, on the same port if it is free."""
        old_port = self.port
        self.stop(graceful=graceful)
        try:
            self._start(old_port)
        except SandboxStartError:
            self._start(0)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """The first line of `stream`, or None on EOF/timeout (read in a helper thread: no polling)."""
    lines: queue.Queue[str] = queue.Queue(maxsize=1)
    reader = threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout) or None
    except queue.Empty:
        return None


def _terminate(process: subprocess.Popen[str], timeout: float) -> int | None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    return process.returncode


def start_sandbox(
    db_path: Path | str,
    api_keys: Iterable[str] = (DEFAULT_API_KEY,),
    extra_args: Iterable[str] = (),
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    python: str | None = None,
    startup_timeout: float = 30.0,
    log_path: Path | str | None = None,
    env: Mapping[str, str] | None = None,
) -> SandboxProcess:
    """Start `python -m sandbox` and return once it printed its ready line.

    `extra_args` are CLI flags (e.g. `["--unknown-id-status", "404", "--seed", "7"]`). `python`
    defaults to the current interpreter. Server logs are appended to `log_path` (a temp file by default).
    """
    keys = tuple(api_keys)
    if not keys:
        raise ValueError("at least one API key is required")
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="sandbox-", suffix=".log")
        os.close(fd)
        log_path = name
    process = SandboxProcess(
        Path(db_path),
        keys,
        tuple(extra_args),
        host=host,
        python=python or sys.executable,
        startup_timeout=startup_timeout,
        log_path=Path(log_path),
        env=env,
    )
    process._start(port)
    return process
