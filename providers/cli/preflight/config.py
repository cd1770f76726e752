"""Where `preflight` gets the values of `{secret:}`/`{config:}` references.

First an environment override per key (`PREFLIGHT_CONFIG_<key>`, for CI jobs that hold only the
LLM key), then the stack's config read once through the Pulumi CLI
(`pulumi config --json --show-secrets`). The CLI's output is captured in-process and never
printed: it holds every secret of the stack. Pulumi runs with the caller's environment, so
the backend login and `PULUMI_CONFIG_PASSPHRASE` are whatever `pulumi up` would use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from providers.cli._pulumi import project_name
from providers.cli._stack import read_stack_config
from providers.errors import StackConfigError
from providers.settings import qualified_config_key
from providers.spec import Ref

ENV_PREFIX = "PREFLIGHT_CONFIG_"


def env_name(key: str) -> str:
    """`openaiKey` -> PREFLIGHT_CONFIG_openaiKey; `tavus:apiKey` -> PREFLIGHT_CONFIG_tavus_apiKey."""
    return ENV_PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", key)


class StackConfig:
    """Resolves references for one stack; calls the Pulumi CLI at most once, and only if needed."""

    def __init__(self, stack: str, root: Path, env: Mapping[str, str] | None = None) -> None:
        self.stack = stack
        self.root = root
        self.project = project_name(root)
        self._env = os.environ if env is None else env
        self._values: dict[str, Any] | None = None
        self._error: StackConfigError | None = None  # remembered: one failing `pulumi config` run is enough

    def lookup(self, ref: Ref) -> tuple[bool, Any]:
        """(found, value). Raises StackConfigError when the stack's config cannot be read at all."""
        override = self._env.get(env_name(ref.key))
        if override is not None:
            return True, override
        full_key = qualified_config_key(ref.key, self.project)
        values = self._stack_values()
        return (full_key in values), values.get(full_key)

    def _stack_values(self) -> dict[str, Any]:
        if self._error is not None:
            raise self._error
        if self._values is None:
            try:
                self._values = read_stack_config(self.root, self.stack)
            except StackConfigError as exc:
                self._error = StackConfigError(
                    f"{exc}. Run preflight where `pulumi up` works (same directory, backend login and "
                    f"PULUMI_CONFIG_PASSPHRASE), or export {ENV_PREFIX}<key> for every referenced key"
                )
                raise self._error from None
        return self._values
