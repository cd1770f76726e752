"""Realistic, deterministic persona files for the benchmark.

Varied layers, prompts of 1-8 KB, a custom LLM with a `{secret:}` key on every third
persona, tools, perception and conversational flow. Generated from the persona's
index alone, so every run (and every repetition) writes byte-identical files.
"""

from __future__ import annotations

import random
from pathlib import Path

# The stack config key every custom-LLM persona's `{secret:}` reference names.
LLM_SECRET_KEY = "benchLlmApiKey"
LLM_SECRET_VALUE = "sk-bench-llm-5e0c2a91"
# Marks an edited prompt: `edit_personas` appends it, so the edit is one changed field.
EDIT_MARK = " (edited by the benchmark)"

_WORDS = str.split(
    "customer patient learner calmly explain clearly empathy schedule follow-up policy refund "
    "warranty onboarding account security privacy escalate summarise confirm question answer "
    "product feature pricing plan upgrade cancel invoice shipping return exchange appointment"
)


def persona_name(index: int) -> str:
    return f"bench-{index:04d}"


def persona_text(index: int) -> str:
    """The YAML text of persona number `index` (0-based)."""
    rng = random.Random(index)
    lines = [
        f"persona_name: Bench Persona {index:04d}",
        f"system_prompt: {_block(rng, rng.randint(1000, 8000))}",
        f"context: {_block(rng, rng.randint(200, 1200))}",
        "pipeline_mode: full",
        "layers:",
        *_llm(rng, index),
        *_tts(rng),
        *_stt(rng),
    ]
    if index % 2 == 0:
        lines += _perception(rng)
    if index % 3 != 1:
        lines += _conversational_flow(rng)
    return "\n".join(lines) + "\n"


def write_personas(personas_dir: Path, count: int) -> None:
    """Write `count` persona files and remove any others, so the directory holds exactly them."""
    personas_dir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{persona_name(i)}.yaml": persona_text(i) for i in range(count)}
    for path in personas_dir.glob("*.yaml"):
        if path.name not in wanted:
            path.unlink()
    for name, text in wanted.items():
        path = personas_dir / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def edited_indexes(count: int, fraction: float = 0.1) -> list[int]:
    """The personas the edit step changes: every tenth one, at least one."""
    step = max(1, round(1 / fraction))
    return list(range(0, count, step)) or [0]


def edit_personas(personas_dir: Path, indexes: list[int]) -> None:
    """Change one field (the context) of each listed persona."""
    for index in indexes:
        path = personas_dir / f"{persona_name(index)}.yaml"
        text = path.read_text()
        start = text.index("\ncontext: ") + len("\ncontext: ")
        end = text.index("\n", start)
        end -= 1  # inside the closing quote of the double-quoted scalar
        path.write_text(text[:end] + EDIT_MARK + text[end:])


def _block(rng: random.Random, size: int) -> str:
    """A quoted one-line prompt of about `size` characters (YAML double-quoted scalar)."""
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return '"' + " ".join(words).capitalize() + '."'


def _llm(rng: random.Random, index: int) -> list[str]:
    if index % 3 == 0:
        lines = [
            "  llm:",
            "    model: gpt-4o-mini",
            "    base_url: https://llm.example.com/v1",
            f"    api_key: {{secret: {LLM_SECRET_KEY}}}",
            "    speculative_inference: true",
            "    extra_body:",
            f"      temperature: {rng.choice([0.2, 0.5, 0.7])}",
        ]
    else:
        lines = ["  llm:", f"    model: {rng.choice(['tavus-gpt-4o', 'tavus-llama-4'])}"]
    if index % 4 == 0:
        lines += _tools(rng, "    ", "tools")
    return lines


def _tools(rng: random.Random, indent: str, key: str) -> list[str]:
    lines = [f"{indent}{key}:"]
    for number in range(rng.randint(1, 3)):
        lines += [
            f"{indent}  - type: function",
            f"{indent}    function:",
            f"{indent}      name: lookup_{number}",
            f"{indent}      description: Look up a record by its identifier ({number}).",
            f"{indent}      parameters:",
            f"{indent}        type: object",
            f"{indent}        properties:",
            f"{indent}          record_id: {{type: string, description: The record identifier}}",
            f"{indent}        required: [record_id]",
        ]
    return lines


def _tts(rng: random.Random) -> list[str]:
    return [
        "  tts:",
        "    tts_engine: cartesia",
        "    voice_settings:",
        f"      speed: {rng.choice(['normal', 'slow', 'fast'])}",
    ]


def _stt(rng: random.Random) -> list[str]:
    return [
        "  stt:",
        f"    stt_engine: {rng.choice(['tavus-auto', 'tavus-parakeet'])}",
        f"    participant_pause_sensitivity: {rng.choice(['low', 'medium', 'high'])}",
        "    smart_turn_detection: true",
    ]


def _perception(rng: random.Random) -> list[str]:
    return [
        "  perception:",
        "    perception_model: raven-0",
        "    ambient_awareness_queries:",
        "      - Is the user holding a document?",
        "      - Does the user appear distracted?",
        f"    perception_tool_prompt: {_block(rng, 300)}",
        *_tools(rng, "    ", "perception_tools"),
    ]


def _conversational_flow(rng: random.Random) -> list[str]:
    return [
        "  conversational_flow:",
        "    turn_detection_model: sparrow-1",
        f"    turn_taking_patience: {rng.choice(['low', 'medium', 'high'])}",
        f"    replica_interruptibility: {rng.choice(['low', 'medium', 'high'])}",
    ]
