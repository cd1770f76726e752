"""Hostile but valid content round-trips exactly into Tavus; hostile invalid content is refused quickly.

"Exactly" is checked on the sandbox's raw stored document (keys unmasked) against Python literals
written independently of the product's loader, followed by an empty refreshing preview.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from sandbox.testing import SandboxProcess
from tests.support.deployment import Deployment, make_deployment
from tests.support.reliability import FIGURES, NOTES, assert_converged

pytestmark = pytest.mark.e2e

LONG_LINE = "The quick brown fox 🦊 jumps. " * 3000  # one 90,000-character line

# The file, and what Tavus must hold afterwards (as Python literals).
HOSTILE_FILE = (
    '# Every kind of Unicode, control characters, anchors, aliases and merge keys.\n'
    'persona_name: "Ḿ̷̡ul̵ti ‮RTL‬ مرحبا שלום 👩‍👩‍👧‍👦 \\U0001F600 \\ud83d\\ude00"\n'
    'system_prompt: &prompt "Bell\\a tab\\t esc\\e[31m NUL-adjacent \\x01\\x02\\x1f'
    ' del\\x7f nel\\N ls\\L ps\\P end"\n'
    'context: *prompt\n'
    'document_tags: &tags ["ｆｕｌｌｗｉｄｔｈ", "ℌ𝔢𝔩𝔩𝔬", "z͑͗a̓l̽g͆o", "\\u200b\\u200d\\ufeff"]\n'
    'pipeline_mode: full\n'
    'layers:\n'
    '  llm:\n'
    '    <<: {model: tavus-gpt-4o, speculative_inference: true}\n'
    '    speculative_inference: false\n'
    '  conversational_flow:\n'
    '    <<: [&patience {turn_taking_patience: high},'
    ' {turn_taking_patience: low, replica_interruptibility: low}]\n'
    f'extra_long_line_holder: "{LONG_LINE}"\n'
)
PROMPT = "Bell\a tab\t esc\x1b[31m NUL-adjacent \x01\x02\x1f del\x7f nel\x85 ls\u2028 ps\u2029 end"
EXPECTED: dict[str, Any] = {
    "persona_name": "Ḿ̷̡ul̵ti \u202eRTL\u202c مرحبا שלום 👩\u200d👩\u200d👧\u200d👦 😀 😀",
    "system_prompt": PROMPT,
    "context": PROMPT,
    "document_tags": ["ｆｕｌｌｗｉｄｔｈ", "ℌ𝔢𝔩𝔩𝔬", "z͑͗a̓l̽g͆o", "\u200b\u200d\ufeff"],
    "pipeline_mode": "full",
    "extra_long_line_holder": LONG_LINE,
}
EXPECTED_LAYERS = {
    "llm": {"model": "tavus-gpt-4o", "speculative_inference": False},
    "conversational_flow": {"turn_taking_patience": "high", "replica_interruptibility": "low"},
}


@pytest.fixture
def deployment(tmp_path: Path, sandbox: SandboxProcess) -> Deployment:
    return make_deployment(tmp_path, sandbox, personas=None, stack_name="hostile")


def test_hostile_valid_content_round_trips_exactly(deployment: Deployment) -> None:
    deployment.write_persona("hostile", HOSTILE_FILE)
    deployment.stack.up()

    [persona] = deployment.user_personas()
    raw = deployment.sandbox.admin.get(str(persona["persona_id"]))
    assert raw is not None
    for key, value in EXPECTED.items():
        assert raw[key] == value, key
    for layer, fields in EXPECTED_LAYERS.items():
        assert {k: raw["layers"][layer][k] for k in fields} == fields, layer
    assert_converged(deployment, {EXPECTED["persona_name"]: "hostile"})
    FIGURES["hostile files round-tripped"] += 1


SURROGATE = "unpaired UTF-16 surrogate"
SPECIAL = "is not allowed in YAML text"
BILLION_LAUGHS = "".join(
    f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9) if level else 'lol'}]\n" for level in range(10)
)


@pytest.mark.parametrize(
    ("case", "content", "expect"),
    [
        ("billion_laughs", f"persona_name: Laughs\nsystem_prompt: x\n{BILLION_LAUGHS}".encode(),
         "refused without expanding it"),
        ("lone_surrogate", b'persona_name: "half \\ud83d emoji"\nsystem_prompt: x\n', SURROGATE),
        ("reversed_pair", b'persona_name: "\\ude00\\ud83d"\nsystem_prompt: x\n', SURROGATE),
        ("raw_bell_byte", b"persona_name: ring\x07ring\nsystem_prompt: x\n", SPECIAL),
        ("raw_nul_byte", b"persona_name: nul\x00here\nsystem_prompt: x\n", SPECIAL),
        ("alias_cycle_merge", b"persona_name: Loop\nsystem_prompt: x\nlayers: &m\n  llm:\n    <<: *m\n",
         "cycle"),
    ],
)
def test_hostile_invalid_content_is_refused_quickly(
    deployment: Deployment, case: str, content: bytes, expect: str
) -> None:
    (deployment.personas_dir / f"{case}.yaml").write_bytes(content)
    cursor = deployment.sandbox.admin.cursor()
    started = time.monotonic()
    result = deployment.stack.preview(check=False)
    elapsed = time.monotonic() - started

    assert result.returncode != 0
    assert f"personas/{case}.yaml" in result.output and expect in result.output, result.output[-3000:]
    assert "Traceback" not in result.output
    assert deployment.sandbox.admin.count(since=cursor) == 0
    FIGURES["inputs refused"] += 1
    if case == "billion_laughs":  # 9**10 nodes if expanded; reported, not asserted (no timing asserts)
        NOTES.append(f"billion-laughs file (3.5e9 nodes) refused by `pulumi preview` in {elapsed:.1f} s")
