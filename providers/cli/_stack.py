"""A stack's config as the GitOps commands read it: one reader, and the Tavus client it describes.

Every command that needs a stack's config comes through `read_stack_config` (validate offline;
drift, export and preflight decrypted), and every command that talks to Tavus gets its client
from `stack_client`, built by `TavusClient.from_settings` exactly as the provider builds its own:
a setting such as `tavus:timeoutSeconds` means the same thing to `pulumi up` and to every command.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from providers.cli._pulumi import pulumi_argv
from providers.client import TavusClient
from providers.errors import StackConfigError
from providers.settings import ProviderSettings, settings_from

PULUMI_CONFIG_TIMEOUT_S = 120


def read_stack_config(root: Path, stack: str, *, decrypt: bool = True) -> dict[str, Any]:
    """`{"project:key": value}` for every config value of the stack.

    `decrypt=True` asks the Pulumi CLI (`pulumi config --json --show-secrets`): the values the
    program sees, secrets in plaintext, kept in this process only. It needs what `pulumi up` needs
    (the backend login, PULUMI_CONFIG_PASSPHRASE). `decrypt=False` reads `Pulumi.<stack>.yaml`
    offline, for `validate` and the pre-commit hook: secrets stay as written (`{"secure": ...}`),
    and a stack without a file has no config. Raises StackConfigError, whose message never quotes
    a value.
    """
    return _cli_config(root, stack) if decrypt else _file_config(root, stack)


def stack_settings(root: Path, stack: str) -> ProviderSettings:
    """The stack's Tavus settings from its config; like the provider, the environment
    (TAVUS_API_KEY, TAVUS_BASE_URL, TAVUS_PATH_PREFIX, TAVUS_TIMEOUT) fills in what config lacks."""
    values = read_stack_config(root, stack)
    return settings_from(lambda key: None if values.get(key) is None else str(values[key]))


def stack_client(root: Path, stack: str) -> TavusClient:
    """A client for the stack's Tavus account, configured exactly as the provider's."""
    return TavusClient.from_settings(stack_settings(root, stack))


def _cli_config(root: Path, stack: str) -> dict[str, Any]:
    # Unlike run_pulumi, a failure never quotes stdout: with --show-secrets it may hold every
    # secret of the stack. Pulumi's stderr names no value.
    argv = pulumi_argv(root, "config", "--json", "--show-secrets", "--stack", stack)
    try:
        proc = subprocess.run(
            argv, cwd=root, capture_output=True, text=True, timeout=PULUMI_CONFIG_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = type(exc).__name__
        raise StackConfigError(f"could not run `pulumi config` for stack {stack}: {reason}") from None
    if proc.returncode != 0:
        detail = " / ".join(proc.stderr.strip().splitlines()[-3:])
        raise StackConfigError(f"`pulumi config --stack {stack}` exited {proc.returncode}: {detail}")
    try:
        document = json.loads(proc.stdout)
    except ValueError:
        raise StackConfigError(f"`pulumi config --json --stack {stack}` did not print JSON") from None
    return {
        key: entry["objectValue"] if "objectValue" in entry else entry.get("value")
        for key, entry in document.items()
        if isinstance(entry, dict)
    }


def _file_config(root: Path, stack: str) -> dict[str, Any]:
    path = root / f"Pulumi.{stack}.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StackConfigError(f"{path}: cannot read the stack's config ({type(exc).__name__})") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return {}
    return {str(key): value for key, value in config.items()}
