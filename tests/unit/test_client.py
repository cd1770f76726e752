"""TavusClient against an in-memory Tavus behind httpx.MockTransport (the one place mocks are allowed).

No network, no real sleeping: ``sleep`` records durations, ``rng`` and ``clock`` are fixed.
"""

from __future__ import annotations

import datetime
import json
import pickle
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from providers.client import USER_AGENT, RetryEvent, RetryPolicy, TavusClient
from providers.errors import (
    AmbiguousCreateError,
    AuthenticationError,
    InvalidRequestError,
    MissingApiKeyError,
    PersonaNotFoundError,
    RateLimitedError,
    ServerError,
    TavusAPIError,
    TavusConnectionError,
    TavusPersonasError,
    UnexpectedResponseError,
)
from providers.settings import ProviderSettings

API_KEY = "tvs-APIKEY-7f3a9c1e5b2d4f60aa"
LLM_KEY = "sk-LLMSECRET-91c2e7d0c4b8"
HEADER_TOKEN = "hdrTOKEN-55aa33ee77"
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
NOW_TS = NOW.timestamp()


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# -- the fake Tavus ------------------------------------------------------------------------------

Fault = Callable[["FakeTavus", httpx.Request], httpx.Response]


def answer(
    status: int,
    body: Any = None,
    *,
    text: str | None = None,
    headers: dict[str, str] | None = None,
    processed: bool = False,
) -> Fault:
    """Answer ``status`` (after really processing the request when ``processed``)."""

    def fault(fake: FakeTavus, request: httpx.Request) -> httpx.Response:
        if processed:
            fake.serve(request)
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return (
            httpx.Response(status, json=body, headers=headers)
            if body is not None
            else httpx.Response(status, headers=headers)
        )

    return fault


def fail(exc_type: type[httpx.RequestError], message: str = "boom") -> Fault:
    """The request never gets an answer and is not processed."""

    def fault(fake: FakeTavus, request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return fault


def lost(exc_type: type[httpx.RequestError] = httpx.ReadTimeout) -> Fault:
    """Tavus processes the request, but its answer is lost on the way back."""

    def fault(fake: FakeTavus, request: httpx.Request) -> httpx.Response:
        fake.serve(request)
        raise exc_type("answer lost", request=request)

    return fault


@dataclass
class FakeTavus:
    prefix: str = "/v2/personas"
    max_limit: int | None = None  # clamp `limit` like a server with a cap
    with_total_count: bool = True
    ignore_page: bool = False
    personas: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    faults: dict[str, list[Fault | None]] = field(default_factory=lambda: defaultdict(list))
    now: datetime.datetime = NOW

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, name: str, created_at: Any = None, persona_type: str = "user") -> str:
        persona_id = f"p{len(self.personas) + 1:011x}"
        self.personas[persona_id] = {
            "persona_id": persona_id,
            "persona_name": name,
            "persona_type": persona_type,
            "created_at": iso(self.now) if created_at is None else created_at,
        }
        return persona_id

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            queue = self.faults[request.method]
            fault = queue.pop(0) if queue else None
            return fault(self, request) if fault is not None else self.serve(request)

    def serve(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == self.prefix:
            return self._list(request) if request.method == "GET" else self._create(request)
        persona_id = path.removeprefix(self.prefix + "/")
        if persona_id not in self.personas:
            return httpx.Response(400, json={"error": "Invalid persona_id"})
        if request.method == "GET":
            return httpx.Response(200, json=self.personas[persona_id])
        if request.method == "DELETE":
            del self.personas[persona_id]
            return httpx.Response(204)
        return self._patch(persona_id, json.loads(request.content))

    def _list(self, request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params.get("limit", 10))
        limit = min(limit, self.max_limit) if self.max_limit else limit
        page = 1 if self.ignore_page else int(request.url.params.get("page", 1))
        wanted = request.url.params.get("persona_type")
        matching = [p for p in self.personas.values() if wanted is None or p["persona_type"] == wanted]
        body: dict[str, Any] = {"data": matching[(page - 1) * limit : page * limit]}
        if self.with_total_count:
            body["total_count"] = len(matching)
        return httpx.Response(200, json=body)

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        persona_id = self.add(body["persona_name"])
        persona = self.personas[persona_id]
        return httpx.Response(200, json={k: persona[k] for k in ("persona_id", "persona_name", "created_at")})

    def _patch(self, persona_id: str, operations: list[dict[str, Any]]) -> httpx.Response:
        persona = self.personas[persona_id]
        before = json.dumps(persona, sort_keys=True)
        for op in operations:
            persona[op["path"].lstrip("/")] = op["value"]
        if json.dumps(persona, sort_keys=True) == before:
            return httpx.Response(304)
        return httpx.Response(200)

    def count(self, method: str, path: str | None = None) -> int:
        return sum(1 for r in self.requests if r.method == method and (path is None or r.url.path == path))


@dataclass
class Harness:
    fake: FakeTavus
    client: TavusClient
    sleeps: list[float]
    events: list[RetryEvent]


def make(
    fake: FakeTavus | None = None,
    *,
    rng: float = 1.0,
    max_attempts: int = 4,
    handler: Callable[[httpx.Request], httpx.Response] | None = None,
    **kwargs: Any,
) -> Harness:
    fake = fake or FakeTavus()
    sleeps: list[float] = []
    events: list[RetryEvent] = []
    client = TavusClient(
        API_KEY,
        "https://tavus.test",
        kwargs.pop("path_prefix", fake.prefix),
        transport=httpx.MockTransport(handler or fake.handle),
        retry=RetryPolicy(max_attempts=max_attempts, backoff_base=0.5, backoff_max=4.0, max_retry_after=60.0),
        sleep=sleeps.append,
        rng=lambda: rng,
        clock=lambda: NOW_TS,
        on_retry=events.append,
        **kwargs,
    )
    return Harness(fake, client, sleeps, events)


# -- GET -----------------------------------------------------------------------------------------


def test_get_accepts_the_object_itself() -> None:
    h = make()
    pid = h.fake.add("Storyteller")
    assert h.client.get(pid) == h.fake.personas[pid]


def test_get_unwraps_the_documented_data_list() -> None:
    persona = {"persona_id": "p1", "persona_name": "A"}
    h = make(handler=lambda r: httpx.Response(200, json={"data": [persona]}))
    assert h.client.get("p1") == persona


def test_get_of_an_empty_data_list_is_gone() -> None:
    h = make(handler=lambda r: httpx.Response(200, json={"data": []}))
    assert h.client.get("p1") is None


def test_get_picks_the_requested_id_from_a_longer_data_list() -> None:
    data = [{"persona_id": "p1"}, {"persona_id": "p2"}]
    h = make(handler=lambda r: httpx.Response(200, json={"data": data}))
    assert h.client.get("p2") == {"persona_id": "p2"}


def test_get_normalises_pal_names() -> None:
    h = make(handler=lambda r: httpx.Response(200, json={"pal_id": "p9", "pal_name": "Pal"}))
    assert h.client.get("p9") == {
        "pal_id": "p9",
        "pal_name": "Pal",
        "persona_id": "p9",
        "persona_name": "Pal",
    }


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400, json={"error": "Invalid persona_id"}),
        httpx.Response(404, json={"message": "Persona not found"}),
        httpx.Response(404),
    ],
    ids=["400-invalid-persona_id", "404-json", "404-empty"],
)
def test_get_of_a_gone_persona_is_none(response: httpx.Response) -> None:
    h = make(handler=lambda r: response)
    assert h.client.get("p0") is None
    assert h.sleeps == []


