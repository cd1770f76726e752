"""Unit and property tests of the pure parts, plus the in-process ASGI app (`create_app`)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox import Faults, Settings, create_app
from sandbox._faults import FaultInjector
from sandbox._persona import apply_patch, fill, mask_secret, render

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=10,
)
layers = st.fixed_dictionaries(
    {},
    optional={
        "llm": st.fixed_dictionaries(
            {},
            optional={"model": st.sampled_from(["tavus-gpt-oss", "custom"]), "api_key": st.text(max_size=20)},
        ),
        "conversational_flow": st.dictionaries(
            st.sampled_from(["turn_detection_model", "turn_taking_patience", "x"]), json_scalars, max_size=3
        ),
        "tts": st.fixed_dictionaries({}, optional={"api_key": st.text(max_size=20)}),
    },
)
documents = st.fixed_dictionaries(
    {"persona_id": st.just("p0123456789a")},
    optional={
        "system_prompt": st.text(max_size=5),
        "context": json_scalars,
        "layers": layers,
        "extra": json_values,
    },
)


@given(st.text(min_size=1))
def test_mask_never_reveals_a_key(key: str) -> None:
    masked = mask_secret(key)
    assert masked != key or key == "****"
    assert masked.startswith("****") and len(masked) <= 8


@given(documents, st.booleans(), st.booleans())
def test_fill_is_idempotent_and_pure(doc: dict[str, Any], null_fields: bool, defaults: bool) -> None:
    original = copy.deepcopy(doc)
    once = fill(doc, null_fields=null_fields, server_defaults=defaults)
    assert fill(once, null_fields=null_fields, server_defaults=defaults) == once
    assert doc == original


@given(documents)
def test_render_masks_every_secret(doc: dict[str, Any]) -> None:
    view = render(doc, mask_secrets=True, string_booleans=False)
    for layer in ("llm", "tts"):
        secret = doc.get("layers", {}).get(layer, {}).get("api_key")
        if secret and secret != "****":
            assert view["layers"][layer]["api_key"] != secret


@settings(max_examples=50)
@given(documents, st.text(max_size=5))
def test_apply_patch_does_not_mutate_its_input(doc: dict[str, Any], value: str) -> None:
    original = copy.deepcopy(doc)
    patched = apply_patch(doc, [{"op": "add", "path": "/context", "value": value}])
    assert patched["context"] == value
    assert doc == original


def test_faults_round_trip_and_reseed() -> None:
    faults = Faults.from_dict({"seed": 4, "error_rate": 0.5, "error_methods": ["get"]})
    assert Faults.from_dict(faults.to_dict()) == faults
    injector = FaultInjector(faults)
    first = [injector.injected_error("GET") for _ in range(30)]
    injector.reset()
    assert [injector.injected_error("GET") for _ in range(30)] == first
    assert injector.injected_error("POST") is None


def test_rate_limit_window_slides() -> None:
    now = [100.0]
    injector = FaultInjector(Faults(rate_limit=2, rate_limit_window_s=1.0), clock=lambda: now[0])
    assert injector.check_rate("k") is None
    now[0] += 0.5
    assert injector.check_rate("k") is None
    assert injector.check_rate("k") == 1
    assert injector.check_rate("other") is None
    now[0] += 0.6  # the first request left the window
    assert injector.check_rate("k") is None


def test_settings_validation() -> None:
    with pytest.raises(ValueError):
        Settings(db_path=":memory:", api_keys=())
    with pytest.raises(ValueError):
        Settings(db_path=":memory:", api_keys=("k",), path_prefix="v2/personas")
    assert Settings(db_path=":memory:", api_keys=("k",), path_prefix="/v2/pals/").path_prefix == "/v2/pals"


def test_create_app_in_process(tmp_path: Path) -> None:
    app = create_app(Settings(db_path=tmp_path / "inproc.db", api_keys=("k",)))

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://sandbox", headers={"x-api-key": "k"}
        ) as c:
            created = (await c.post("/v2/personas", json={"system_prompt": "p"})).json()
            assert (await c.get(f"/v2/personas/{created['persona_id']}")).json()["system_prompt"] == "p"
            app.state.faults.configure(Faults(ambiguous_create_mode="drop", ambiguous_create_count=1))
            with pytest.raises(Exception, match="dropped"):
                await c.post("/v2/personas", json={"system_prompt": "lost"})
        assert app.state.store.page("user", 10, 0)[1] == 2

    try:
        asyncio.run(scenario())
    finally:
        app.close()
