"""A local HTTP server that behaves like Tavus's persona API (see docs/sandbox.md).

Public surface:
- `python -m sandbox --port N --db FILE --api-key KEY` (CLI, `sandbox._cli`)
- `sandbox.app.create_app(settings)` -> ASGI app; `sandbox.config.Settings` / `Faults`
- `sandbox.testing.start_sandbox(...)` -> a managed subprocess for tests
"""

from .app import SandboxApp, create_app
from .config import ConfigError, Faults, Settings

__all__ = ["ConfigError", "Faults", "SandboxApp", "Settings", "create_app"]