def test_a_404_html_page_is_a_misconfiguration_not_gone() -> None:
    # A wrong base URL must not make every persona look deleted (callers would recreate them).
    h = make(handler=lambda r: httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(InvalidRequestError) as info:
        h.client.get("p0")
    assert not isinstance(info.value, PersonaNotFoundError)
    assert "<html>Not Found</html>" in str(info.value)


def test_get_with_a_non_json_200_is_unexpected() -> None:
    h = make(handler=lambda r: httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(UnexpectedResponseError, match="expected a JSON body"):
        h.client.get("p1")


def test_persona_id_cannot_escape_the_collection_path() -> None:
    h = make()
    assert h.client.get("../../v2/replicas/r1?x=1") is None
    assert h.fake.requests[0].url.raw_path == b"/v2/personas/..%2F..%2Fv2%2Freplicas%2Fr1%3Fx%3D1"


def test_empty_persona_id_is_refused_without_a_call() -> None:
    h = make()
    with pytest.raises(ValueError):
        h.client.get("")
    assert h.fake.requests == []


# -- list ----------------------------------------------------------------------------------------


def _fill(fake: FakeTavus, n: int) -> list[str]:
    return [fake.add(f"persona-{i}") for i in range(n)]


def test_list_pages_until_total_count() -> None:
    h = make()
    ids = _fill(h.fake, 250)
    assert [p["persona_id"] for p in h.client.iter_personas(page_size=100)] == ids
    params = [dict(r.url.params) for r in h.fake.requests]
    assert params == [{"limit": "100", "page": str(n), "persona_type": "user"} for n in (1, 2, 3)]


def test_list_stops_at_total_count_without_an_extra_empty_page() -> None:
    h = make()
    _fill(h.fake, 200)
    assert len(h.client.list_personas()) == 200
    assert h.fake.count("GET") == 2


def test_list_tolerates_a_server_that_clamps_limit() -> None:
    h = make(FakeTavus(max_limit=30))
    ids = _fill(h.fake, 100)
    assert [p["persona_id"] for p in h.client.iter_personas(page_size=100)] == ids
    assert h.fake.count("GET") == 4  # 30 + 30 + 30 + 10


def test_list_without_total_count_stops_on_a_short_page() -> None:
    h = make(FakeTavus(with_total_count=False))
    _fill(h.fake, 150)
    assert len(h.client.list_personas()) == 150
    assert h.fake.count("GET") == 2


def test_list_without_total_count_and_a_clamped_limit() -> None:
    h = make(FakeTavus(with_total_count=False, max_limit=40))
    ids = _fill(h.fake, 100)
    assert [p["persona_id"] for p in h.client.iter_personas(page_size=100)] == ids
    assert h.fake.count("GET") == 3  # 40 + 40 + 20 (short compared with the clamped pages)


def test_list_without_total_count_on_an_exact_multiple_reads_one_empty_page() -> None:
    h = make(FakeTavus(with_total_count=False))
    _fill(h.fake, 200)
    assert len(h.client.list_personas()) == 200
    assert h.fake.count("GET") == 3


def test_list_of_an_empty_account() -> None:
    h = make()
    assert h.client.list_personas() == []
    assert h.fake.count("GET") == 1


def test_list_stops_when_total_count_overstates() -> None:
    pages = {"1": [{"persona_id": "a"}], "2": []}
    h = make(
        handler=lambda r: httpx.Response(200, json={"data": pages[r.url.params["page"]], "total_count": 5})
    )
    assert h.client.list_personas() == [{"persona_id": "a"}]


def test_list_stops_when_the_server_ignores_page() -> None:
    h = make(FakeTavus(ignore_page=True, max_limit=10))
    _fill(h.fake, 25)
    assert len(h.client.list_personas()) == 10  # the same page twice: nothing new, stop
    assert h.fake.count("GET") == 2


def test_list_deduplicates_personas_that_shift_between_pages() -> None:
    pages = {
        "1": [{"persona_id": "a"}, {"persona_id": "b"}],
        "2": [{"persona_id": "b"}, {"persona_id": "c"}],
        "3": [],
    }
    h = make(
        handler=lambda r: httpx.Response(200, json={"data": pages[r.url.params["page"]], "total_count": 3})
    )
    assert [p["persona_id"] for p in h.client.iter_personas(page_size=2)] == ["a", "b", "c"]


def test_list_with_a_bad_body_is_unexpected() -> None:
    h = make(handler=lambda r: httpx.Response(200, json={"items": []}))
    with pytest.raises(UnexpectedResponseError):
        h.client.list_personas()


def test_list_persona_type_none_sends_no_filter() -> None:
    h = make()
    h.fake.add("sys", persona_type="system")
    h.fake.add("mine")
    assert len(h.client.list_personas(persona_type=None)) == 2
    assert "persona_type" not in h.fake.requests[0].url.params


def test_find_by_name_matches_exactly() -> None:
    h = make()
    wanted = h.fake.add("Storyteller")
    h.fake.add("storyteller")
    h.fake.add("Storyteller 2")
    assert [p["persona_id"] for p in h.client.find_by_name("Storyteller")] == [wanted]


# -- PATCH ---------------------------------------------------------------------------------------


def test_patch_body_is_exactly_the_operations_array() -> None:
    h = make()
    pid = h.fake.add("A")
    ops = [{"op": "replace", "path": "/persona_name", "value": "B"}]
    assert h.client.patch(pid, ops) is True
    request = h.fake.requests[0]
    assert request.method == "PATCH"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == ops


def test_patch_304_with_an_empty_body_means_no_change() -> None:
    h = make(handler=lambda r: httpx.Response(304))
    assert h.client.patch("p1", [{"op": "replace", "path": "/context", "value": "same"}]) is False


def test_patch_204_is_a_change() -> None:
    h = make(handler=lambda r: httpx.Response(204))
    assert h.client.patch("p1", [{"op": "remove", "path": "/context"}]) is True


def test_patch_with_no_operations_makes_no_call() -> None:
    h = make()
    assert h.client.patch("p1", []) is False
    assert h.fake.requests == []


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400, json={"error": "Invalid persona_id"}),
        httpx.Response(404, json={"message": "nope"}),
    ],
    ids=["400", "404"],
)
def test_patch_of_a_gone_persona_raises_not_found(response: httpx.Response) -> None:
    h = make(handler=lambda r: response)
    with pytest.raises(PersonaNotFoundError) as info:
        h.client.patch("p1", [{"op": "replace", "path": "/context", "value": "x"}])
    assert isinstance(info.value, InvalidRequestError)
    assert info.value.status == response.status_code


