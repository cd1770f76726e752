"""Properties of the canonical form: fixed point, no phantom diff against a live echo, exact patches."""

from __future__ import annotations

import copy
import string
from typing import Any

import jsonpatch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.canonical import (
    BOOLEAN_FIELDS,
    SERVER_DEFAULTS,
    canonical,
    carry_secrets,
    changed_paths,
    is_secret_path,
    json_equal,
    json_patch,
    managed_view,
)

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- persona bodies -------------------------------------------------------------------------------

prompts = st.text(min_size=1, max_size=40)  # unicode, emoji and all
names = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=12)
secrets = st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=24).map(
    lambda s: "sk-" + s
)
levels = st.sampled_from(["low", "medium", "high"])


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


tools = st.lists(
    st.builds(
        lambda name, description: {
            "type": "function",
            "function": {"name": name, "description": description},
        },
        names,
        prompts,
    ),
    max_size=3,
)
llm_layers = st.one_of(
    _optional(
        model=st.sampled_from(["tavus-gpt-oss", "tavus-glm-4.7", "tavus-gemma-4"]),
        speculative_inference=st.booleans(),
        tools=tools,
        extra_body=_optional(
            temperature=st.floats(0, 2, allow_nan=False), top_p=st.floats(0, 1, allow_nan=False)
        ),
    ),
    st.fixed_dictionaries(
        {
            "model": st.sampled_from(["gpt-4o-mini", "llama-3-70b"]),
            "base_url": st.sampled_from(["https://api.openai.com/v1", "https://llm.example.com/v1"]),
            "api_key": secrets,
        },
        optional={
            "speculative_inference": st.booleans(),
            "headers": st.dictionaries(st.sampled_from(["Authorization", "X-Org"]), secrets, max_size=2),
            "tools": tools,
        },
    ),
)
tts_layers = _optional(
    tts_engine=st.sampled_from(["cartesia", "elevenlabs", "azure"]),
    api_key=secrets,
    external_voice_id=names,
    tts_emotion_control=st.booleans(),
    voice_settings=_optional(speed=st.floats(0.7, 1.2, allow_nan=False), use_speaker_boost=st.booleans()),
)
stt_layers = _optional(
    stt_engine=st.sampled_from(["tavus-auto", "tavus-parakeet"]),
    smart_turn_detection=st.booleans(),
    participant_pause_sensitivity=st.sampled_from(["superlow", "verylow", "low", "medium", "high"]),
    hotwords=prompts,
)
perception_layers = _optional(
    perception_model=st.sampled_from(["raven-1", "raven-0", "off"]),
    visual_awareness_queries=st.lists(prompts, max_size=3),
    visual_tools=tools,
)
flow_layers = _optional(
    turn_detection_model=st.sampled_from(["sparrow-1", "sparrow-2", "time-based"]),
    turn_taking_patience=levels,
    replica_interruptibility=levels,
    active_listening=st.sampled_from(["off", "low", "medium", "high"]),
    voice_isolation=st.sampled_from(["off", "near"]),
    idle_engagement=st.sampled_from(["off", "patient", "eager"]),
)
persona_bodies = st.fixed_dictionaries(
    {"persona_name": prompts, "system_prompt": prompts},
    optional={
        "context": st.one_of(prompts, st.none()),
        "pipeline_mode": st.sampled_from(["full", "echo"]),
        "default_replica_id": names.map(lambda s: "r" + s),
        "document_ids": st.lists(names, max_size=3),
        "layers": _optional(
            llm=llm_layers,
            tts=tts_layers,
            stt=stt_layers,
            perception=perception_layers,
            conversational_flow=flow_layers,
        ),
    },
)

# -- what Tavus's GET returns for a persona -------------------------------------------------------

LAYER_NAMES = ("llm", "tts", "stt", "perception", "conversational_flow")


@st.composite
def live_echoes(draw: st.DrawFn, desired: dict[str, Any]) -> dict[str, Any]:
    live = canonical(desired)  # what was sent on create
    _omit_default_values(draw, live)
    _add_server_defaults(draw, live)
    _mask_secrets(draw, live)
    _stringify_booleans(draw, live)
    for field, empty in (
        ("context", None),
        ("document_ids", []),
        ("document_tags", []),
        ("objectives_id", None),
    ):
        if field not in live and draw(st.booleans()):
            live[field] = empty
    if draw(st.booleans()):
        live.setdefault("layers", {}).setdefault(draw(st.sampled_from(LAYER_NAMES)), {})
    live.update(
        persona_id="pcb7a34da5fe", created_at="2026-11-30T10:00:00Z", updated_at="2026-11-30T10:00:01Z"
    )
    return _shuffled(draw, live)


