"""Secret collection and redaction used by the Tavus client's error messages."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from providers.client import collect_patch_secrets, collect_secrets, redact


def test_collects_api_keys_and_header_values_at_any_depth() -> None:
    body = {
        "persona_name": "not secret",
        "layers": {
            "llm": {"api_key": "sk-1", "headers": {"Authorization": "Bearer tok-2", "X-Org": "org-3"}},
            "tts": {"api_key": "el-4", "voice_settings": {"speed": 1}},
            "tools": [{"headers": {"nested": {"deep": "d-5"}}}],
        },
    }
    assert collect_secrets(body) == {"sk-1", "Bearer tok-2", "tok-2", "org-3", "el-4", "d-5"}


def test_collects_nothing_from_a_body_without_secrets() -> None:
    assert collect_secrets({"persona_name": "a", "layers": {"llm": {"model": "m"}}, "n": 3}) == set()


def test_patch_secrets_are_judged_by_the_op_path() -> None:
    ops = [
        {"op": "replace", "path": "/layers/llm/api_key", "value": "sk-1"},
        {"op": "add", "path": "/layers/llm/headers/Authorization", "value": "Bearer tok-2"},
        {"op": "replace", "path": "/layers/tts", "value": {"api_key": "el-3", "tts_engine": "cartesia"}},
        {"op": "replace", "path": "/system_prompt", "value": "not secret"},
        {"op": "remove", "path": "/layers/llm/api_key"},
    ]
    assert collect_patch_secrets(ops) == {"sk-1", "Bearer tok-2", "tok-2", "el-3"}


def test_redact_replaces_every_occurrence_and_escaped_forms() -> None:
    secret = 'k"ey\\é'
    text = f"a {secret} b {json.dumps(secret)} c {secret!r} d"
    assert redact(text, [secret]) == "a [redacted] b \"[redacted]\" c '[redacted]' d"


def test_redact_merges_overlapping_secrets_leaving_no_fragment() -> None:
    assert redact("xxABCDEFyy", ["ABCD", "CDEF"]) == "xx[redacted]yy"


def test_redact_ignores_empty_secrets() -> None:
    assert redact("text", ["", "zz"]) == "text"


SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"  # disjoint from the "[redacted]" marker


@given(
    secrets=st.lists(st.text(SECRET_ALPHABET, min_size=4, max_size=12), min_size=1, max_size=4),
    filler=st.lists(st.text(min_size=0, max_size=8), min_size=1, max_size=6),
    picks=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6),
)
def test_redacted_text_never_contains_a_secret(
    secrets: list[str], filler: list[str], picks: list[int]
) -> None:
    pieces = [f + secrets[p % len(secrets)] for f, p in zip(filler, picks, strict=False)]
    text = "".join(pieces) + filler[-1]
    result = redact(text, secrets)
    assert not any(secret in result for secret in secrets)