def test_patch_422_is_an_invalid_request_with_tavus_message() -> None:
    h = make(handler=lambda r: httpx.Response(422, json={"message": "Invalid JSON patch format"}))
    with pytest.raises(InvalidRequestError) as info:
        h.client.patch("p1", [{"op": "replace", "path": "/x", "value": 1}])
    assert str(info.value) == "Tavus API error 422 on PATCH /v2/personas/p1: Invalid JSON patch format"
    assert h.sleeps == []


def test_patch_retried_after_a_lost_answer_reports_the_change() -> None:
    h = make()
    pid = h.fake.add("A")
    h.fake.faults["PATCH"] = [lost()]
    # The first attempt applied the change; the retry then hears 304.
    assert h.client.patch(pid, [{"op": "replace", "path": "/context", "value": "new"}]) is True
    assert h.fake.count("PATCH") == 2


# -- DELETE --------------------------------------------------------------------------------------


def test_delete_returns_true_when_deleted() -> None:
    h = make()
    pid = h.fake.add("A")
    assert h.client.delete(pid) is True
    assert pid not in h.fake.personas


@pytest.mark.parametrize(
    "response",
    [httpx.Response(400, json={"error": "Invalid persona_id"}), httpx.Response(404)],
    ids=["400", "404"],
)
def test_delete_of_a_gone_persona_is_false(response: httpx.Response) -> None:
    h = make(handler=lambda r: response)
    assert h.client.delete("p1") is False


