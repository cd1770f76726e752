"""Read-side realism (masking, server defaults, nulls, system personas) and every realism switch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess, start_sandbox

PersonaFactory = Callable[..., str]
LLM_KEY = "sk-secret-llm-key-0123456789"
TTS_KEY = "tts-secret-key-abcdefghijkl"
live = pytest.mark.tavus_live


def secret_persona() -> dict[str, Any]:
    return {
        "system_prompt": "p",
        "layers": {
            "llm": {"model": "my-llm", "base_url": "https://llm.example.com/v1", "api_key": LLM_KEY},
            "tts": {"tts_engine": "elevenlabs", "api_key": TTS_KEY, "external_voice_id": "v1"},
        },
    }


# -- masking ------------------------------------------------------------------------------------


@live
def test_get_and_list_never_return_the_api_keys(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(**secret_persona())
    body = api.get(f"{prefix}/{persona_id}").text
    assert LLM_KEY not in body and TTS_KEY not in body
    total = api.get(prefix, params={"persona_type": "user", "limit": 1}).json()["total_count"]
    for page in range(1, (total + 99) // 100 + 1):
        listing = api.get(prefix, params={"persona_type": "user", "limit": 100, "page": page}).text
        assert LLM_KEY not in listing and TTS_KEY not in listing


def test_mask_format_on_get_and_list(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    persona_id = api.post(prefix, json=secret_persona()).json()["persona_id"]
    layers = api.get(f"{prefix}/{persona_id}").json()["layers"]
    assert layers["llm"]["api_key"] == "****6789"
    assert layers["tts"]["api_key"] == "****ijkl"
    listed = api.get(prefix, params={"persona_type": "user"}).json()["data"][0]["layers"]
    assert listed["llm"]["api_key"] == "****6789"
    assert listed["tts"]["api_key"] == "****ijkl"
    raw = sandbox.admin.get(persona_id)
    assert raw is not None and raw["layers"]["llm"]["api_key"] == LLM_KEY


def test_short_keys_are_fully_masked(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    persona_id = sandbox.admin.create({"system_prompt": "p", "layers": {"tts": {"api_key": "short-key"}}})
    assert api.get(f"{prefix}/{persona_id}").json()["layers"]["tts"]["api_key"] == "****"


# -- server defaults ----------------------------------------------------------------------------


def test_conversational_flow_defaults(api: httpx.Client, prefix: str, make_persona: PersonaFactory) -> None:
    persona_id = make_persona(layers={"conversational_flow": {"turn_taking_patience": "high"}})
    flow = api.get(f"{prefix}/{persona_id}").json()["layers"]["conversational_flow"]
    assert flow == {
        "turn_taking_patience": "high",
        "turn_detection_model": "sparrow-1",
        "replica_interruptibility": "medium",
    }


def test_empty_conversational_flow_stays_empty(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(layers={"conversational_flow": {}})
    assert api.get(f"{prefix}/{persona_id}").json()["layers"]["conversational_flow"] == {}


@pytest.mark.parametrize(
    ("llm", "expected"),
    [
        ({"model": "tavus-gpt-oss"}, {"model": "tavus-gpt-oss", "speculative_inference": True}),
        ({"model": "tavus-gpt-oss", "speculative_inference": False}, None),
        ({"model": "gpt-4o", "base_url": "https://x.example/v1", "api_key": "k" * 20}, None),
    ],
    ids=["tavus-model", "explicit-false", "custom-model"],
)
def test_speculative_inference_default(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory, llm: dict[str, Any], expected: Any
) -> None:
    persona_id = make_persona(layers={"llm": llm})
    got = api.get(f"{prefix}/{persona_id}").json()["layers"]["llm"]
    if expected is None:
        assert "speculative_inference" not in got or got["speculative_inference"] == llm.get(
            "speculative_inference"
        )
    else:
        assert got == expected


def test_defaults_are_addressable_by_patch(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(layers={"conversational_flow": {"turn_taking_patience": "high"}})
    ops = [{"op": "replace", "path": "/layers/conversational_flow/replica_interruptibility", "value": "low"}]
    assert api.patch(f"{prefix}/{persona_id}", json=ops).status_code == 200
    flow = api.get(f"{prefix}/{persona_id}").json()["layers"]["conversational_flow"]
    assert flow["replica_interruptibility"] == "low"


# -- system personas and the string-boolean quirk -------------------------------------------------


def test_two_system_personas_are_readable(api: httpx.Client, prefix: str, sandbox: SandboxProcess) -> None:
    system = api.get(prefix, params={"persona_type": "system"}).json()
    assert system["total_count"] == 2
    for persona in system["data"]:
        assert api.get(f"{prefix}/{persona['persona_id']}").json() == persona


def test_booleans_are_booleans_by_default(
    api: httpx.Client, prefix: str, make_persona: PersonaFactory
) -> None:
    persona_id = make_persona(layers={"tts": {"tts_engine": "cartesia", "tts_emotion_control": True}})
    assert api.get(f"{prefix}/{persona_id}").json()["layers"]["tts"]["tts_emotion_control"] is True


# -- every switch flipped, in one process ---------------------------------------------------------

FLIPPED = (
    "--get-shape",
    "data",
    "--unknown-id-status",
    "404",
    "--validate-before-auth",
    "--no-mask-secrets",
    "--no-server-defaults",
    "--no-null-fields",
    "--no-system-personas",
    "--string-booleans",
    "--path-prefix",
    "/v2/pals",
)


@pytest.fixture(scope="module")
def flipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    directory = tmp_path_factory.mktemp("flipped")
    process = start_sandbox(directory / "flipped.db", ["k"], FLIPPED, log_path=directory / "log")
    yield process
    process.stop()


@pytest.fixture
def flipped_api(flipped: SandboxProcess) -> Iterator[httpx.Client]:
    flipped.admin.reset()
    with flipped.client() as client:
        yield client


def test_switch_path_prefix(flipped_api: httpx.Client) -> None:
    assert flipped_api.get("/v2/pals").status_code == 200
    assert flipped_api.get("/v2/personas").status_code == 404


def test_switch_get_shape_data(flipped_api: httpx.Client) -> None:
    persona_id = flipped_api.post("/v2/pals", json={"system_prompt": "p"}).json()["persona_id"]
    body = flipped_api.get(f"/v2/pals/{persona_id}").json()
    assert list(body) == ["data"]
    assert body["data"][0]["persona_id"] == persona_id


def test_switch_unknown_id_404(flipped_api: httpx.Client) -> None:
    for response in (
        flipped_api.get("/v2/pals/p0000000dead"),
        flipped_api.delete("/v2/pals/p0000000dead"),
        flipped_api.patch("/v2/pals/p0000000dead", json=[]),
    ):
        assert response.status_code == 404
        assert response.json() == {"error": "Not found"}


def test_switch_validate_before_auth(flipped: SandboxProcess, flipped_api: httpx.Client) -> None:
    bad_key = {"x-api-key": "wrong"}
    invalid = httpx.post(f"{flipped.url}/v2/pals", headers=bad_key, json={"pipeline_mode": "full"})
    assert invalid.status_code == 400
    valid = httpx.post(f"{flipped.url}/v2/pals", headers=bad_key, json={"system_prompt": "p"})
    assert valid.status_code == 401
    assert httpx.get(f"{flipped.url}/v2/pals", headers=bad_key).status_code == 401


def test_switch_no_mask_no_defaults_no_nulls_string_booleans(flipped_api: httpx.Client) -> None:
    body = secret_persona()
    body["layers"]["conversational_flow"] = {"turn_taking_patience": "high"}
    body["layers"]["tts"]["tts_emotion_control"] = False
    body["layers"]["llm"]["model"] = "tavus-gpt-oss"
    persona_id = flipped_api.post("/v2/pals", json=body).json()["persona_id"]
    persona = flipped_api.get(f"/v2/pals/{persona_id}").json()["data"][0]
    assert persona["layers"]["llm"]["api_key"] == LLM_KEY
    assert persona["layers"]["tts"]["api_key"] == TTS_KEY
    assert persona["layers"]["conversational_flow"] == {"turn_taking_patience": "high"}
    assert "speculative_inference" not in persona["layers"]["llm"]
    assert persona["layers"]["tts"]["tts_emotion_control"] == "false"
    assert set(persona) == {"persona_id", "system_prompt", "layers", "created_at", "updated_at"}


def test_switch_no_system_personas(flipped_api: httpx.Client) -> None:
    assert flipped_api.get("/v2/pals", params={"persona_type": "system"}).json() == {
        "data": [],
        "total_count": 0,
    }


def test_config_reports_switches(flipped: SandboxProcess) -> None:
    config = flipped.admin.config()
    assert config["path_prefix"] == "/v2/pals"
    assert config["get_shape"] == "data"
    assert config["mask_secrets"] is False
    assert "api_keys" not in config and config["api_key_count"] == 1
