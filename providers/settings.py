"""Where the provider's credentials and endpoint come from.

Stack config first (`tavus:apiKey` as a secret, `tavus:baseUrl`, `tavus:pathPrefix`),
then the environment (TAVUS_API_KEY, TAVUS_BASE_URL, TAVUS_PATH_PREFIX). Read at call
time inside the provider process, never captured in the pickled provider.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://tavusapi.com"
DEFAULT_PATH_PREFIX = "/v2/personas"

API_KEY_CONFIG = "tavus:apiKey"
BASE_URL_CONFIG = "tavus:baseUrl"
PATH_PREFIX_CONFIG = "tavus:pathPrefix"


class MissingApiKeyError(RuntimeError):
    """No Tavus API key in stack config or the environment."""

    def __init__(self) -> None:
        super().__init__(
            "no Tavus API key: run `pulumi config set --secret tavus:apiKey <key>` "
            "(or export TAVUS_API_KEY for this shell)"
        )


@dataclass(frozen=True)
class ProviderSettings:
    base_url: str = DEFAULT_BASE_URL
    path_prefix: str = DEFAULT_PATH_PREFIX
    # repr=False: a settings object must never print its key (tracebacks reach CI logs).
    api_key: str | None = field(default=None, repr=False)

    def require_api_key(self) -> str:
        if not self.api_key:
            raise MissingApiKeyError()
        return self.api_key


def settings_from(config_get: Callable[[str], str | None]) -> ProviderSettings:
    """Build settings from a config lookup (Pulumi's `Config.get`), falling back to the environment."""

    def pick(config_key: str, env_key: str) -> str | None:
        return config_get(config_key) or os.environ.get(env_key) or None

    return ProviderSettings(
        api_key=pick(API_KEY_CONFIG, "TAVUS_API_KEY"),
        base_url=(pick(BASE_URL_CONFIG, "TAVUS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        path_prefix=pick(PATH_PREFIX_CONFIG, "TAVUS_PATH_PREFIX") or DEFAULT_PATH_PREFIX,
    )