def test_delete_retried_after_a_lost_answer_that_then_hears_gone_is_true() -> None:
    h = make()
    pid = h.fake.add("A")
    h.fake.faults["DELETE"] = [lost(httpx.RemoteProtocolError)]
    assert h.client.delete(pid) is True
    assert h.fake.count("DELETE") == 2
    assert [e.reason for e in h.events] == ["RemoteProtocolError"]


def test_delete_other_4xx_raises() -> None:
    h = make(handler=lambda r: httpx.Response(400, json={"error": "Bad Request. persona is in use"}))
    with pytest.raises(InvalidRequestError, match="persona is in use"):
        h.client.delete("p1")


# -- retries -------------------------------------------------------------------------------------


def test_429_honours_retry_after_seconds() -> None:
    h = make()
    pid = h.fake.add("A")
    h.fake.faults["GET"] = [answer(429, {"error": "slow down"}, headers={"Retry-After": "7"})]
    assert h.client.get(pid) is not None
    assert h.sleeps == [7.0]
    assert h.events == [RetryEvent("GET", f"/v2/personas/{pid}", 1, "HTTP 429", 7.0)]


def test_429_honours_retry_after_http_date_against_the_server_date() -> None:
    h = make()
    pid = h.fake.add("A")
    headers = {"Retry-After": "Sun, 30 Nov 2025 08:00:30 GMT", "Date": "Sun, 30 Nov 2025 08:00:00 GMT"}
    h.fake.faults["GET"] = [answer(429, {"error": "x"}, headers=headers)]
    h.client.get(pid)
    assert h.sleeps == [30.0]


def test_retry_after_http_date_without_a_date_header_uses_the_clock() -> None:
    h = make()
    pid = h.fake.add("A")
    when = (NOW + datetime.timedelta(seconds=12)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    h.fake.faults["GET"] = [answer(503, {"error": "x"}, headers={"Retry-After": when})]
    h.client.get(pid)
    assert h.sleeps == [12.0]


def test_retry_after_is_capped() -> None:
    h = make()
    pid = h.fake.add("A")
    h.fake.faults["GET"] = [answer(429, {"error": "x"}, headers={"Retry-After": "3600"})]
    h.client.get(pid)
    assert h.sleeps == [60.0]


def test_unreadable_retry_after_falls_back_to_backoff() -> None:
    h = make(rng=1.0)
    pid = h.fake.add("A")
    h.fake.faults["GET"] = [answer(429, {"error": "x"}, headers={"Retry-After": "soon"})]
    h.client.get(pid)
    assert h.sleeps == [0.5]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_with_jittered_exponential_backoff(status: int) -> None:
    h = make(rng=0.5, max_attempts=6)
    pid = h.fake.add("A")
    h.fake.faults["GET"] = [answer(status, {"error": "x"})] * 5
    assert h.client.get(pid) is not None
    # rng() * min(backoff_max=4, 0.5 * 2**(n-1)) with rng() = 0.5
    assert h.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert [e.attempt for e in h.events] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "exc_type",
    [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ReadError, httpx.PoolTimeout],
)
def test_connection_errors_are_retried(exc_type: type[httpx.RequestError]) -> None:
    h = make()
    pid = h.fake.add("A")
    h.fake.faults["GET"] = [fail(exc_type)]
    assert h.client.get(pid) is not None
    assert [e.reason for e in h.events] == [exc_type.__name__]


@pytest.mark.parametrize(
    ("status", "error_type"), [(429, RateLimitedError), (503, ServerError), (500, ServerError)]
)
def test_gives_up_after_max_attempts_on_status(status: int, error_type: type[TavusAPIError]) -> None:
    h = make(max_attempts=4, handler=lambda r: httpx.Response(status, json={"error": "busy"}))
    with pytest.raises(error_type) as info:
        h.client.delete("p1")
    assert info.value.status == status
    assert len(h.sleeps) == 3


