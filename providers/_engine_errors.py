"""The product's errors as a message and a fix in `pulumi up`, not as a Python traceback.

The SDK's dynamic-provider server (`pulumi/dynamic/__main__.py`, run as `__main__` by
`python -m pulumi.dynamic`) answers every exception from a provider method with
`traceback.format_exc()`: twenty lines of frames around the one line a user needs. Its wrapper looks
the `traceback` name up in its module's globals at call time, so `install()` points that name at a
stand-in that formats the product's own errors (documented in `providers.errors`) as
`ErrorType: message` and a fix, and anything else exactly as before: an unexpected exception is a
bug, and its traceback is what a bug report needs.

Nothing changes outside the provider server process; tests/e2e/test_provider_errors.py would fail
if an SDK upgrade stopped this working.
"""

from __future__ import annotations

import sys
import traceback
from types import ModuleType
from typing import Any

from providers.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    InvalidRequestError,
    RateLimitedError,
    ServerError,
    TavusConnectionError,
    TavusPersonasError,
)

_SERVER_MODULE = "pulumi.dynamic.__main__"
_RERUN = "Run `pulumi up` again: a failed run loses and duplicates nothing (docs/reliability.md)."

# Most specific first: the first matching class gives the fix.
_FIXES: tuple[tuple[type[BaseException], str], ...] = (
    (
        AuthenticationError,
        "Tavus refused the API key: set the stack's key with "
        "`pulumi config set --secret tavus:apiKey <key>` (or TAVUS_API_KEY).",
    ),
    (RateLimitedError, "Tavus is rate-limiting this key even after retries. " + _RERUN),
    (ServerError, "Tavus kept failing after retries. " + _RERUN),
    (TavusConnectionError, "Check tavus:baseUrl and the network, or raise tavus:timeoutSeconds. " + _RERUN),
    (AmbiguousCreateError, ""),  # its message already says what to do
    (InvalidRequestError, "Tavus refused the persona as written: fix the field it names in the file."),
    (TavusPersonasError, ""),  # e.g. MissingApiKeyError, InvalidSettingError: their message is the fix
)


def describe(error: BaseException) -> str | None:
    """`ErrorType: message` plus the fix, for the product's own errors; None for anything else."""
    for kind, fix in _FIXES:
        if isinstance(error, kind):
            text = f"{type(error).__name__}: {error}"
            return f"{text}\n{fix}" if fix else text
    return None


class _TracebackForProductErrors:
    """Stands in for the `traceback` module inside the SDK's provider server."""

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        short = describe(error) if error is not None else None
        return short if short is not None else traceback.format_exc(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)


def install(main_module: ModuleType | None = None) -> bool:
    """Point the provider server's `traceback` at the stand-in; True if this process is that server."""
    module = main_module if main_module is not None else sys.modules.get("__main__")
    spec = getattr(module, "__spec__", None)
    if module is None or getattr(spec, "name", None) != _SERVER_MODULE or not hasattr(module, "traceback"):
        return False
    module.traceback = _TracebackForProductErrors()  # type: ignore[attr-defined]
    return True
