"""Where the provider's credentials and endpoint come from.

Stack config first (`tavus:apiKey` as a secret, `tavus:baseUrl`, `tavus:pathPrefix`,
`tavus:timeoutSeconds`, `tavus:overrideDrafts`), then the environment (TAVUS_API_KEY,
TAVUS_BASE_URL, TAVUS_PATH_PREFIX, TAVUS_TIMEOUT, TAVUS_OVERRIDE_DRAFTS). Read at call time
inside the provider process, never captured in the pickled provider.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from providers.errors import InvalidSettingError, MissingApiKeyError

DEFAULT_BASE_URL = "https://tavusapi.com"
DEFAULT_PATH_PREFIX = "/v2/personas"

API_KEY_CONFIG = "tavus:apiKey"
BASE_URL_CONFIG = "tavus:baseUrl"
PATH_PREFIX_CONFIG = "tavus:pathPrefix"
TIMEOUT_CONFIG = "tavus:timeoutSeconds"
OVERRIDE_DRAFTS_CONFIG = "tavus:overrideDrafts"
# When neither is set; also the client's own default (providers.client.DEFAULT_TIMEOUT).
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class ProviderSettings:
    base_url: str = DEFAULT_BASE_URL
    path_prefix: str = DEFAULT_PATH_PREFIX
    # repr=False: a settings object must never print its key (tracebacks reach CI logs).
    api_key: str | None = field(default=None, repr=False)
    # Seconds to wait for each HTTP response (read, write, pool); connecting waits at most 10 s.
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    # Overwrite unpublished web-editor drafts of a persona (PATCH ?force=true) instead of stopping.
    override_drafts: bool = False

    def require_api_key(self) -> str:
        if not self.api_key:
            raise MissingApiKeyError()
        return self.api_key


def qualified_config_key(key: str, project: str) -> str:
    """A config key as `pulumi config` stores it: `openaiApiKey` is `<project>:openaiApiKey`; a key that
    names its namespace (`tavus:apiKey`) stays as written. `{secret:}`/`{config:}` references use it."""
    return key if ":" in key else f"{project}:{key}"


def settings_from(config_get: Callable[[str], str | None]) -> ProviderSettings:
    """Build settings from a config lookup (Pulumi's `Config.get`), falling back to the environment."""

    def pick(config_key: str, env_key: str) -> str | None:
        return config_get(config_key) or os.environ.get(env_key) or None

    return ProviderSettings(
        api_key=pick(API_KEY_CONFIG, "TAVUS_API_KEY"),
        base_url=_base_url(pick(BASE_URL_CONFIG, "TAVUS_BASE_URL")),
        path_prefix=pick(PATH_PREFIX_CONFIG, "TAVUS_PATH_PREFIX") or DEFAULT_PATH_PREFIX,
        timeout_seconds=_timeout(pick(TIMEOUT_CONFIG, "TAVUS_TIMEOUT")),
        override_drafts=_flag(OVERRIDE_DRAFTS_CONFIG, pick(OVERRIDE_DRAFTS_CONFIG, "TAVUS_OVERRIDE_DRAFTS")),
    )


def _flag(key: str, text: str | None) -> bool:
    if text is None or text.strip().lower() in ("false", "0", "no", ""):
        return False
    if text.strip().lower() in ("true", "1", "yes"):
        return True
    raise InvalidSettingError(f"{key} must be true or false, got {text!r}: `pulumi config set {key} true`")


def _base_url(text: str | None) -> str:
    """An http(s) URL with a host, without a trailing slash; refused here, naming the setting, rather
    than by the client's constructor in the middle of a deployment."""
    if text is None:
        return DEFAULT_BASE_URL
    try:
        parts = urlsplit(text.strip())
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        host = None
    if host is None or parts.scheme not in ("http", "https"):
        raise InvalidSettingError(
            f"{BASE_URL_CONFIG} (or TAVUS_BASE_URL) must be an http(s) URL with a host, got {text!r}: "
            f"run `pulumi config set {BASE_URL_CONFIG} {DEFAULT_BASE_URL}`"
        )
    return text.strip().rstrip("/")


def _timeout(text: str | None) -> float:
    """A positive, finite number of seconds; a bad value is refused rather than silently ignored."""
    if text is None:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not (0 < seconds < float("inf")):
        raise InvalidSettingError(
            f"{TIMEOUT_CONFIG} (or TAVUS_TIMEOUT) must be a positive number of seconds, got {text!r}: "
            f"run `pulumi config set {TIMEOUT_CONFIG} 30`"
        )
    return seconds