def test_gives_up_after_max_attempts_on_timeouts() -> None:
    h = make(max_attempts=3)
    h.fake.faults["GET"] = [fail(httpx.ReadTimeout, "timed out")] * 3
    with pytest.raises(TavusConnectionError) as info:
        h.client.list_personas()
    error = info.value
    assert (error.method, error.path, error.cause_name, error.attempts) == (
        "GET",
        "/v2/personas",
        "ReadTimeout",
        3,
    )
    assert str(error) == (
        "No answer from Tavus in time on GET /v2/personas (3 attempts): ReadTimeout: timed out"
    )
    assert h.fake.count("GET") == 3


def test_permanent_transport_errors_are_not_retried() -> None:
    h = make()
    h.fake.faults["GET"] = [fail(httpx.UnsupportedProtocol)]
    with pytest.raises(TavusConnectionError, match="UnsupportedProtocol"):
        h.client.get("p1")
    assert h.sleeps == []


@pytest.mark.parametrize(
    ("status", "body", "error_type"),
    [
        (401, {"message": "Invalid access token"}, AuthenticationError),
        (400, {"error": "Bad Request. nope"}, InvalidRequestError),
        (403, {"message": "Forbidden"}, InvalidRequestError),
    ],
)
def test_client_errors_are_not_retried(status: int, body: Any, error_type: type[TavusAPIError]) -> None:
    h = make(handler=lambda r: httpx.Response(status, json=body))
    with pytest.raises(error_type):
        h.client.patch("p1", [{"op": "remove", "path": "/context"}])
    assert h.sleeps == []


def test_redirects_are_not_followed() -> None:
    # Following one would hand x-api-key to whatever host the redirect names.
    h = make(handler=lambda r: httpx.Response(302, headers={"Location": "https://elsewhere.test/"}))
    with pytest.raises(UnexpectedResponseError) as info:
        h.client.get("p1")
    assert info.value.status == 302


# -- POST ----------------------------------------------------------------------------------------

BODY = {"persona_name": "Storyteller", "system_prompt": "Tell stories.", "pipeline_mode": "full"}


def test_create_returns_the_create_response() -> None:
    h = make()
    created = h.client.create(BODY)
    assert set(created) == {"persona_id", "persona_name", "created_at"}
    assert json.loads(h.fake.requests[0].content) == BODY


def test_create_accepts_pal_id() -> None:
    h = make(
        handler=lambda r: httpx.Response(200, json={"pal_id": "p77", "pal_name": "X", "created_at": "t"})
    )
    assert h.client.create(BODY)["persona_id"] == "p77"


@pytest.mark.parametrize(
    "fault",
    [
        lost(httpx.ReadTimeout),
        lost(httpx.RemoteProtocolError),
        lost(httpx.WriteTimeout),
        answer(502, {"error": "bad gateway"}, processed=True),
    ],
    ids=["ReadTimeout", "RemoteProtocolError", "WriteTimeout", "502-after-create"],
)
def test_ambiguous_create_that_took_effect_is_adopted(fault: Fault) -> None:
    h = make()
    h.fake.add("Storyteller", created_at=iso(NOW - datetime.timedelta(days=30)))  # an older namesake
    h.fake.faults["POST"] = [fault]
    created = h.client.create(BODY)
    assert h.fake.count("POST") == 1
    assert created["adopted_after_ambiguous_create"] is True
    assert created["persona_id"] in h.fake.personas
    assert created["created_at"] == iso(NOW)
    assert len(h.fake.personas) == 2


def test_ambiguous_create_that_did_not_take_effect_is_resent() -> None:
    h = make()
    h.fake.faults["POST"] = [fail(httpx.ReadTimeout), answer(503, {"error": "down"})]
    created = h.client.create(BODY)
    assert "adopted_after_ambiguous_create" not in created
    assert h.fake.count("POST") == 3
    assert h.fake.count("GET") == 2  # one lookup per ambiguous failure
    assert len(h.fake.personas) == 1
    assert [e.reason for e in h.events] == [
        "ReadTimeout (looking for the persona by name)",
        "HTTP 503 (looking for the persona by name)",
    ]


def test_an_old_namesake_is_not_adopted() -> None:
    h = make()
    old = h.fake.add("Storyteller", created_at=iso(NOW - datetime.timedelta(minutes=11)))
    h.fake.faults["POST"] = [fail(httpx.ReadTimeout)]
    created = h.client.create(BODY)
    assert created["persona_id"] != old
    assert h.fake.count("POST") == 2


def test_the_newest_recent_namesake_is_adopted() -> None:
    h = make()
    h.fake.add("Storyteller", created_at=iso(NOW - datetime.timedelta(minutes=9)))
    newest = h.fake.add("Storyteller", created_at="Sun, 30 Nov 2026 12:00:01 GMT")
    h.fake.faults["POST"] = [fail(httpx.ReadTimeout)]
    assert h.client.create(BODY)["persona_id"] == newest
    assert h.fake.count("POST") == 1


