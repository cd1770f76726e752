"""Validation rules beyond the one-error corpus: warnings, YAML limits, prompt size, resolved bodies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.spec import (
    KNOWN_TAVUS_MODELS,
    MAX_NODES,
    Diagnostic,
    PersonaFile,
    load_persona_text,
    validate_body,
)

BASE = "persona_name: Storyteller\nsystem_prompt: You tell stories.\n"


def _load(text: str) -> tuple[PersonaFile | None, list[Diagnostic]]:
    return load_persona_text(text, "personas/storyteller.yaml", "storyteller")


def _by_severity(diagnostics: list[Diagnostic], severity: str) -> list[tuple[int | None, str]]:
    return [(d.line, d.path) for d in diagnostics if d.severity == severity]


# -- warnings -------------------------------------------------------------------------------------


def test_unknown_fields_pass_through_with_a_warning_at_every_level() -> None:
    text = BASE + "greeting: Hello!\nlayers:\n  llm:\n    default_query: x\n  brand_new_layer: {a: 1}\n"
    persona, diagnostics = _load(text)

    assert persona is not None
    assert persona.body["greeting"] == "Hello!"
    assert persona.body["layers"]["brand_new_layer"] == {"a": 1}
    assert _by_severity(diagnostics, "error") == []
    assert _by_severity(diagnostics, "warning") == [
        (3, "greeting"),
        (6, "layers.llm.default_query"),
        (7, "layers.brand_new_layer"),
    ]
    assert "passed to Tavus unchanged" in diagnostics[0].message


def test_free_form_objects_take_any_key_without_warnings() -> None:
    text = BASE + (
        "layers:\n  llm:\n    model: tavus-gpt-oss\n    extra_body: {max_tokens: 300}\n"
        "    tools:\n      - type: function\n        function:\n          name: lookup\n"
        "          parameters: {type: object, properties: {q: {type: string}}}\n"
        "  tts:\n    voice_settings: {speed: normal, sonic_emotion: calm}\n"
    )
    _, diagnostics = _load(text)
    assert diagnostics == []


def test_unknown_tavus_model_is_a_warning_listing_known_models() -> None:
    _, diagnostics = _load(BASE + "layers:\n  llm:\n    model: tavus-gpt-7\n")
    assert _by_severity(diagnostics, "warning") == [(5, "layers.llm.model")]
    assert all(model in diagnostics[0].message for model in KNOWN_TAVUS_MODELS)


def test_any_custom_model_name_is_fine() -> None:
    text = BASE + (
        "layers:\n  llm:\n    model: my-finetune-2031\n    base_url: http://localhost:8000/v1\n"
        "    api_key: {secret: localLlmKey}\n"
    )
    assert _load(text)[1] == []


def test_playht_is_accepted_with_a_deprecation_warning() -> None:
    _, diagnostics = _load(BASE + "layers:\n  tts:\n    tts_engine: playht\n")
    assert _by_severity(diagnostics, "error") == []
    assert _by_severity(diagnostics, "warning") == [(5, "layers.tts.tts_engine")]
    assert "deprecated" in diagnostics[0].message


def test_every_documented_enum_value_is_accepted() -> None:
    text = BASE + (
        "pipeline_mode: full\nlayers:\n"
        "  tts: {tts_engine: azure}\n"
        "  stt: {stt_engine: tavus-deepgram-medical, participant_pause_sensitivity: superlow,"
        " participant_interrupt_sensitivity: verylow, smart_turn_detection: false}\n"
        "  perception: {perception_model: off}\n"
        "  conversational_flow: {turn_detection_model: timebased, turn_taking_patience: high,"
        " replica_interruptibility: low, pal_interruptibility: medium, turn_commitment: high,"
        " active_listening: off, voice_isolation: near, idle_engagement: eager}\n"
    )
    persona, diagnostics = _load(text)
    assert diagnostics == []
    assert persona is not None
    # YAML 1.2 booleans: `off` is the documented string value, not False.
    assert persona.body["layers"]["perception"]["perception_model"] == "off"


def test_echo_mode_needs_no_system_prompt() -> None:
    assert _load("persona_name: Echo\npipeline_mode: echo\n")[1] == []


# -- prompt size ----------------------------------------------------------------------------------


def test_prompt_over_100k_characters_is_a_warning_with_the_token_estimate() -> None:
    text = f"persona_name: Big\nsystem_prompt: {'a' * 60_000}\ncontext: {'b' * 50_000}\n"
    _, diagnostics = _load(text)
    assert _by_severity(diagnostics, "error") == []
    assert _by_severity(diagnostics, "warning") == [(2, "system_prompt")]
    assert "110,000 characters, about 27,500 tokens" in diagnostics[0].message
    assert "32,000 tokens" in diagnostics[0].message


def test_prompt_over_128k_characters_is_an_error_with_the_token_estimate() -> None:
    text = f"persona_name: Huge\nsystem_prompt: {'a' * 130_000}\n"
    _, diagnostics = _load(text)
    assert _by_severity(diagnostics, "error") == [(2, "system_prompt")]
    assert "about 32,500 tokens" in diagnostics[0].message


# -- YAML -----------------------------------------------------------------------------------------


def test_billion_laughs_is_refused_without_expanding_it() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    persona, diagnostics = _load(BASE + "\n".join(levels) + "\n")  # 10^9 strings if expanded

    assert persona is None
    assert len(diagnostics) == 1
    assert f"more than {MAX_NODES:,} nodes" in diagnostics[0].message


def test_anchors_aliases_and_merge_keys_within_limits_are_allowed() -> None:
    text = (
        "x-defaults: &llm {model: tavus-gpt-oss, speculative_inference: true}\n"
        + BASE
        + "layers:\n  llm:\n    <<: *llm\n    model: tavus-gpt-4o\n"
    )
    persona, diagnostics = _load(text)
    assert persona is not None
    assert persona.body["layers"]["llm"] == {"model": "tavus-gpt-4o", "speculative_inference": True}
    assert _by_severity(diagnostics, "error") == []
    assert _by_severity(diagnostics, "warning") == [(1, "x-defaults")]


def test_deep_nesting_is_refused() -> None:
    for depth in (40, 100_000):
        persona, diagnostics = _load(BASE + "extra: " + "[" * depth + "]" * depth + "\n")
        assert persona is None
        assert "nested deeper than 32 levels" in diagnostics[0].message


def test_nesting_expanded_through_aliases_counts_too() -> None:
    nested = "[" * 20 + "]" * 20
    persona, diagnostics = _load(BASE + f"a: &a {nested}\nb: {'[' * 20}*a{']' * 20}\n")
    assert persona is None
    assert "nested deeper" in diagnostics[0].message


def test_dates_stay_strings_and_yes_is_not_a_boolean() -> None:
    persona, _ = _load(BASE + "context: 2024-01-01\nwake: yes\n")
    assert persona is not None
    assert persona.body["context"] == "2024-01-01"
    assert persona.body["wake"] == "yes"


def test_several_errors_in_one_file_are_all_reported_in_line_order() -> None:
    text = (
        "persona_name: ''\nsytem_prompt: hi\npipeline_mode: ful\nlayers:\n  llm:\n"
        "    api_key: sk-123\n    extra_body: {temperature: 9}\n"
    )
    _, diagnostics = _load(text)
    assert _by_severity(diagnostics, "error") == [
        (1, "persona_name"),
        (2, "sytem_prompt"),
        (3, "pipeline_mode"),
        (5, "layers.llm.base_url"),
        (6, "layers.llm.api_key"),
        (7, "layers.llm.extra_body.temperature"),
    ]


def test_plaintext_secret_message_shows_the_reference_and_the_command() -> None:
    text = (
        BASE
        + "layers:\n  llm:\n    model: gpt-4o\n    base_url: https://api.openai.com/v1\n    api_key: sk-1\n"
    )
    _, diagnostics = _load(text)
    assert [d.format() for d in diagnostics] == [
        "personas/storyteller.yaml:7: error: layers.llm.api_key: must not be plaintext: secrets never go "
        "into git; write `api_key: {secret: storytellerLlmApiKey}` and run "
        "`pulumi config set --secret storytellerLlmApiKey <value>`"
    ]
    assert "sk-1" not in diagnostics[0].message


def test_suggested_secret_key_uses_the_whole_resource_name() -> None:
    text = BASE + "layers:\n  tts:\n    api_key: abc\n"
    _, diagnostics = load_persona_text(text, "personas/support/kids-stories.yaml", "support/kids-stories")
    assert "{secret: supportKidsStoriesTtsApiKey}" in diagnostics[0].message


# -- the provider's check on a resolved body -------------------------------------------------------


def test_validate_body_accepts_resolved_plaintext_secrets() -> None:
    body = {
        "persona_name": "Storyteller",
        "system_prompt": "Hi.",
        "layers": {"llm": {"model": "gpt-4o", "base_url": "https://api.openai.com/v1", "api_key": "sk-1"}},
    }
    assert validate_body(body) == []


def test_validate_body_reports_errors_only() -> None:
    body = {
        "persona_name": "Storyteller",
        "greeting": "unknown but fine",
        "layers": {"tts": {"tts_engine": "elevenlab"}, "llm": {"base_url": "https://x.example/v1/responses"}},
    }
    assert sorted((d.path, d.severity) for d in validate_body(body)) == [
        ("layers.llm.api_key", "error"),
        ("layers.llm.base_url", "error"),
        ("layers.tts.tts_engine", "error"),
        ("system_prompt", "error"),
    ]


# -- robustness -----------------------------------------------------------------------------------


def test_control_characters_are_an_error_with_their_line() -> None:
    persona, diagnostics = _load(BASE + "context: a\x00b\n")
    assert persona is None
    assert [(d.line, d.severity) for d in diagnostics] == [(3, "error")]
    assert "#x0000" in diagnostics[0].message


YAML_SOUP = st.lists(
    st.sampled_from(
        [
            "persona_name",
            "system_prompt",
            "layers",
            "llm",
            "api_key",
            ":",
            " ",
            "\n",
            "  ",
            "- ",
            "{",
            "}",
            "[",
            "]",
            ",",
            "&a",
            "*a",
            "<<",
            "!!binary",
            "secret",
            "config",
            "x",
            "'",
            '"',
            "#",
            "---",
            "\t",
            "1",
            "true",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(YAML_SOUP, st.text(max_size=200)))
def test_any_text_gives_diagnostics_never_an_exception(text: str) -> None:
    persona, diagnostics = _load(text)
    assert persona is not None or any(d.severity == "error" for d in diagnostics)
