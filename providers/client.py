"""HTTP client for the Tavus API: personas (``/v2/personas``, or ``/v2/pals`` after the rename) and
the collections personas point at (objectives, guardrails, documents, dictionaries).

One :class:`TavusClient` per provider process: it owns one pooled ``httpx.Client``, is safe to use
from several threads, retries what is safe to retry, and raises only the exceptions documented in
:mod:`providers.errors`, none of which ever contains the api key or a secret value it sent. It talks
to one collection (an :class:`~providers.endpoints.Endpoint`, personas by default);
``client.at(endpoint)`` gives a client for another collection sharing the same connection pool.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NoReturn
from urllib.parse import quote

import httpx

from providers._http.redact import Redactor, collect_patch_secrets, collect_secrets, redact
from providers._http.response import (
    api_error,
    error_message,
    is_gone,
    json_body,
    parse_timestamp,
    truncate,
    unwrap_item,
)
from providers._http.retry import (
    NOT_SENT_ERRORS,
    PERMANENT_ERRORS,
    RETRYABLE_STATUSES,
    RetryEvent,
    RetryPolicy,
    parse_retry_after,
)
from providers.endpoints import Endpoint, persona_endpoint
from providers.errors import (
    AmbiguousCreateError,
    DraftConflictError,
    TavusConnectionError,
    TavusPersonasError,
    UnexpectedResponseError,
)
from providers.settings import DEFAULT_TIMEOUT_SECONDS, ProviderSettings

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "RetryEvent",
    "RetryPolicy",
    "TavusClient",
    "collect_patch_secrets",
    "collect_secrets",
    "http_timeout",
    "redact",
]

__version__ = "0.1.0"
USER_AGENT = f"tavus-personas/{__version__}"
# Connecting is quick or hopeless: never wait longer for it than for a response.
CONNECT_TIMEOUT_SECONDS = 10.0


def http_timeout(seconds: float) -> httpx.Timeout:
    """The httpx timeout for `tavus:timeoutSeconds`: `seconds` per response, at most 10 s to connect."""
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT_SECONDS))


DEFAULT_TIMEOUT = http_timeout(DEFAULT_TIMEOUT_SECONDS)
DEFAULT_RETRY = RetryPolicy()
# A persona found by name after an ambiguous POST counts as ours if created no earlier than the
# create call's start minus this allowance for skew between our clock and Tavus's.
CREATE_CLOCK_SKEW = 600.0


@dataclass(frozen=True)
class _Failure:
    """A request that got no HTTP answer. Holds redacted text only, never the httpx exception
    (its ``.request`` carries the x-api-key header)."""

    cause_name: str
    detail: str
    sent: bool  # False only when the request certainly never reached Tavus
    permanent: bool  # another attempt cannot help (e.g. unsupported URL scheme)


_Outcome = httpx.Response | _Failure


class _PostOutcome(enum.Enum):
    SAFE_TO_RESEND = "safe"  # 429, or the request never left this machine
    AMBIGUOUS = "ambiguous"  # it may or may not have created a persona
    FATAL = "fatal"  # refused for good (4xx, permanent transport problem)


class TavusClient:
    """Tavus persona API client. See the module docstring; methods document their own contract.

    ``sleep``, ``rng`` and ``clock`` are injectable for tests. ``clock`` is a *wall* clock (epoch
    seconds): it is compared with server times (``Retry-After`` dates, ``created_at``).
    ``on_retry`` is the client's only output channel: it logs nothing itself.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://tavusapi.com",
        path_prefix: str = "/v2/personas",
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> None:
        key = _check_api_key(api_key)
        self._base_url = _check_base_url(base_url)
        self._endpoint = persona_endpoint(_check_prefix(path_prefix))
        self._prefix = self._endpoint.path
        self._retry = retry
        self._sleep = sleep
        self._rng = rng
        self._clock = clock
        self._on_retry = on_retry
        self._redact = Redactor({api_key, key})
        # Redirects are not followed: httpx would forward x-api-key to whatever host a 3xx names.
        self._http = httpx.Client(
            base_url=self._base_url,
            headers={"x-api-key": key, "user-agent": USER_AGENT, "accept": "application/json"},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    @classmethod
    def from_settings(cls, settings: ProviderSettings, **overrides: Any) -> TavusClient:
        """The client that a stack's settings describe: key, base URL, path prefix and timeout.

        The one way from settings to a client, for the provider and every CLI command, so that a
        setting cannot be honoured by one and ignored by another. ``overrides`` are constructor
        keywords (``transport``, ``retry``, ``on_retry``...). Raises MissingApiKeyError without a key.
        """
        arguments: dict[str, Any] = {
            "base_url": settings.base_url,
            "path_prefix": settings.path_prefix,
            "timeout": http_timeout(settings.timeout_seconds),
        }
        arguments.update(overrides)
        return cls(settings.require_api_key(), **arguments)

    # -- lifecycle -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"TavusClient(base_url={self._base_url!r}, path_prefix={self._prefix!r})"

    def at(self, endpoint: Endpoint) -> TavusClient:
        """A client for another collection, sharing this one's connections, retries and redactor."""
        other = object.__new__(TavusClient)  # not copy.copy: that goes through __getstate__
        other.__dict__.update(self.__dict__)
        other._endpoint = endpoint
        other._prefix = _check_prefix(endpoint.path)
        return other

    @property
    def endpoint(self) -> Endpoint:
        return self._endpoint

    def __getstate__(self) -> NoReturn:
        # A pickled client would carry the api key into Pulumi state (dynamic providers are pickled).
        raise TypeError("TavusClient holds credentials and cannot be pickled; create it at call time")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TavusClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reads ---------------------------------------------------------------------------------

    def get(self, persona_id: str) -> dict[str, Any] | None:
        """The item, or None when it is gone (400 "Invalid persona_id", 404, ``{"data": []}``).

        Accepts the shapes seen for these endpoints: the object itself (live behaviour),
        ``{"data": [object]}`` and ``{"data": object}`` (documented).
        """
        path = self._item_path(persona_id)
        response, _ = self._send("GET", path)
        if is_gone(response, self._endpoint):
            return None
        body = self._success_json(response, "GET", path)
        try:
            return unwrap_item(body, persona_id, self._endpoint)
        except ValueError as exc:
            problem = str(exc)
        raise UnexpectedResponseError(response.status_code, "GET", path, f"unexpected body shape: {problem}")

    def iter_personas(
        self, persona_type: str | None = "user", page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every persona of ``persona_type`` (None: all); see ``iter_items``."""
        params = {key: persona_type for key in self._endpoint.list_params} if persona_type else {}
        return self._iter(params, page_size)

    def iter_items(self, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every item of the collection (personas: the user's own), paging through
        ``GET {prefix}?limit=&page=`` plus the endpoint's list parameters.

        Stops on an empty page, once ``total_count`` distinct personas were seen, or (without
        ``total_count``) on a page shorter than the longest page so far. That last rule tolerates a
        server that clamps ``limit``: a clamped page is short compared with ``page_size`` but not
        with its predecessors. Personas repeated across pages (the list shifted while paging, or the
        server ignores ``page``) are yielded once; a page with nothing new ends the walk.
        """
        return self._iter(dict(self._endpoint.list_params), page_size)

    def _iter(self, params: dict[str, str], page_size: int) -> Iterator[dict[str, Any]]:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        seen: set[Any] = set()
        longest = 0
        page = 1
        while True:
            data, total = self._list_page(page, page_size, params)
            fresh = [item for item in data if self._identity(item) not in seen]
            seen.update(self._identity(item) for item in fresh)
            yield from fresh
            longest = max(longest, len(data))
            if not fresh or _is_last_page(len(data), longest, len(seen), total):
                return
            page += 1

    def list_personas(self, persona_type: str | None = "user") -> list[dict[str, Any]]:
        return list(self.iter_personas(persona_type))

    def list_items(self) -> list[dict[str, Any]]:
        return list(self.iter_items())

    def find_by_name(self, persona_name: str) -> list[dict[str, Any]]:
        """Items whose name field (personas: ``persona_name`` or ``pal_name``) equals ``persona_name``."""
        return [p for p in self.iter_items() if self._endpoint.name_of(p) == persona_name]

    def find_same(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Items that are what ``body`` would create: same name, or (unnamed kinds) same content."""
        return self._endpoint.like(self.iter_items(), body)

    # -- writes --------------------------------------------------------------------------------

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST a new item; return the create response, always with the id field (``persona_id``).

        What follows says "persona" and ``persona_name``; for another collection read its item and
        its name field (``Endpoint.name_field``), or, for kinds without a name (objectives), an
        item whose content ``Endpoint.same_item`` recognises.

        A POST is not idempotent (Tavus has no idempotency key), so it is never re-sent blindly:

        - 429, and failures before the request left this machine (ConnectError, ConnectTimeout,
          PoolTimeout), prove nothing was created: re-sent with backoff.
        - A failure after sending (ReadTimeout, WriteTimeout, ReadError, RemoteProtocolError...), a
          5xx, or a 2xx without a persona id is AMBIGUOUS: Tavus may have created the persona. The
          client waits one backoff delay (giving a slow in-flight request time to land), then lists
          personas with the same ``persona_name``. It cannot know which ones existed before (taking
          that snapshot up front would cost a full listing on every create), so a match counts as
          ours when its ``created_at`` is no older than this call's start minus a 10-minute
          clock-skew allowance; the newest such match is adopted and returned with
          ``"adopted_after_ambiguous_create": True``. No match means the POST did not take effect,
          so it is re-sent (counting as an attempt).
        - When the lookup itself fails, the body has no ``persona_name``, or a same-name persona has
          no readable ``created_at``, the outcome cannot be determined: AmbiguousCreateError, rather
          than risk a duplicate.

        Residual risks: a same-name persona created by someone else within that window is adopted
        (``persona_name`` is unique per stack, a rule of the persona files, to make this unlikely); and a POST
        that lands at Tavus only after its lookup ran can still duplicate (the wait before the
        lookup narrows that window; it cannot close it without an idempotency key).
        """
        self._redact.add(collect_secrets(body))
        started = self._clock()
        path = self._prefix
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt("POST", path, json=body)
            created = _created_item(outcome, self._endpoint)
            if created is not None:
                return created
            kind = _classify_post(outcome)
            last = attempt >= self._retry.max_attempts
            if kind is _PostOutcome.FATAL:
                raise self._final_error("POST", path, outcome, attempt)
            if kind is _PostOutcome.AMBIGUOUS:
                self._pause("POST", path, attempt, outcome, note=self._lookup_note())
                adopted = self._find_created(body, started, outcome, path)
                if adopted is not None:
                    return adopted
            if last:
                raise self._final_error("POST", path, outcome, attempt)
            if kind is _PostOutcome.SAFE_TO_RESEND:
                self._pause("POST", path, attempt, outcome)

    def patch(self, persona_id: str, operations: list[dict[str, Any]], *, force: bool = False) -> bool:
        """Apply a JSON Patch (the body is exactly ``operations``). True if the persona changed.

        200/204 → True; 304 → False ("No changes were made"; its body is ignored, it may be empty).
        Retried like GET: the provider sends leaf operations, which re-applied give the same
        document. If an earlier attempt may have been applied (lost answer, 5xx) and the retry then
        answers 304, True is returned: the change most likely came from that earlier attempt.
        An empty ``operations`` list returns False without calling Tavus.
        Raises PersonaNotFoundError when the persona is gone, and DraftConflictError on 409 (someone
        holds unpublished edits in Tavus's web editor); ``force`` sends ``?force=true``, which
        overwrites such a draft.
        """
        if not operations:
            return False
        self._redact.add(collect_patch_secrets(operations))
        return self._write("PATCH", persona_id, operations, force=force)

    def update_fields(self, item_id: str, fields: dict[str, Any]) -> bool:
        """A plain-body PATCH (documents: ``{document_name, tags}``). True if the item changed."""
        self._redact.add(collect_secrets(fields))
        return self._write("PATCH", item_id, fields)

    def post_action(self, item_id: str, action: str) -> dict[str, Any]:
        """POST ``<item>/<action>`` (a document's ``recrawl``); return the item Tavus answers with.

        Retried like a PATCH: re-sending an action that already started meets only its cooldown.
        A 429 that asks to wait longer than the client ever waits (``max_retry_after``) is such a
        cooldown, not congestion: it is raised at once (RateLimitedError with Tavus's message).
        """
        path = f"{self._item_path(item_id)}/{action}"
        response, _ = self._send("POST", path, give_up=self._is_cooldown)
        if not response.is_success:
            raise api_error(response, "POST", path, self._redact, endpoint=self._endpoint)
        body = self._success_json(response, "POST", path)
        return body if isinstance(body, dict) else {}

    def _is_cooldown(self, response: httpx.Response) -> bool:
        wait = parse_retry_after(response, self._clock()) if response.status_code == 429 else None
        return wait is not None and wait > self._retry.max_retry_after

    def _write(self, method: str, item_id: str, body: Any, *, force: bool = False) -> bool:
        path = self._item_path(item_id)
        params: dict[str, str | int] | None = {"force": "true"} if force else None
        response, possibly_applied = self._send(method, path, params=params, json=body)
        if response.status_code == 304:
            return possibly_applied
        if response.is_success:
            return True
        if response.status_code == 409:
            raise DraftConflictError(409, method, self._redact(path), error_message(response, self._redact))
        raise api_error(response, method, path, self._redact, endpoint=self._endpoint)

    def delete(self, persona_id: str) -> bool:
        """Delete the persona. True when deleted; False when it was already gone.

        Both are success for callers. After a lost answer, a retry that hears "gone" returns True:
        the earlier attempt is what deleted it.
        """
        path = self._item_path(persona_id)
        response, possibly_applied = self._send("DELETE", path)
        if response.is_success:
            return True
        if is_gone(response, self._endpoint):
            return possibly_applied
        raise api_error(response, "DELETE", path, self._redact, endpoint=self._endpoint)

    # -- request machinery ---------------------------------------------------------------------

    def _item_path(self, persona_id: str) -> str:
        if not isinstance(persona_id, str) or not persona_id:
            raise ValueError(f"{self._endpoint.id_field} must be a non-empty string")
        # Quoted so that an id can never address another path ("../", "?", "#").
        return f"{self._prefix}/{quote(persona_id, safe='')}"

    def _list_page(
        self, page: int, page_size: int, filters: dict[str, str]
    ) -> tuple[list[dict[str, Any]], int | None]:
        params: dict[str, str | int] = {"limit": page_size, "page": page, **filters}
        path = self._prefix
        response, _ = self._send("GET", path, params=params)
        body = self._success_json(response, "GET", path, item=False)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise UnexpectedResponseError(
                response.status_code, "GET", path, 'expected {"data": [...], "total_count": N}'
            )
        personas = [self._endpoint.normalise(item) for item in data if isinstance(item, dict)]
        return personas, _as_int(body.get("total_count"))

    def _success_json(self, response: httpx.Response, method: str, path: str, *, item: bool = True) -> Any:
        if not response.is_success:
            raise api_error(response, method, path, self._redact, item=item, endpoint=self._endpoint)
        return json_body(response, method, path, self._redact)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
        give_up: Callable[[httpx.Response], bool] | None = None,
    ) -> tuple[httpx.Response, bool]:
        """Send an idempotent request with retries.

        Returns the first non-retryable response (or retryable one that `give_up` accepts) and
        whether an earlier attempt may have taken effect unanswered (a 5xx, or a failure after
        sending). Raises once attempts run out.
        """
        possibly_applied = False
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, path, params=params, json=json)
            if isinstance(outcome, httpx.Response) and (
                outcome.status_code not in RETRYABLE_STATUSES or (give_up is not None and give_up(outcome))
            ):
                return outcome, possibly_applied
            if attempt >= self._retry.max_attempts or (isinstance(outcome, _Failure) and outcome.permanent):
                raise self._final_error(method, path, outcome, attempt)
            possibly_applied = possibly_applied or _may_have_taken_effect(outcome)
            self._pause(method, path, attempt, outcome)

    def _attempt(
        self, method: str, path: str, *, params: dict[str, str | int] | None = None, json: Any = None
    ) -> _Outcome:
        try:
            return self._http.request(method, path, params=params, json=json)
        except httpx.RequestError as exc:
            # Converted here and raised later, outside this block, so nothing chains to `exc`.
            return _Failure(
                cause_name=type(exc).__name__,
                detail=truncate(self._redact(str(exc))),
                sent=not isinstance(exc, NOT_SENT_ERRORS),
                permanent=isinstance(exc, PERMANENT_ERRORS),
            )

    def _pause(self, method: str, path: str, attempt: int, outcome: _Outcome, note: str = "") -> None:
        response = outcome if isinstance(outcome, httpx.Response) else None
        delay = self._retry.delay(attempt, response, self._rng, self._clock())
        if self._on_retry is not None:
            self._on_retry(RetryEvent(method, self._redact(path), attempt, _reason(outcome) + note, delay))
        self._sleep(delay)

    def _final_error(self, method: str, path: str, outcome: _Outcome, attempts: int) -> TavusPersonasError:
        if isinstance(outcome, httpx.Response):
            return api_error(outcome, method, path, self._redact, endpoint=self._endpoint)
        return TavusConnectionError(method, self._redact(path), outcome.cause_name, outcome.detail, attempts)

    def _lookup_note(self) -> str:
        how = "by name" if self._endpoint.name_field else "by content"
        return f" (looking for the {self._endpoint.label} {how})"

    def _identity(self, item: dict[str, Any]) -> Any:
        # Items without an id cannot be deduplicated; their object identity keeps them all.
        return item.get(self._endpoint.id_field) or id(item)

    def _find_created(
        self, body: dict[str, Any], started: float, outcome: _Outcome, path: str
    ) -> dict[str, Any] | None:
        """The item an ambiguous POST created, None if it created none; see ``create``."""
        cause = f"the POST failed after it was sent ({_reason(outcome)})"
        endpoint = self._endpoint
        name = endpoint.name_of(body)
        if name is None and endpoint.same_item is None:
            missing = f"{cause} and the body has no {endpoint.name_field}"
            raise AmbiguousCreateError("POST", path, None, missing)
        name = name or f"(an unnamed {endpoint.label})"
        lookup_error = None
        try:
            matches = self.find_same(body)
        except TavusPersonasError as exc:
            lookup_error = str(exc)
        if lookup_error is not None:
            reason = f"{cause} and looking it up by name failed: {lookup_error}"
            raise AmbiguousCreateError("POST", path, name, reason)
        return self._pick_created(matches, name, started, cause, path)

    def _pick_created(
        self, matches: list[dict[str, Any]], name: str, started: float, cause: str, path: str
    ) -> dict[str, Any] | None:
        dated = [(parse_timestamp(m.get("created_at")), m) for m in matches]
        fresh = [(t, m) for t, m in dated if t is not None and t >= started - CREATE_CLOCK_SKEW]
        if fresh:
            newest = max(fresh, key=lambda pair: pair[0])[1]
            return {**newest, "adopted_after_ambiguous_create": True}
        undated = [str(m.get(self._endpoint.id_field)) for t, m in dated if t is None]
        if undated:
            what = f"{self._endpoint.label}s like it"
            reason = f"{cause}; {what} have no readable created_at: {', '.join(undated)}"
            raise AmbiguousCreateError("POST", path, name, self._redact(reason))
        return None


# -- pure helpers ------------------------------------------------------------------------------


def _check_api_key(api_key: str) -> str:
    if not isinstance(api_key, str) or not api_key.strip():
        raise ValueError("api_key is empty")
    key = api_key.strip()  # a trailing newline from a file or an env var is a common accident
    if not key.isascii() or not key.isprintable():
        raise ValueError("api_key contains characters that cannot be sent in an HTTP header")
    return key


def _check_base_url(base_url: str) -> str:
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    return base_url.rstrip("/")


def _check_prefix(path_prefix: str) -> str:
    prefix = "/" + path_prefix.strip("/")
    if prefix == "/":
        raise ValueError("path_prefix must name the collection, e.g. '/v2/personas'")
    return prefix


def _is_last_page(received: int, longest: int, seen: int, total: int | None) -> bool:
    if total is not None:
        return seen >= total
    return received < longest


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _reason(outcome: _Outcome) -> str:
    return f"HTTP {outcome.status_code}" if isinstance(outcome, httpx.Response) else outcome.cause_name


def _may_have_taken_effect(outcome: _Outcome) -> bool:
    if isinstance(outcome, httpx.Response):
        return outcome.status_code >= 500
    return outcome.sent


def _classify_post(outcome: _Outcome) -> _PostOutcome:
    if isinstance(outcome, _Failure):
        if outcome.permanent:
            return _PostOutcome.FATAL
        return _PostOutcome.AMBIGUOUS if outcome.sent else _PostOutcome.SAFE_TO_RESEND
    if outcome.status_code == 429:
        return _PostOutcome.SAFE_TO_RESEND
    if outcome.status_code >= 500 or outcome.is_success:
        return _PostOutcome.AMBIGUOUS
    return _PostOutcome.FATAL


def _created_item(outcome: _Outcome, endpoint: Endpoint) -> dict[str, Any] | None:
    """The normalised create response, or None unless this is a 2xx naming the new item."""
    if not isinstance(outcome, httpx.Response) or not outcome.is_success:
        return None
    try:
        body = outcome.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    created = endpoint.normalise(body)
    item_id = created.get(endpoint.id_field)
    return created if isinstance(item_id, str) and item_id else None