@pytest.mark.parametrize(
    "fault",
    [
        answer(429, {"error": "slow"}, headers={"Retry-After": "2"}),
        fail(httpx.ConnectError),
        fail(httpx.ConnectTimeout),
        fail(httpx.PoolTimeout),
    ],
    ids=["429", "ConnectError", "ConnectTimeout", "PoolTimeout"],
)
def test_create_is_resent_without_lookup_when_nothing_was_sent(fault: Fault) -> None:
    h = make()
    h.fake.faults["POST"] = [fault]
    h.client.create(BODY)
    assert h.fake.count("POST") == 2
    assert h.fake.count("GET") == 0
    assert len(h.fake.personas) == 1


def test_create_429_honours_retry_after() -> None:
    h = make()
    h.fake.faults["POST"] = [answer(429, {"error": "slow"}, headers={"Retry-After": "2"})]
    h.client.create(BODY)
    assert h.sleeps == [2.0]


def test_create_gives_up_with_rate_limited_after_max_attempts() -> None:
    h = make(max_attempts=3)
    h.fake.faults["POST"] = [answer(429, {"error": "slow"})] * 3
    with pytest.raises(RateLimitedError):
        h.client.create(BODY)
    assert h.fake.count("POST") == 3


def test_create_is_ambiguous_when_the_lookup_keeps_failing() -> None:
    h = make(max_attempts=3)
    h.fake.faults["POST"] = [lost()]
    h.fake.faults["GET"] = [answer(503, {"error": "down"})] * 3
    with pytest.raises(AmbiguousCreateError) as info:
        h.client.create(BODY)
    assert h.fake.count("POST") == 1
    assert info.value.persona_name == "Storyteller"
    assert "ReadTimeout" in str(info.value) and "503" in str(info.value)


def test_create_is_ambiguous_when_a_namesake_has_no_created_at() -> None:
    h = make()
    h.fake.add("Storyteller", created_at="")
    h.fake.faults["POST"] = [fail(httpx.ReadTimeout)]
    with pytest.raises(AmbiguousCreateError, match="no readable created_at"):
        h.client.create(BODY)
    assert h.fake.count("POST") == 1


def test_create_without_a_name_is_ambiguous_rather_than_resent() -> None:
    h = make()
    h.fake.faults["POST"] = [fail(httpx.ReadTimeout)]
    with pytest.raises(AmbiguousCreateError, match="no persona_name"):
        h.client.create({"system_prompt": "x"})
    assert h.fake.count("POST") == 1


def test_create_that_never_takes_effect_raises_the_last_failure() -> None:
    h = make(max_attempts=3)
    h.fake.faults["POST"] = [answer(500, {"error": "Internal"})] * 3
    with pytest.raises(ServerError, match="Internal"):
        h.client.create(BODY)
    assert h.fake.count("POST") == 3
    assert h.fake.personas == {}


def test_create_2xx_without_an_id_is_resolved_by_name() -> None:
    h = make()
    h.fake.faults["POST"] = [lambda fake, request: (fake.serve(request), httpx.Response(200, text="OK"))[1]]
    created = h.client.create(BODY)
    assert created["adopted_after_ambiguous_create"] is True
    assert h.fake.count("POST") == 1


def test_create_validation_error_is_not_retried() -> None:
    error = "Bad Request. {'default_face_id': ['default_face_id is required when creating a pal.']}"
    h = make(handler=lambda r: httpx.Response(400, json={"error": error}))
    with pytest.raises(InvalidRequestError) as info:
        h.client.create(BODY)
    assert str(info.value) == f"Tavus API error 400 on POST /v2/personas: {error}"
    assert h.sleeps == []


# -- error messages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(400, json={"error": "Bad Request. Please ensure x"}), "Bad Request. Please ensure x"),
        (httpx.Response(401, json={"message": "Invalid access token"}), "Invalid access token"),
        (httpx.Response(400, json={"message": "Bad Request", "error": "detail"}), "Bad Request (detail)"),
        (httpx.Response(400, json={"error": {"field": ["bad"]}}), '{"field": ["bad"]}'),
        (httpx.Response(400, json={"detail": "other"}), '{"detail":"other"}'),
        (httpx.Response(400, text="plain failure"), "plain failure"),
        (httpx.Response(400), "Bad Request"),
    ],
    ids=["error-key", "message-key", "both-keys", "non-string", "no-known-key", "raw-text", "empty"],
)
def test_error_message_carries_tavus_message(response: httpx.Response, message: str) -> None:
    h = make(handler=lambda r: response)
    with pytest.raises(TavusAPIError) as info:
        h.client.patch("p1234567890a", [{"op": "remove", "path": "/context"}])
    error = info.value
    assert (error.status, error.method, error.path, error.message) == (
        response.status_code,
        "PATCH",
        "/v2/personas/p1234567890a",
        message,
    )
    assert (
        str(error) == f"Tavus API error {response.status_code} on PATCH /v2/personas/p1234567890a: {message}"
    )


