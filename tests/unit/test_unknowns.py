"""A preview hands `check` unknown ids for references to items about to be created or replaced."""

from __future__ import annotations

from pulumi.output import UNKNOWN

from providers.provider import PersonaProvider


def test_a_persona_referencing_an_item_not_created_yet_passes_check_and_keeps_the_unknown() -> None:
    news = {
        "persona_name": "Sales",
        "system_prompt": "You answer pricing questions.",
        "document_ids": ["d1", UNKNOWN],
        "layers": {"tts": {"pronunciation_dictionary_id": UNKNOWN}},
    }
    checked = PersonaProvider().check({}, news)
    assert checked.failures == []
    assert checked.inputs["document_ids"][1] is UNKNOWN  # the engine gets its unknown back


def test_a_real_mistake_beside_an_unknown_is_still_reported() -> None:
    news = {"persona_name": "Sales", "system_prompt": 42, "document_ids": [UNKNOWN]}
    assert [f.property for f in PersonaProvider().check({}, news).failures] == ["system_prompt"]
