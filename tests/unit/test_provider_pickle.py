"""The provider pickled into state holds no secret and is small and deterministic (README: Pickle hygiene)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime._serialization import _serialize

from harness.pulumi import REPO_ROOT
from providers._resource import ItemResource
from providers.graph import Guardrails, Objectives
from providers.persona import _PROVIDER
from providers.provider import PersonaProvider

SECRET = "sk-pickle-canary-5f1e9c"

_SERIALIZE = (
    "from pulumi.dynamic.dynamic import serialize_provider\n"
    "from pulumi.runtime._serialization import _serialize\n"
    "from providers.persona import _PROVIDER\n"
    "print(_serialize(True, serialize_provider, _PROVIDER)[0])\n"
)


def _pickled(provider: PersonaProvider) -> tuple[str, bool]:
    return _serialize(True, serialize_provider, provider)


def test_pickle_is_a_short_reference_to_the_importable_class() -> None:
    pickled, contains_secrets = _pickled(_PROVIDER)
    raw = base64.b64decode(pickled)
    assert not contains_secrets
    assert len(pickled) < 200, "the class must be pickled by reference, not by value"
    assert b"providers.provider" in raw and b"PersonaProvider" in raw


def test_configured_provider_pickles_without_credentials(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TAVUS_API_KEY", SECRET)
    provider = PersonaProvider()
    provider.configure(ConfigureRequest(Config({"tavus:apiKey": SECRET, "tavus:baseUrl": "http://x"}, "p")))
    pickled, _ = _pickled(provider)
    assert SECRET.encode() not in base64.b64decode(pickled)
    assert pickled == _pickled(PersonaProvider())[0], "runtime state must never reach the pickle"


def test_pickle_is_identical_across_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _SERIALIZE],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(run.stdout.strip())
    assert len(outputs) == 1


@pytest.mark.parametrize("resource_type", [Objectives, Guardrails], ids=lambda t: t.__name__)
def test_graph_providers_pickle_as_short_references_without_credentials(
    resource_type: type[ItemResource], monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = resource_type.item_provider
    pickled, contains_secrets = _serialize(True, serialize_provider, provider)
    raw = base64.b64decode(pickled)
    assert not contains_secrets and len(pickled) < 200
    assert b"providers.item_provider" in raw and type(provider).__name__.encode() in raw

    monkeypatch.setenv("TAVUS_API_KEY", SECRET)
    configured = type(provider)()
    configured.configure(ConfigureRequest(Config({"tavus:apiKey": SECRET, "tavus:baseUrl": "http://x"}, "p")))
    configured._client()  # the runtime exists now, with the key in it
    again, _ = _serialize(True, serialize_provider, configured)
    assert SECRET.encode() not in base64.b64decode(again) and again == pickled
