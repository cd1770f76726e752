"""Fault switches: each is checked by its observable effect, never by measuring time."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from sandbox.testing import SandboxProcess

Start = Callable[..., SandboxProcess]


def user_names(sandbox: SandboxProcess) -> list[str]:
    return [p["persona_name"] for p in sandbox.admin.list("user")]


# -- latency ------------------------------------------------------------------------------------


def test_latency_makes_a_short_timeout_client_time_out(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(latency_ms=1500)
    with sandbox.client(timeout=0.2) as client, pytest.raises(httpx.ReadTimeout):
        client.get(prefix)
    sandbox.admin.set_faults()
    with sandbox.client(timeout=5) as client:
        assert client.get(prefix).status_code == 200


def test_latency_with_jitter_keeps_responses_correct(sandbox: SandboxProcess, prefix: str) -> None:
    faults = sandbox.admin.set_faults(latency_ms=5, latency_jitter_ms=5, seed=3)
    assert (faults["latency_ms"], faults["latency_jitter_ms"]) == (5, 5)
    with sandbox.client() as client:
        persona_id = client.post(prefix, json={"system_prompt": "p"}).json()["persona_id"]
        assert client.get(f"{prefix}/{persona_id}").json()["persona_id"] == persona_id


# -- rate limit ---------------------------------------------------------------------------------


def test_rate_limit_is_429_with_retry_after_per_key(
    sandbox: SandboxProcess, prefix: str, second_key: str
) -> None:
    sandbox.admin.set_faults(rate_limit=2, rate_limit_window_s=60)
    with sandbox.client() as client:
        statuses = [client.get(prefix).status_code for _ in range(2)]
        limited = client.get(prefix)
    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert limited.json() == {"error": "Too many requests"}
    assert 59 <= int(limited.headers["Retry-After"]) <= 60
    with sandbox.client(second_key) as other:
        assert other.get(prefix).status_code == 200  # the limit is per key
    assert httpx.get(f"{sandbox.url}{prefix}", headers={"x-api-key": "bad"}).status_code == 401
    sandbox.admin.faults()  # admin requests are never limited
    assert sandbox.admin.requests()["requests"][2]["fault"] == "rate_limited"
    sandbox.admin.set_faults()
    with sandbox.client() as client:
        assert client.get(prefix).status_code == 200


def test_retry_after_counts_down_to_the_oldest_request(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(rate_limit=1, rate_limit_window_s=2.5)
    with sandbox.client() as client:
        assert client.get(prefix).status_code == 200
        assert 1 <= int(client.get(prefix).headers["Retry-After"]) <= 3


# -- random 5xx ---------------------------------------------------------------------------------


def statuses(sandbox: SandboxProcess, prefix: str, count: int = 40) -> list[int]:
    with sandbox.client() as client:
        return [client.get(prefix).status_code for _ in range(count)]


def test_seeded_5xx_sequence_is_repeatable(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(seed=7, error_rate=0.5)
    first = statuses(sandbox, prefix)
    sandbox.admin.set_faults(seed=7, error_rate=0.5)
    assert statuses(sandbox, prefix) == first
    assert 200 in first
    assert set(first) - {200} == {500, 502, 503}
    sandbox.admin.set_faults(seed=8, error_rate=0.5)
    assert statuses(sandbox, prefix) != first


def test_seeded_5xx_sequence_is_the_same_in_a_fresh_process(
    sandbox: SandboxProcess, prefix: str, start: Start
) -> None:
    sandbox.admin.set_faults(seed=11, error_rate=0.3)
    expected = statuses(sandbox, prefix, 30)
    fresh = start("--seed", "11", "--error-rate", "0.3")
    assert statuses(fresh, prefix, 30) == expected


def test_injected_5xx_has_error_body_and_no_side_effect(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(error_rate=1.0, error_methods=["POST"], error_statuses=[503])
    with sandbox.client() as client:
        response = client.post(prefix, json={"system_prompt": "p"})
        assert response.status_code == 503
        assert response.json() == {"error": "Service Unavailable"}
        assert client.get(prefix).status_code == 200  # only POST is affected
    assert sandbox.admin.list("user") == []
    assert sandbox.admin.requests()["requests"][0]["fault"] == "error_503"


# -- ambiguous create ---------------------------------------------------------------------------


def test_ambiguous_create_504_persists_the_persona(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(ambiguous_create_count=1)
    with sandbox.client() as client:
        response = client.post(prefix, json={"persona_name": "lost-504", "system_prompt": "p"})
        assert response.status_code == 504
        assert user_names(sandbox) == ["lost-504"]
        listed = client.get(prefix, params={"persona_type": "user"}).json()["data"]
        assert [p["persona_name"] for p in listed] == ["lost-504"]  # a client can recover by name
        assert client.post(prefix, json={"persona_name": "ok", "system_prompt": "p"}).status_code == 200
    assert sandbox.admin.faults()["ambiguous_create_count"] == 0
    assert sandbox.admin.requests()["requests"][0]["fault"] == "ambiguous_504"


def test_ambiguous_create_drop_closes_the_connection(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(ambiguous_create_mode="drop", ambiguous_create_count=2)
    with sandbox.client() as client:
        for name in ("lost-1", "lost-2"):
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                client.post(prefix, json={"persona_name": name, "system_prompt": "p"})
        assert client.post(prefix, json={"persona_name": "ok", "system_prompt": "p"}).status_code == 200
        assert client.get(prefix).status_code == 200
    assert sorted(user_names(sandbox)) == ["lost-1", "lost-2", "ok"]
    entries = sandbox.admin.requests()["requests"]
    assert [(e["fault"], e["status"]) for e in entries[:2]] == [("ambiguous_drop", None)] * 2


def test_ambiguous_create_rate_is_seeded(sandbox: SandboxProcess, prefix: str) -> None:
    def run() -> list[int]:
        sandbox.admin.reset()
        sandbox.admin.set_faults(seed=5, ambiguous_create_rate=0.5)
        with sandbox.client() as client:
            return [client.post(prefix, json={"system_prompt": "p"}).status_code for _ in range(20)]

    first = run()
    assert run() == first
    assert set(first) == {200, 504}
    assert len(sandbox.admin.list("user")) == 20  # every create took effect


def test_failed_validation_is_never_ambiguous(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(ambiguous_create_count=1)
    with sandbox.client() as client:
        assert client.post(prefix, json={"persona_name": "x"}).status_code == 400
    assert sandbox.admin.faults()["ambiguous_create_count"] == 1


# -- slow response ------------------------------------------------------------------------------


def test_slow_response_times_out_but_the_write_happens(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(slow_ms=5000, slow_methods=["POST", "PATCH", "DELETE"])
    with sandbox.client(timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(prefix, json={"persona_name": "slow", "system_prompt": "p"})
        (stored,) = sandbox.admin.list("user")
        assert stored["persona_name"] == "slow"
        assert client.get(f"{prefix}/{stored['persona_id']}").status_code == 200  # GET is not slowed
        with pytest.raises(httpx.ReadTimeout):
            client.patch(
                f"{prefix}/{stored['persona_id']}", json=[{"op": "add", "path": "/context", "value": "c"}]
            )
        raw = sandbox.admin.get(stored["persona_id"])
        assert raw is not None and raw["context"] == "c"
        with pytest.raises(httpx.ReadTimeout):
            client.delete(f"{prefix}/{stored['persona_id']}")
        assert sandbox.admin.get(stored["persona_id"]) is None
    assert {e["fault"] for e in sandbox.admin.requests()["requests"] if e["method"] != "GET"} == {"slow"}


def test_slow_response_with_a_patient_client_succeeds(sandbox: SandboxProcess, prefix: str) -> None:
    sandbox.admin.set_faults(slow_ms=50, slow_methods=["GET"])
    with sandbox.client(timeout=10) as client:
        assert client.get(prefix).status_code == 200


# -- fault switches as CLI flags ----------------------------------------------------------------


def test_cli_fault_flags_and_reset_restores_them(start: Start) -> None:
    sb = start(
        "--rate-limit", "1", "--rate-limit-window", "60", "--slow-ms", "7", "--slow-methods", "patch,delete",
        "--error-methods", "GET", "--error-statuses", "502", "--ambiguous-create-mode", "drop",
        "--ambiguous-create-count", "3", "--latency-ms", "1", "--latency-jitter-ms", "1", "--seed", "9",
    )  # fmt: skip
    faults = sb.admin.faults()
    assert faults["rate_limit"] == 1 and faults["rate_limit_window_s"] == 60.0
    assert faults["slow_methods"] == ["PATCH", "DELETE"] and faults["slow_ms"] == 7
    assert faults["error_methods"] == ["GET"] and faults["error_statuses"] == [502]
    assert (faults["ambiguous_create_mode"], faults["ambiguous_create_count"]) == ("drop", 3)
    assert (faults["latency_ms"], faults["latency_jitter_ms"], faults["seed"]) == (1, 1, 9)
    with sb.client() as client:
        assert client.get("/v2/personas").status_code == 200
        assert client.get("/v2/personas").status_code == 429
        sb.admin.set_faults()
        assert client.get("/v2/personas").status_code == 200
        sb.admin.reset()
        assert sb.admin.faults() == faults
        assert client.get("/v2/personas").status_code == 200
        assert client.get("/v2/personas").status_code == 429


@pytest.mark.parametrize(
    "args",
    [
        ("--error-rate", "2"),
        ("--error-methods", "PUT"),
        ("--ambiguous-create-mode", "maybe"),
        ("--slow-ms", "-1"),
    ],
)
def test_invalid_fault_flags_refuse_to_start(start: Start, args: tuple[str, ...]) -> None:
    from sandbox.testing import SandboxStartError

    with pytest.raises(SandboxStartError, match="exit code 2"):
        start(*args)
