"""The canonical form, the live/desired projection, secrets on read, and JSON Patch generation."""

from __future__ import annotations

import hashlib
from typing import Any

import jsonpatch
import pytest

from providers.canonical import (
    SERVER_DEFAULTS,
    canonical,
    carry_secrets,
    changed_paths,
    fingerprint,
    is_masked,
    is_secret_path,
    json_equal,
    json_patch,
    managed_view,
    secret_fingerprints,
    shown_secrets,
    unmanaged_fields,
)

DESIRED: dict[str, Any] = {
    "persona_name": "Storyteller",
    "system_prompt": "You tell stories.",
    "pipeline_mode": "full",
    "layers": {
        "llm": {
            "model": "gpt-4o-mini",
            "base_url": "https://api.openai.com/v1",
            "api_key": "sk-secret",
            "speculative_inference": True,
        },
        "conversational_flow": {"turn_taking_patience": "medium"},
    },
}

# What Tavus's GET returns for DESIRED: masked key, server fields, defaults omitted or added, nulls.
LIVE: dict[str, Any] = {
    "persona_id": "pcb7a34da5fe",
    "created_at": "2026-11-30T10:00:00Z",
    "updated_at": "2026-11-30T10:00:00Z",
    "persona_name": "Storyteller",
    "system_prompt": "You tell stories.",
    "context": None,
    "document_ids": [],
    "default_replica_id": "r90bbd427f71",
    "layers": {
        "tts": {},
        "llm": {
            "base_url": "https://api.openai.com/v1",
            "model": "gpt-4o-mini",
            "api_key": "****cret",
            "speculative_inference": "True",
        },
        "conversational_flow": {"turn_detection_model": "sparrow-1", "voice_isolation": "near"},
    },
}


def _read(live: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    return carry_secrets(managed_view(live, desired), desired)


# -- canonical ------------------------------------------------------------------------------------


def test_canonical_drops_server_fields_and_empties_and_sorts_keys() -> None:
    body = {
        "persona_id": "p1",
        "created_at": "x",
        "updated_at": "y",
        "z": 1,
        "context": None,
        "document_ids": [],
        "layers": {"stt": {"hotwords": None}, "llm": {"model": "m", "extra_body": {}}},
        "a": [{"b": None, "c": 1}, {}],
    }
    result = canonical(body)
    assert result == {"a": [{"c": 1}, {}], "layers": {"llm": {"model": "m"}}, "z": 1}
    assert list(result) == ["a", "layers", "z"]


def test_canonical_turns_string_booleans_into_booleans_only_at_boolean_fields() -> None:
    body = {
        "layers": {
            "llm": {"speculative_inference": "TRUE", "extra_body": {"stream": "true"}},
            "tts": {"tts_emotion_control": "false", "voice_settings": {"use_speaker_boost": "True"}},
            "stt": {"smart_turn_detection": " False "},
        },
        "context": "true",
    }
    result = canonical(body)
    assert result["layers"]["llm"] == {"speculative_inference": True, "extra_body": {"stream": "true"}}
    assert result["layers"]["tts"] == {
        "tts_emotion_control": False,
        "voice_settings": {"use_speaker_boost": True},
    }
    assert result["layers"]["stt"] == {"smart_turn_detection": False}
    assert result["context"] == "true"


def test_canonical_is_idempotent_and_pure() -> None:
    snapshot = repr(LIVE)
    once = canonical(LIVE)
    assert canonical(once) == once
    assert repr(LIVE) == snapshot


# -- secrets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        (("layers", "llm", "api_key"), True),
        (("layers", "tts", "api_key"), True),
        (("layers", "llm", "headers", "Authorization"), True),
        (("layers", "llm", "headers"), False),
        (("layers", "stt", "api_key"), False),
        (("api_key",), False),
    ],
)
def test_secret_paths(path: tuple[str, ...], secret: bool) -> None:
    assert is_secret_path(path) is secret


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("****abcd", True),
        ("sk-•••••", True),
        ("[REDACTED]", True),
        ("REDACTED", True),
        ("sk-live-1234", False),
        ("a**b", False),
        (None, False),
        (42, False),
    ],
)
def test_mask_detection(value: Any, masked: bool) -> None:
    assert is_masked(value) is masked


def test_fingerprint_is_a_short_salted_sha256() -> None:
    expected = "sha256:" + hashlib.sha256(b"tavus-personas:sk-secret").hexdigest()[:12]
    assert fingerprint("sk-secret") == expected
    assert "sk-secret" not in fingerprint("sk-secret")


def test_carry_secrets_uses_previous_values_and_drops_unknown_ones() -> None:
    live_view = {
        "layers": {"llm": {"api_key": "****", "headers": {"A": "***", "B": "***"}}, "tts": {"api_key": "***"}}
    }
    previous = {"layers": {"llm": {"api_key": "sk-1", "headers": {"A": "a-1"}}}}

    result = carry_secrets(live_view, previous)

    assert result == {"layers": {"llm": {"api_key": "sk-1", "headers": {"A": "a-1"}}, "tts": {}}}
    assert live_view["layers"]["llm"]["api_key"] == "****"  # not mutated