def _omit_default_values(draw: st.DrawFn, live: dict[str, Any]) -> None:
    for path, default in SERVER_DEFAULTS.items():
        parent = _parent(live, path)
        if parent is not None and json_equal(parent.get(path[-1]), default) and draw(st.booleans()):
            del parent[path[-1]]


def _add_server_defaults(draw: st.DrawFn, live: dict[str, Any]) -> None:
    for path, default in SERVER_DEFAULTS.items():
        parent = _parent(live, path)
        if parent is not None and parent and path[-1] not in parent and draw(st.booleans()):
            parent[path[-1]] = default


def _mask_secrets(draw: st.DrawFn, live: dict[str, Any]) -> None:
    for path, value in list(_leaves(live, ())):
        if is_secret_path(path):
            mask = draw(st.sampled_from(["****" + value[-4:], "••••••", "[REDACTED]", "sk-***"]))
            _parent(live, path)[path[-1]] = mask  # type: ignore[index]


def _stringify_booleans(draw: st.DrawFn, live: dict[str, Any]) -> None:
    for path in BOOLEAN_FIELDS:
        parent = _parent(live, path)
        if parent is not None and isinstance(parent.get(path[-1]), bool) and draw(st.booleans()):
            text = str(parent[path[-1]])
            parent[path[-1]] = draw(st.sampled_from([text, text.lower(), text.upper()]))


def _parent(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = body
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _leaves(node: dict[str, Any], path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for key, value in node.items():
        found += _leaves(value, (*path, key)) if isinstance(value, dict) else [((*path, key), value)]
    return found


def _shuffled(draw: st.DrawFn, value: Any) -> Any:
    if isinstance(value, dict):
        keys = draw(st.permutations(list(value)))
        return {key: _shuffled(draw, value[key]) for key in keys}
    if isinstance(value, list):
        return [_shuffled(draw, item) for item in value]
    return value


@st.composite
def desired_and_echo(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    desired = draw(persona_bodies)
    return desired, draw(live_echoes(copy.deepcopy(desired)))


# -- arbitrary JSON documents ---------------------------------------------------------------------

keys = st.text(
    alphabet="ab~/", min_size=1, max_size=2
)  # few keys: old and new overlap; ~ and / need escaping
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)
documents = st.dictionaries(keys, json_values, max_size=4)


# -- properties -----------------------------------------------------------------------------------


@PROPERTIES
@given(st.one_of(persona_bodies, documents))
def test_canonical_is_a_fixed_point(body: dict[str, Any]) -> None:
    once = canonical(body)
    assert canonical(once) == once
    assert json_equal(canonical(once), once)


@PROPERTIES
@given(desired_and_echo())
def test_a_live_echo_reads_back_as_exactly_the_desired_persona(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    desired, echo = case

    view = carry_secrets(managed_view(canonical(echo), desired), desired)

    assert json_equal(view, canonical(desired)), (view, canonical(desired))
    assert changed_paths(view, canonical(desired)) == []
    assert json_patch(view, canonical(desired)) == []


@PROPERTIES
@given(documents, documents)
def test_json_patch_turns_old_into_new_exactly(old: dict[str, Any], new: dict[str, Any]) -> None:
    ops = json_patch(old, new)

    result = jsonpatch.apply_patch(old, ops)

    assert json_equal(result, new)
    assert all(op["op"] in ("add", "remove") for op in ops)
    assert len(ops) == len(changed_paths(old, new))


@PROPERTIES
@given(persona_bodies, persona_bodies)
def test_json_patch_between_personas_is_exact(old: dict[str, Any], new: dict[str, Any]) -> None:
    old, new = canonical(old), canonical(new)
    assert json_equal(jsonpatch.apply_patch(old, json_patch(old, new)), new)


@PROPERTIES
@given(st.one_of(st.tuples(documents, documents), documents.map(lambda d: (d, copy.deepcopy(d)))))
def test_changed_paths_is_empty_iff_equal(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    assert (changed_paths(old, new) == []) == json_equal(old, new)
