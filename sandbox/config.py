"""Public configuration of the sandbox: start-up settings and the runtime fault switches.

`Settings` is fixed for the life of a process (realism switches, keys, storage).
`Faults` can be replaced at run time through `PUT /_sandbox/faults`; its keys are the
names used by the admin API, the CLI flags (`--latency-ms` for `latency_ms`) and docs/sandbox.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DEFAULT_PATH_PREFIX = "/v2/personas"
ADMIN_PREFIX = "/_sandbox"
HTTP_METHODS = ("GET", "POST", "PATCH", "DELETE")
AMBIGUOUS_MODES = ("504", "drop")
# The largest page size the list endpoint serves; larger `limit` values are clamped to it.
MAX_LIST_LIMIT = 100

GetShape = Literal["object", "data"]


class ConfigError(ValueError):
    """A setting or fault switch has an invalid value; the message names the key."""


@dataclass
class Faults:
    """Fault switches; every fault is off by default (the document pace is not one). See docs/sandbox.md."""

    seed: int = 0
    latency_ms: int = 0
    latency_jitter_ms: int = 0
    rate_limit: int = 0  # requests per window per API key; 0 = off
    rate_limit_window_s: float = 1.0
    error_rate: float = 0.0  # fraction of requests answered with a random 5xx (before any effect)
    error_methods: list[str] = field(default_factory=list)  # empty = all methods
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    ambiguous_create_mode: str = "504"  # "504" or "drop"
    ambiguous_create_count: int = 0  # the next K creates are ambiguous
    ambiguous_create_rate: float = 0.0  # ...or this fraction of creates
    slow_ms: int = 0  # delay added after the request took effect
    slow_methods: list[str] = field(default_factory=list)  # empty = all methods
    # Documents (docs/sandbox.md): not faults but the pace of the simulated knowledge base. Their
    # defaults are realistic rather than off: a document is ready 300 ms after its create.
    document_ready_ms: int = 300
    document_rules: list[dict[str, Any]] = field(default_factory=list)  # [{url_contains, ready_ms?, error?}]
    recrawl_cooldown_s: float = 3600.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def copy(self) -> Faults:
        return Faults.from_dict(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Faults | None = None) -> Faults:
        """Build validated faults from `data`; keys not in `data` come from `base` (or the defaults)."""
        if not isinstance(data, Mapping):
            raise ConfigError("faults must be a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown fault switch(es): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values = (base or cls()).to_dict()
        for key, value in data.items():
            values[key] = _coerce(key, value)
        return cls(**values)


def _coerce(key: str, value: Any) -> Any:
    int_keys = {
        "seed", "latency_ms", "latency_jitter_ms", "rate_limit", "ambiguous_create_count", "slow_ms",
        "document_ready_ms",
    }  # fmt: skip
    rate_keys = {"error_rate", "ambiguous_create_rate"}
    if key in int_keys:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} must be an integer")
        if value < 0:
            raise ConfigError(f"{key} must be >= 0")
        return value
    if key == "recrawl_cooldown_s":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{key} must be a number >= 0")
        return float(value)
    if key == "document_rules":
        return _document_rules(value)
    if key in rate_keys or key == "rate_limit_window_s":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key} must be a number")
        number = float(value)
        if key in rate_keys and not 0.0 <= number <= 1.0:
            raise ConfigError(f"{key} must be between 0 and 1")
        if key == "rate_limit_window_s" and number <= 0:
            raise ConfigError(f"{key} must be > 0")
        return number
    if key in ("error_methods", "slow_methods"):
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise ConfigError(f"{key} must be a list of HTTP methods")
        methods = [m.upper() for m in value]
        bad = [m for m in methods if m not in HTTP_METHODS]
        if bad:
            raise ConfigError(f"{key}: unsupported method(s) {bad}; use {list(HTTP_METHODS)}")
        return methods
    if key == "error_statuses":
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(s, int) and not isinstance(s, bool) and 500 <= s <= 599 for s in value)
        ):
            raise ConfigError(f"{key} must be a non-empty list of 5xx status codes")
        return list(value)
    if key == "ambiguous_create_mode":
        if value not in AMBIGUOUS_MODES:
            raise ConfigError(f"{key} must be one of {list(AMBIGUOUS_MODES)}")
        return value
    raise ConfigError(f"unknown fault switch: {key}")  # pragma: no cover - guarded by from_dict


DOCUMENT_RULE_KEYS = ("url_contains", "ready_ms", "error")


def _document_rules(value: Any) -> list[dict[str, Any]]:
    """`[{"url_contains": str, "ready_ms"?: int >= 0, "error"?: str}]`, checked key by key."""
    if not isinstance(value, list):
        raise ConfigError("document_rules must be a list of objects")
    rules: list[dict[str, Any]] = []
    for index, rule in enumerate(value):
        where = f"document_rules[{index}]"
        if not isinstance(rule, Mapping):
            raise ConfigError(f"{where} must be an object")
        unknown = sorted(set(rule) - set(DOCUMENT_RULE_KEYS))
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; known: {list(DOCUMENT_RULE_KEYS)}")
        if not isinstance(rule.get("url_contains"), str) or not rule["url_contains"]:
            raise ConfigError(f"{where}.url_contains must be a non-empty string")
        ready_ms = rule.get("ready_ms")
        bad_ready = isinstance(ready_ms, bool) or not isinstance(ready_ms, int) or ready_ms < 0
        if ready_ms is not None and bad_ready:
            raise ConfigError(f"{where}.ready_ms must be an integer >= 0")
        error = rule.get("error")
        if error is not None and (not isinstance(error, str) or not error):
            raise ConfigError(f"{where}.error must be a non-empty string")
        rules.append({k: rule[k] for k in DOCUMENT_RULE_KEYS if rule.get(k) is not None})
    return rules


@dataclass(frozen=True)
class Settings:
    """Start-up settings of one sandbox app. Realism switches default to the realistic behaviour."""

    db_path: Path | str
    api_keys: tuple[str, ...]
    path_prefix: str = DEFAULT_PATH_PREFIX
    get_shape: GetShape = "object"  # "data" wraps GET one as {"data": [persona]}
    unknown_id_status: int = 400  # 400 {"error": "Invalid persona_id"} or 404 {"error": "Not found"}
    validate_before_auth: bool = False  # POST: validate the body before checking the key
    mask_secrets: bool = True  # layers.llm.api_key / layers.tts.api_key masked on read
    server_defaults: bool = True  # fill the server defaults table on write
    null_fields: bool = True  # unset top-level fields stored and returned as null / []
    system_personas: bool = True  # two read-only Tavus-owned personas (persona_type=system)
    string_booleans: bool = False  # layers.tts.tts_emotion_control returned as "true"/"false"
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        if not self.api_keys or not all(isinstance(k, str) and k for k in self.api_keys):
            raise ConfigError("at least one non-empty API key is required")
        prefix = self.path_prefix.rstrip("/")
        if not prefix.startswith("/") or prefix.startswith(ADMIN_PREFIX):
            raise ConfigError(
                f"path_prefix must start with '/' and not with {ADMIN_PREFIX}: {self.path_prefix!r}"
            )
        object.__setattr__(self, "path_prefix", prefix)
        if self.get_shape not in ("object", "data"):
            raise ConfigError("get_shape must be 'object' or 'data'")
        if self.unknown_id_status not in (400, 404):
            raise ConfigError("unknown_id_status must be 400 or 404")

    def public_dict(self) -> dict[str, Any]:
        """The settings without the API keys, for `GET /_sandbox/config`."""
        return {
            "path_prefix": self.path_prefix,
            "api_key_count": len(self.api_keys),
            "get_shape": self.get_shape,
            "unknown_id_status": self.unknown_id_status,
            "validate_before_auth": self.validate_before_auth,
            "mask_secrets": self.mask_secrets,
            "server_defaults": self.server_defaults,
            "null_fields": self.null_fields,
            "system_personas": self.system_personas,
            "string_booleans": self.string_booleans,
            "max_list_limit": MAX_LIST_LIMIT,
            "startup_faults": self.faults.to_dict(),
        }