def test_carry_secrets_leaves_a_secret_live_lacks_absent_so_the_diff_adds_it() -> None:
    view = carry_secrets(
        {"layers": {"llm": {"model": "m"}}}, {"layers": {"llm": {"model": "m", "api_key": "k"}}}
    )
    assert view == {"layers": {"llm": {"model": "m"}}}


def test_a_key_tavus_shows_differently_than_last_time_is_kept_as_drift() -> None:
    previous = {"layers": {"llm": {"api_key": "sk-test-wxyz", "headers": {"X-Team": "blue"}}}}
    at_write = {"layers": {"llm": {"api_key": "****wxyz", "headers": {"X-Team": "blue"}}}}
    shown = shown_secrets(at_write)
    assert set(shown) == {"layers.llm.api_key", "layers.llm.headers.X-Team"}

    assert carry_secrets(at_write, previous, shown) == previous  # unchanged: carried over
    changed = {"layers": {"llm": {"api_key": "****abcd", "headers": {"X-Team": "red"}}}}
    view = carry_secrets(changed, previous, shown)
    assert view == changed
    assert changed_paths(view, previous) == ["layers.llm.api_key", "layers.llm.headers.X-Team"]
    assert [op["value"] for op in json_patch(view, previous)] == ["sk-test-wxyz", "blue"]


def test_without_a_record_of_what_was_shown_every_key_is_carried() -> None:
    previous = {"layers": {"llm": {"api_key": "sk-test-wxyz"}}}
    assert carry_secrets({"layers": {"llm": {"api_key": "****abcd"}}}, previous, None) == previous


# -- live vs desired ------------------------------------------------------------------------------


def test_a_live_echo_of_the_desired_persona_shows_no_diff() -> None:
    desired = canonical(DESIRED)
    view = _read(LIVE, desired)
    assert view == desired
    assert changed_paths(view, desired) == []
    assert json_patch(view, desired) == []


def test_unmanaged_fields_are_the_rest_of_live() -> None:
    assert unmanaged_fields(LIVE, DESIRED) == {
        "default_replica_id": "r90bbd427f71",
        "layers": {"conversational_flow": {"turn_detection_model": "sparrow-1", "voice_isolation": "near"}},
    }


def test_unmanaged_fields_never_hold_a_secret() -> None:
    live = {
        "persona_name": "x",
        "layers": {"tts": {"tts_engine": "cartesia", "api_key": "****abcd"}},
    }
    assert unmanaged_fields(live, {"persona_name": "x"}) == {"layers": {"tts": {"tts_engine": "cartesia"}}}


def test_secret_fingerprints_cover_every_secret_string() -> None:
    body = {"layers": {"llm": {"api_key": "sk-1", "headers": {"A": "a-1"}}, "tts": {"api_key": "el-1"}}}
    assert secret_fingerprints(body) == {
        "layers.llm.api_key": fingerprint("sk-1"),
        "layers.llm.headers.A": fingerprint("a-1"),
        "layers.tts.api_key": fingerprint("el-1"),
    }
    assert secret_fingerprints({"persona_name": "x"}) == {}


def test_default_valued_fields_omitted_by_tavus_are_not_drift() -> None:
    desired = {
        "persona_name": "x",
        "pipeline_mode": "full",
        "layers": {"llm": {"model": "m", "speculative_inference": True}},
    }
    live = {"persona_name": "x", "layers": {"llm": {"model": "m"}}}
    assert managed_view(live, desired) == canonical(desired)


def test_a_non_default_value_missing_live_is_drift() -> None:
    desired = {"persona_name": "x", "layers": {"llm": {"model": "m", "speculative_inference": False}}}
    live = {"persona_name": "x", "layers": {"llm": {"model": "m"}}}
    view = managed_view(live, desired)
    assert changed_paths(view, canonical(desired)) == ["layers.llm.speculative_inference"]


def test_a_missing_layer_is_filled_in_only_when_all_its_desired_values_are_defaults() -> None:
    all_default = {"layers": {"conversational_flow": {"turn_taking_patience": "medium"}}}
    assert managed_view({}, all_default) == all_default

    mixed = {"layers": {"conversational_flow": {"turn_taking_patience": "medium", "wake_phrase": "hey"}}}
    view = managed_view({}, mixed)
    assert view == {}
    assert json_patch(view, mixed) == [{"op": "add", "path": "/layers", "value": mixed["layers"]}]


def test_a_live_layer_holding_none_of_the_desired_keys_is_patched_by_leaf() -> None:
    live = {"layers": {"llm": {"model": "tavus-gpt-oss", "tools": [{"type": "function"}]}}}
    desired = {"layers": {"llm": {"extra_body": {"temperature": 0.5}}}}
    view = managed_view(live, desired)
    assert view == {"layers": {"llm": {}}}
    assert json_patch(view, desired) == [
        {"op": "add", "path": "/layers/llm/extra_body", "value": {"temperature": 0.5}}
    ]


