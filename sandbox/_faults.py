"""Runtime fault injection: seeded randomness, per-key rate limiting, ambiguous creates."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable

from .config import Faults


class FaultInjector:
    """Holds the live `Faults` and the state they need. Thread-safe.

    Every `configure()` (PUT/PATCH of /_sandbox/faults, reset) re-seeds the random streams from
    `faults.seed` and clears the rate-limit windows, so a given request sequence always gets the
    same faults. Each kind of fault draws from its own stream, so enabling jitter does not shift
    the 5xx sequence.
    """

    def __init__(self, startup: Faults, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._startup = startup.copy()
        self._faults = startup.copy()
        self._windows: dict[str, deque[float]] = {}
        self._rng_errors = random.Random()
        self._rng_latency = random.Random()
        self._rng_ambiguous = random.Random()
        self.configure(startup)

    def configure(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults.copy()
            self._windows.clear()
            self._rng_errors.seed(f"{faults.seed}/errors")
            self._rng_latency.seed(f"{faults.seed}/latency")
            self._rng_ambiguous.seed(f"{faults.seed}/ambiguous")

    def reset(self) -> None:
        """Back to the faults given at start-up (CLI flags or `Settings.faults`)."""
        self.configure(self._startup)

    @property
    def current(self) -> Faults:
        with self._lock:
            return self._faults.copy()

    def latency_s(self) -> float:
        with self._lock:
            f = self._faults
            if f.latency_ms <= 0 and f.latency_jitter_ms <= 0:
                return 0.0
            jitter = (
                self._rng_latency.uniform(-f.latency_jitter_ms, f.latency_jitter_ms)
                if f.latency_jitter_ms
                else 0
            )
            return max(0.0, f.latency_ms + jitter) / 1000.0

    def check_rate(self, key: str) -> int | None:
        """None if the request may proceed (and counts it); else the Retry-After in whole seconds."""
        with self._lock:
            limit, window = self._faults.rate_limit, self._faults.rate_limit_window_s
            if limit <= 0:
                return None
            now = self._clock()
            stamps = self._windows.setdefault(key, deque())
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= limit:
                return max(1, math.ceil(stamps[0] + window - now))
            stamps.append(now)
            return None

    def injected_error(self, method: str) -> int | None:
        with self._lock:
            f = self._faults
            if f.error_rate <= 0 or (f.error_methods and method not in f.error_methods):
                return None
            if self._rng_errors.random() >= f.error_rate:
                return None
            return self._rng_errors.choice(f.error_statuses)

    def take_ambiguous_create(self) -> str | None:
        """The mode ("504" or "drop") if this create's response must be lost, else None."""
        with self._lock:
            f = self._faults
            if f.ambiguous_create_count > 0:
                f.ambiguous_create_count -= 1
                return f.ambiguous_create_mode
            if f.ambiguous_create_rate > 0 and self._rng_ambiguous.random() < f.ambiguous_create_rate:
                return f.ambiguous_create_mode
            return None

    def slow_s(self, method: str) -> float:
        with self._lock:
            f = self._faults
            if f.slow_ms <= 0 or (f.slow_methods and method not in f.slow_methods):
                return 0.0
            return f.slow_ms / 1000.0

    def document_plan(self, url: str) -> tuple[int, str | None]:
        """(ready_ms, error or None) for a document at `url`: the first matching rule, else the default."""
        with self._lock:
            f = self._faults
            for rule in f.document_rules:
                if rule["url_contains"] in url:
                    return int(rule.get("ready_ms", f.document_ready_ms)), rule.get("error")
            return f.document_ready_ms, None

    def recrawl_cooldown_s(self) -> float:
        with self._lock:
            return self._faults.recrawl_cooldown_s
