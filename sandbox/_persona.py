"""The persona document: validation, server defaults, masking, JSON Patch, ids and timestamps.

Pure functions over plain JSON values; no HTTP and no storage here.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import secrets
import threading
from collections.abc import Mapping
from typing import Any, cast

import jsonpatch
import jsonpointer

READ_ONLY_FIELDS = ("persona_id", "created_at", "updated_at")
FIELD_ORDER = (
    "persona_id",
    "persona_name",
    "system_prompt",
    "pipeline_mode",
    "context",
    "default_replica_id",
    "document_ids",
    "document_tags",
    "layers",
)
PIPELINE_MODES = ("full", "echo")
SECRET_FIELDS = (("llm", "api_key"), ("tts", "api_key"))
MASK_PREFIX = "****"

CUSTOM_LLM_ERROR = (
    "Bad Request. Please ensure both base_url and api_key are included in order to use a custom llm."
)
INVALID_PATCH = "Invalid JSON patch format"

# Unset top-level fields, stored as these values when the `null_fields` switch is on.
NULL_FIELDS: Mapping[str, Any] = {
    "persona_name": None,
    "system_prompt": None,
    "pipeline_mode": None,
    "context": None,
    "default_replica_id": None,
    "document_ids": [],
    "document_tags": [],
    "layers": {},
}

# The server defaults table (switch `server_defaults`). Applied whenever a persona is written
# (create, PATCH, admin edit/create), so GET shows them and PATCH paths can address them.
#  - top level: `pipeline_mode` missing or null -> "full"
#  - `layers.conversational_flow` with at least one field: the missing ones below are filled
#  - `layers.llm` whose `model` starts with "tavus-" and has no `speculative_inference` -> true
PIPELINE_MODE_DEFAULT = "full"
CONVERSATIONAL_FLOW_DEFAULTS: Mapping[str, Any] = {
    "turn_detection_model": "sparrow-1",
    "turn_taking_patience": "medium",
    "replica_interruptibility": "medium",
}
TAVUS_LLM_DEFAULTS: Mapping[str, Any] = {"speculative_inference": True}


class PatchError(Exception):
    """A JSON Patch that cannot be applied; maps to 422 {"message": ..., "detail": ...}."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(f"{message}: {detail}")
        self.message = message
        self.detail = detail


def new_persona_id() -> str:
    """`p` + 11 lowercase hex characters, like Tavus's ids (e.g. `pcb7a34da5fe`)."""
    return "p" + secrets.token_hex(6)[:11]


class Clock:
    """ISO-8601 UTC timestamps with microseconds and `Z`, strictly increasing within a process.

    Tests can move it forward (`advance`, admin `POST /_sandbox/clock`) to step documents through
    their processing or past a recrawl cooldown without waiting; it never goes back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = dt.datetime.min.replace(tzinfo=dt.UTC)
        self._offset = dt.timedelta(0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += dt.timedelta(seconds=max(0.0, seconds))

    def now(self) -> str:
        with self._lock:
            current = dt.datetime.now(dt.UTC) + self._offset
            if current <= self._last:
                current = self._last + dt.timedelta(microseconds=1)
            self._last = current
        return current.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """A canonical encoding used to decide whether a document changed (True is not 1 here)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_json(body: bytes) -> Any:
    """Parse strict JSON (no NaN/Infinity); raises ValueError."""

    def reject(constant: str) -> Any:
        raise ValueError(f"invalid JSON constant {constant}")

    try:
        return json.loads(body.decode("utf-8"), parse_constant=reject)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def _present(value: Any) -> bool:
    return value is not None and value != ""


def validate_persona(doc: Mapping[str, Any]) -> str | None:
    """Tavus's create rules. Returns the 400 error string, or None when the document is valid."""
    errors: dict[str, list[str]] = {}
    mode = doc.get("pipeline_mode")
    if mode is not None and mode not in PIPELINE_MODES:
        errors["pipeline_mode"] = ["Must be one of: full, echo."]
    prompt = doc.get("system_prompt")
    if prompt is not None and not isinstance(prompt, str):
        errors["system_prompt"] = ["Not a valid string."]
    elif mode != "echo" and not prompt:
        errors["system_prompt"] = ["system_prompt is required unless pipeline_mode is echo."]
    for name in ("persona_name", "context", "default_replica_id"):
        value = doc.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = ["Not a valid string."]
    for name in ("document_ids", "document_tags"):
        value = doc.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            errors[name] = ["Not a valid list of strings."]
    layers = doc.get("layers")
    if layers is not None:
        if not isinstance(layers, dict):
            errors["layers"] = ["Not a valid object."]
        else:
            bad = sorted(k for k, v in layers.items() if v is not None and not isinstance(v, dict))
            if bad:
                errors["layers"] = [f"Layer {name!r} must be an object." for name in bad]
    if errors:
        return f"Bad Request. {errors!r}"
    llm = layers.get("llm") if isinstance(layers, dict) else None
    if isinstance(llm, dict) and _present(llm.get("base_url")) != _present(llm.get("api_key")):
        return CUSTOM_LLM_ERROR
    return None


