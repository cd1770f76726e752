"""Driving a provider the way the engine does: check, then create with the checked inputs."""

from __future__ import annotations

import json
from typing import Any

from providers.item_provider import ItemProvider


def checked_inputs(provider: ItemProvider, body: dict[str, Any]) -> dict[str, Any]:
    """`check` of a copy of `body` (as plain JSON, like the engine's), asserting it passed."""
    checked = provider.check({}, json.loads(json.dumps(body)))
    assert checked.failures == [], checked.failures
    return dict(checked.inputs)


def create(provider: ItemProvider, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(id, outputs) of `create` with the checked inputs of `body`."""
    created = provider.create(checked_inputs(provider, body))
    assert created.outs is not None
    return created.id, dict(created.outs)
