"""Run a `SandboxApp` under uvicorn and print the ready line once the socket accepts requests."""

from __future__ import annotations

import socket
import sys
from types import FrameType

import uvicorn

from ._http import install_abort_hook
from .app import SandboxApp

READY_LINE = "sandbox listening on {url}"
GRACEFUL_SHUTDOWN_S = 2


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, public_host: str) -> None:
        super().__init__(config)
        self.public_host = public_host

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A SIGTERM/SIGINT is the normal way to stop the sandbox: shut down gracefully and exit 0
        # instead of letting uvicorn re-raise the signal after shutdown.
        super().handle_exit(sig, frame)
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list):
            captured.clear()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.started or self.should_exit:
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        host = f"[{self.public_host}]" if ":" in self.public_host else self.public_host
        print(READY_LINE.format(url=f"http://{host}:{port}"), flush=True)


def serve(app: SandboxApp, host: str, port: int, log_level: str = "warning") -> None:
    """Serve until SIGINT/SIGTERM. Logs go to stderr; stdout carries only the ready line."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=install_abort_hook(),
        ws="none",
        lifespan="on",
        log_config=None,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    public_host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    server = _Server(config, public_host)
    server.run()
    sys.stdout.flush()