def fill(doc: Mapping[str, Any], *, null_fields: bool, server_defaults: bool) -> dict[str, Any]:
    """A copy of `doc` with unset fields and server defaults materialised, as the server stores it."""
    out = copy.deepcopy(dict(doc))
    if null_fields:
        for name, empty in NULL_FIELDS.items():
            if name not in out:
                out[name] = copy.deepcopy(empty)
    if server_defaults:
        if out.get("pipeline_mode") is None:
            out["pipeline_mode"] = PIPELINE_MODE_DEFAULT
        layers = out.get("layers")
        if isinstance(layers, dict):
            flow = layers.get("conversational_flow")
            if isinstance(flow, dict) and flow:
                for name, value in CONVERSATIONAL_FLOW_DEFAULTS.items():
                    flow.setdefault(name, value)
            llm = layers.get("llm")
            if isinstance(llm, dict) and str(llm.get("model", "")).startswith("tavus-"):
                for name, value in TAVUS_LLM_DEFAULTS.items():
                    llm.setdefault(name, value)
    return out


def mask_secret(value: Any) -> Any:
    """`****` + the last 4 characters for keys of 12+ characters, else `****`. Never the full value."""
    if not isinstance(value, str) or value == "":
        return value
    return MASK_PREFIX + value[-4:] if len(value) >= 12 else MASK_PREFIX


def render(doc: Mapping[str, Any], *, mask_secrets: bool, string_booleans: bool) -> dict[str, Any]:
    """The read-side view of a stored document (GET and list)."""
    view = copy.deepcopy(dict(doc))
    layers = view.get("layers")
    if isinstance(layers, dict):
        if mask_secrets:
            for layer, key in SECRET_FIELDS:
                section = layers.get(layer)
                if isinstance(section, dict) and key in section:
                    section[key] = mask_secret(section[key])
        tts = layers.get("tts")
        if string_booleans and isinstance(tts, dict) and isinstance(tts.get("tts_emotion_control"), bool):
            tts["tts_emotion_control"] = "true" if tts["tts_emotion_control"] else "false"
    ordered = {name: view.pop(name) for name in FIELD_ORDER if name in view}
    tail: dict[str, Any] = {name: view.pop(name) for name in ("created_at", "updated_at") if name in view}
    return {**ordered, **view, **tail}


def apply_patch(
    doc: Mapping[str, Any],
    operations: Any,
    read_only: tuple[str, ...] = READ_ONLY_FIELDS,
    noun: str = "persona",
) -> dict[str, Any]:
    """Apply an RFC 6902 patch (via `jsonpatch`) to a copy of `doc`; `read_only` fields must not change.

    Shared by every JSON-Patch kind (personas, objectives, guardrails, pronunciation dictionaries).
    """
    if not isinstance(operations, list):
        raise PatchError(INVALID_PATCH, "the body must be a JSON array of operations")
    try:
        result = jsonpatch.JsonPatch(operations).apply(copy.deepcopy(dict(doc)))
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise PatchError(INVALID_PATCH, str(exc)) from exc
    except (TypeError, KeyError, IndexError, ValueError, AttributeError) as exc:
        raise PatchError(INVALID_PATCH, f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(result, dict):
        raise PatchError(INVALID_PATCH, f"the {noun} must remain a JSON object")
    for name in read_only:
        if (name in doc) != (name in result) or canonical_json(doc.get(name)) != canonical_json(
            result.get(name)
        ):
            raise PatchError(f"Cannot modify read-only field: {name}", f"/{name} is read-only")
    return cast(dict[str, Any], result)


SYSTEM_PERSONAS: tuple[dict[str, Any], ...] = (
    {
        "persona_id": "pa0000000001",
        "persona_name": "Tavus Researcher",
        "system_prompt": "You are a friendly researcher at Tavus who explains conversational video.",
        "pipeline_mode": "full",
        "context": "Tavus builds AI video research.",
        "default_replica_id": "r79e1c033f0",
        "document_ids": [],
        "document_tags": [],
        "layers": {"llm": {"model": "tavus-gpt-oss", "speculative_inference": True}},
        "created_at": "2024-08-01T00:00:00.000000Z",
        "updated_at": "2024-08-01T00:00:00.000000Z",
    },
    {
        "persona_id": "pa0000000002",
        "persona_name": "Sales Coach",
        "system_prompt": "You coach sales people through practice calls.",
        "pipeline_mode": "full",
        "context": None,
        "default_replica_id": "r9fa0878977a",
        "document_ids": [],
        "document_tags": [],
        "layers": {
            "llm": {"model": "tavus-gpt-oss", "speculative_inference": True},
            "conversational_flow": dict(CONVERSATIONAL_FLOW_DEFAULTS),
        },
        "created_at": "2024-08-01T00:00:01.000000Z",
        "updated_at": "2024-08-01T00:00:01.000000Z",
    },
)
