"""providers._engine_errors: product errors lose the traceback, anything else keeps it."""

from __future__ import annotations

import types

import pytest

from providers import _engine_errors
from providers.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    MissingApiKeyError,
    ServerError,
    TavusConnectionError,
)


def server_module() -> types.ModuleType:
    """A stand-in for pulumi/dynamic/__main__.py as `python -m pulumi.dynamic` loads it."""
    module = types.ModuleType("__main__")
    module.__spec__ = types.SimpleNamespace(name="pulumi.dynamic.__main__")  # type: ignore[assignment]
    module.traceback = __import__("traceback")  # type: ignore[attr-defined]
    return module


def formatted(module: types.ModuleType, error: BaseException) -> str:
    try:
        raise error
    except BaseException:
        text: str = module.traceback.format_exc()
    return text


@pytest.mark.parametrize(
    ("error", "first_line", "fix"),
    [
        (
            AuthenticationError(401, "GET", "/v2/personas", "Invalid access token"),
            "AuthenticationError: Tavus API error 401 on GET /v2/personas: Invalid access token",
            "pulumi config set --secret tavus:apiKey <key>",
        ),
        (
            ServerError(503, "POST", "/v2/personas", "Service Unavailable"),
            "ServerError: ",
            "Run `pulumi up` again",
        ),
        (
            TavusConnectionError("GET", "/v2/personas/p1", "ConnectError"),
            "TavusConnectionError: ",
            "tavus:baseUrl",
        ),
        (MissingApiKeyError(), "MissingApiKeyError: no Tavus API key", None),
        (AmbiguousCreateError("POST", "/v2/personas", "Coach", "no answer"), "AmbiguousCreateError: ", None),
    ],
)
def test_product_errors_are_the_message_and_the_fix(
    error: Exception, first_line: str, fix: str | None
) -> None:
    module = server_module()
    assert _engine_errors.install(module)

    text = formatted(module, error)

    assert "Traceback" not in text
    assert text.startswith(first_line)
    lines = text.splitlines()
    assert (fix in lines[1]) if fix else len(lines) == 1


def test_unexpected_errors_keep_their_traceback() -> None:
    module = server_module()
    _engine_errors.install(module)

    text = formatted(module, KeyError("persona_id"))

    assert text.startswith("Traceback (most recent call last)") and "KeyError: 'persona_id'" in text
    assert module.traceback.format_exception is __import__("traceback").format_exception


def test_other_processes_are_left_alone() -> None:
    program = types.ModuleType("__main__")
    program.__spec__ = types.SimpleNamespace(name="pulumi_language_python_exec")  # type: ignore[assignment]
    program.traceback = __import__("traceback")  # type: ignore[attr-defined]

    assert not _engine_errors.install(program)
    assert program.traceback is __import__("traceback")  # type: ignore[attr-defined]
    assert not _engine_errors.install()  # this process (pytest) is not the server
