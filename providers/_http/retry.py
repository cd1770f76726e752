"""Retry policy: which failures are retried, and how long to wait before the next attempt."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from providers._http.dates import parse_http_date

# Statuses worth another attempt for idempotent calls. 500 is included: a persona PATCH of leaf
# operations re-applied yields the same document, and GET/DELETE are naturally idempotent.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Failures that happen before any byte of the request reached Tavus: even a POST is safe to re-send.
NOT_SENT_ERRORS: tuple[type[httpx.RequestError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

# Failures that another attempt cannot fix (bad base_url scheme, a request httpx refuses to send).
PERMANENT_ERRORS: tuple[type[httpx.RequestError], ...] = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.TooManyRedirects,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    The delay before retry ``n`` (1-based) is ``rng() * min(backoff_max, backoff_base * 2**(n-1))``
    ("full jitter", so that parallel workers do not retry in lockstep), unless the server sent
    ``Retry-After``, which is honoured up to ``max_retry_after`` seconds.
    """

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if min(self.backoff_base, self.backoff_max, self.max_retry_after) < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def backoff(self, retry_number: int, rng: Callable[[], float]) -> float:
        return rng() * min(self.backoff_max, self.backoff_base * 2.0 ** (retry_number - 1))

    def delay(self, retry_number: int, response: httpx.Response | None, rng: Callable[[], float],
              now: float) -> float:
        """Seconds to wait before retry ``retry_number``: Retry-After if given, else backoff."""
        retry_after = parse_retry_after(response, now) if response is not None else None
        if retry_after is None:
            return self.backoff(retry_number, rng)
        return min(max(retry_after, 0.0), self.max_retry_after)


@dataclass(frozen=True)
class RetryEvent:
    """Reported through ``on_retry`` before the client sleeps and tries again.

    ``attempt`` is the 1-based number of the attempt that just failed; ``reason`` is e.g.
    ``"HTTP 429"`` or ``"ReadTimeout"``; ``delay`` is the sleep in seconds about to happen.
    """

    method: str
    path: str
    attempt: int
    reason: str
    delay: float


def parse_retry_after(response: httpx.Response, now: float) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date), or None if absent/bad.

    An HTTP-date is measured against the response's own ``Date`` header when there is one, so
    that a skewed local clock does not distort the wait; otherwise against ``now`` (epoch seconds).
    """
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        return seconds if math.isfinite(seconds) else None
    target = parse_http_date(value)
    if target is None:
        return None
    server_now = parse_http_date(response.headers.get("date", ""))
    return target - (server_now if server_now is not None else now)