def test_raw_text_is_truncated_to_500_characters() -> None:
    h = make(handler=lambda r: httpx.Response(400, text="x" * 2000))
    with pytest.raises(InvalidRequestError) as info:
        h.client.get("p1")
    assert info.value.message == "x" * 500 + " [truncated]"


# -- secrets -------------------------------------------------------------------------------------

SECRET_BODY = {
    "persona_name": "Secretive",
    "system_prompt": "x",
    "layers": {
        "llm": {
            "model": "my-model",
            "base_url": "https://llm.test/v1",
            "api_key": LLM_KEY,
            "headers": {"Authorization": f"Bearer {HEADER_TOKEN}"},
        }
    },
}
SECRETS = (API_KEY, LLM_KEY, HEADER_TOKEN)


def _echo(status: int) -> Callable[[httpx.Request], httpx.Response]:
    """An error answer that quotes everything it was sent: headers and body, as JSON and as text."""

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = f"{dict(request.headers)!r} {request.content.decode()}"
        return httpx.Response(status, json={"error": echoed, "message": f"key={API_KEY}"})

    return handler


def _raise_echo(exc_type: type[httpx.RequestError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(
            f"failed sending {dict(request.headers)!r} {request.content.decode()}", request=request
        )

    return handler


def _errors_of_every_type() -> list[TavusPersonasError]:
    """Provoke each exception type through the client, with Tavus echoing every secret."""
    cases: list[tuple[Callable[[httpx.Request], httpx.Response], Callable[[TavusClient], Any]]] = [
        (_echo(401), lambda c: c.create(SECRET_BODY)),
        (_echo(429), lambda c: c.create(SECRET_BODY)),
        (
            _echo(500),
            lambda c: c.patch("p1", [{"op": "replace", "path": "/layers/llm/api_key", "value": LLM_KEY}]),
        ),
        (
            _echo(422),
            lambda c: c.patch("p1", [{"op": "replace", "path": "/layers/llm", "value": SECRET_BODY}]),
        ),
        (
            lambda r: httpx.Response(404, json={"error": f"no persona; key {API_KEY}"}),
            lambda c: c.patch("p1", [{"op": "remove", "path": "/context"}]),
        ),
        (_echo(200), lambda c: c.get("p1")),  # a 2xx without JSON-object semantics
        (lambda r: httpx.Response(200, text=f"<html>{API_KEY}</html>"), lambda c: c.get("p1")),
        (_raise_echo(httpx.ReadTimeout), lambda c: c.delete("p1")),
        (_raise_echo(httpx.ConnectError), lambda c: c.create(SECRET_BODY)),
        (_raise_echo(httpx.ReadTimeout), lambda c: c.create(SECRET_BODY)),  # lookup fails → ambiguous
        (_raise_echo(httpx.UnsupportedProtocol), lambda c: c.list_personas()),
    ]
    errors: list[TavusPersonasError] = []
    for handler, call in cases:
        client = make(handler=handler, max_attempts=2).client
        try:
            call(client)
        except TavusPersonasError as error:
            errors.append(error)
    return errors


def test_every_error_type_is_provoked() -> None:
    kinds = {type(e) for e in _errors_of_every_type()}
    assert kinds >= {
        AuthenticationError,
        RateLimitedError,
        ServerError,
        InvalidRequestError,
        PersonaNotFoundError,
        UnexpectedResponseError,
        TavusConnectionError,
        AmbiguousCreateError,
    }


def test_no_secret_in_str_repr_attributes_or_traceback() -> None:
    for error in _errors_of_every_type():
        rendered = [str(error), repr(error), "".join(traceback.format_exception(error)), repr(vars(error))]
        for text in rendered:
            for secret in SECRETS:
                assert secret not in text, f"{type(error).__name__} leaks {secret}: {text}"


def test_echoed_secrets_are_replaced_by_a_marker() -> None:
    h = make(handler=_echo(400))
    with pytest.raises(InvalidRequestError) as info:
        h.client.create(SECRET_BODY)
    assert info.value.message.startswith("key=[redacted] (")
    assert "'x-api-key': '[redacted]'" in info.value.message
    assert '"api_key":"[redacted]"' in info.value.message
    assert '"Authorization":"[redacted]"' in info.value.message


def test_a_bearer_token_quoted_alone_is_redacted() -> None:
    h = make(handler=lambda r: httpx.Response(400, json={"error": f"token {HEADER_TOKEN} rejected"}))
    with pytest.raises(InvalidRequestError) as info:
        h.client.create(SECRET_BODY)
    assert info.value.message == "token [redacted] rejected"


def test_errors_do_not_chain_httpx_exceptions() -> None:
    for error in _errors_of_every_type():
        # Not even a suppressed context: the httpx exception's request holds the x-api-key header.
        assert error.__cause__ is None and error.__context__ is None, type(error).__name__


def test_client_repr_and_pickling_do_not_expose_the_key() -> None:
    client = make().client
    assert API_KEY not in repr(client)
    assert repr(client) == "TavusClient(base_url='https://tavus.test', path_prefix='/v2/personas')"
    with pytest.raises(TypeError):
        pickle.dumps(client)


def test_retry_events_carry_no_secret() -> None:
    h = make(handler=_raise_echo(httpx.ReadError), max_attempts=3)
    with pytest.raises(TavusConnectionError):
        h.client.get("p1")
    assert API_KEY not in repr(h.events)
    assert [e.reason for e in h.events] == ["ReadError", "ReadError"]


# -- headers, configuration ----------------------------------------------------------------------


def test_every_request_carries_key_user_agent_and_timeouts() -> None:
    h = make()
    pid = h.fake.add("A")
    h.client.get(pid)
    h.client.list_personas()
    h.client.patch(pid, [{"op": "replace", "path": "/context", "value": "c"}])
    h.client.delete(pid)
    h.client.create(BODY)
    assert len(h.fake.requests) == 5
    for request in h.fake.requests:
        assert request.headers["x-api-key"] == API_KEY
        assert request.headers["user-agent"] == USER_AGENT
        assert USER_AGENT.startswith("tavus-personas/")
        assert request.extensions["timeout"] == {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}


def test_path_prefix_is_configurable_for_pals() -> None:
    fake = FakeTavus(prefix="/v2/pals")
    h = make(fake)
    created = h.client.create(BODY)
    pid = created["persona_id"]
    assert h.client.get(pid) is not None
    assert h.client.patch(pid, [{"op": "replace", "path": "/context", "value": "c"}]) is True
    h.client.list_personas()
    assert h.client.delete(pid) is True
    assert {r.url.path for r in fake.requests} == {"/v2/pals", f"/v2/pals/{pid}"}
    listing = next(r for r in fake.requests if r.method == "GET" and r.url.path == "/v2/pals")
    assert dict(listing.url.params) == {"limit": "100", "page": "1", "pal_type": "user"}


@pytest.mark.parametrize(("seconds", "connect"), [(2.5, 2.5), (60.0, 10.0)])
def test_from_settings_honours_every_setting(seconds: float, connect: float) -> None:
    """Drift and export once built their client by hand and dropped tavus:timeoutSeconds."""
    fake = FakeTavus(prefix="/v2/pals")
    settings = ProviderSettings(
        api_key=API_KEY, base_url="https://tavus.test", path_prefix="/v2/pals", timeout_seconds=seconds
    )
    with TavusClient.from_settings(settings, transport=httpx.MockTransport(fake.handle)) as client:
        client.list_personas()
    (request,) = fake.requests
    assert str(request.url).startswith("https://tavus.test/v2/pals?")
    assert request.headers["x-api-key"] == API_KEY
    waits = {"connect": connect, "read": seconds, "write": seconds, "pool": seconds}
    assert request.extensions["timeout"] == waits


def test_from_settings_without_a_key_says_how_to_set_one() -> None:
    with pytest.raises(MissingApiKeyError, match="pulumi config set --secret tavus:apiKey"):
        TavusClient.from_settings(ProviderSettings())


@pytest.mark.parametrize("base_url", ["tavusapi.com", "ftp://tavusapi.com", ""])
def test_bad_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError):
        TavusClient(API_KEY, base_url)


@pytest.mark.parametrize("api_key", ["", "   ", "key\nwith-newline-inside\nx"])
def test_bad_api_key_is_refused_without_echoing_it(api_key: str) -> None:
    with pytest.raises(ValueError) as info:
        TavusClient(api_key)
    assert api_key.strip() == "" or api_key not in str(info.value)


def test_api_key_surrounding_whitespace_is_stripped() -> None:
    h = make()
    client = TavusClient(f" {API_KEY}\n", "https://tavus.test", transport=httpx.MockTransport(h.fake.handle))
    client.list_personas()
    assert h.fake.requests[0].headers["x-api-key"] == API_KEY


def test_context_manager_closes_the_client() -> None:
    with make().client as client:
        pass
    with pytest.raises(RuntimeError):
        client.list_personas()


def test_concurrent_use_from_four_threads() -> None:
    h = make()
    ids = _fill(h.fake, 40)
    results: list[Any] = []
    lock = threading.Lock()

    def work(chunk: list[str]) -> None:
        for pid in chunk:
            got = h.client.get(pid)
            with lock:
                results.append(got)

    threads = [threading.Thread(target=work, args=(ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["persona_id"] for r in results) == ids


def test_retry_policy_is_validated() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_base=-1)