def test_server_defaults_table_has_the_documented_values() -> None:
    assert SERVER_DEFAULTS[("layers", "llm", "speculative_inference")] is True
    assert SERVER_DEFAULTS[("layers", "conversational_flow", "turn_detection_model")] == "sparrow-1"
    assert SERVER_DEFAULTS[("layers", "perception", "perception_model")] == "raven-1"
    assert SERVER_DEFAULTS[("pipeline_mode",)] == "full"


# -- diff and patch -------------------------------------------------------------------------------


def test_json_patch_writes_exactly_the_changed_leaves() -> None:
    old = canonical(DESIRED)
    new = canonical(
        {
            **DESIRED,
            "system_prompt": "New.",
            "context": "Added.",
            "layers": {**DESIRED["layers"], "llm": {**DESIRED["layers"]["llm"], "model": "gpt-4o"}},
        }
    )
    del new["pipeline_mode"]

    ops = json_patch(old, new)

    assert ops == [
        {"op": "add", "path": "/context", "value": "Added."},
        {"op": "add", "path": "/layers/llm/model", "value": "gpt-4o"},
        {"op": "remove", "path": "/pipeline_mode"},
        {"op": "add", "path": "/system_prompt", "value": "New."},
    ]
    assert changed_paths(old, new) == ["context", "layers.llm.model", "pipeline_mode", "system_prompt"]
    assert jsonpatch.apply_patch(old, ops) == new


def test_add_also_works_where_the_live_document_lacks_the_member() -> None:
    # The view said speculative_inference was there (a default Tavus omitted); "add" still applies.
    ops = json_patch(
        {"layers": {"llm": {"speculative_inference": True}}},
        {"layers": {"llm": {"speculative_inference": False}}},
    )
    assert ops == [{"op": "add", "path": "/layers/llm/speculative_inference", "value": False}]
    assert jsonpatch.apply_patch({"layers": {"llm": {}}}, ops) == {
        "layers": {"llm": {"speculative_inference": False}}
    }


def test_lists_are_atomic() -> None:
    old = {"layers": {"llm": {"tools": [{"type": "function", "function": {"name": "a"}}]}}}
    new = {
        "layers": {"llm": {"tools": [{"type": "function", "function": {"name": "b"}}, {"type": "function"}]}}
    }
    assert json_patch(old, new) == [
        {"op": "add", "path": "/layers/llm/tools", "value": new["layers"]["llm"]["tools"]}
    ]
    assert changed_paths(old, new) == ["layers.llm.tools"]


def test_writing_a_layer_whole_re_sends_its_api_key() -> None:
    """Tavus drops a stored key when the layer object is written again, so a whole-layer op carries it."""
    new = canonical(DESIRED)
    ops = json_patch(
        {"persona_name": "Storyteller", "system_prompt": "You tell stories.", "pipeline_mode": "full"}, new
    )
    assert ops == [{"op": "add", "path": "/layers", "value": new["layers"]}]
    assert ops[0]["value"]["llm"]["api_key"] == "sk-secret"


def test_a_masked_value_is_never_sent() -> None:
    with pytest.raises(ValueError, match="masked secret at /layers/llm/api_key") as caught:
        json_patch({}, {"layers": {"llm": {"api_key": "****abcd"}}})
    assert "abcd" not in str(caught.value)
    with pytest.raises(ValueError, match="headers/X"):
        json_patch({"layers": {"llm": {}}}, {"layers": {"llm": {"headers": {"X": "[REDACTED]"}}}})


def test_json_pointer_escapes_tilde_and_slash() -> None:
    ops = json_patch({"a/b": 1, "c~d": {"e": 1}}, {"a/b": 2, "c~d": {"e": 2}})
    assert [op["path"] for op in ops] == ["/a~1b", "/c~0d/e"]
    assert jsonpatch.apply_patch({"a/b": 1, "c~d": {"e": 1}}, ops) == {"a/b": 2, "c~d": {"e": 2}}


def test_numbers_compare_as_json_does() -> None:
    assert json_patch({"t": 1}, {"t": 1.0}) == []
    assert json_patch({"t": 1}, {"t": True}) == [{"op": "add", "path": "/t", "value": True}]
    assert changed_paths({"l": [0]}, {"l": [False]}) == ["l"]
    assert json_equal({"a": [1, {"b": 2.0}]}, {"a": [1.0, {"b": 2}]})
    assert not json_equal(1, True)


def test_a_type_change_is_one_op_at_that_path() -> None:
    ops = json_patch({"layers": {"llm": {"model": "m"}}}, {"layers": "weird"})
    assert ops == [{"op": "add", "path": "/layers", "value": "weird"}]
