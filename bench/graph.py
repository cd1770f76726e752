"""The graph scenario: N personas sharing a few objectives and guardrails sets by `{ref:}`.

It answers one question: does the graph cost anything on the paths that run on every pull
request? A no-op `preview` of 100 personas + 10 objectives + 10 guardrails sets must make no API
request and stay within 1.15x its engine floor (the same 120 files as no-I/O resources).
"""

from __future__ import annotations

from pathlib import Path

from bench.personas import persona_name, persona_text, write_personas

GRAPH_PERSONAS = 100
GRAPH_OPERATIONS = ("create", "preview", "refresh", "destroy")


def sets_for(personas: int) -> int:
    """One objectives and one guardrails set per ten personas (10 for 100), at least one."""
    return max(1, personas // 10)


def objectives_text(index: int) -> str:
    return (
        f"name: Bench objectives {index:02d}\n"
        "data:\n"
        "  - objective_name: greet\n"
        f"    objective_prompt: Greet the caller and say you are assistant {index}.\n"
        "    next_conditional_objectives: {collect: If the caller has a request}\n"
        "  - objective_name: collect\n"
        "    objective_prompt: Collect the caller's name and request.\n"
        "    output_variables: [name, request]\n"
        "    next_required_objective: confirm\n"
        "  - objective_name: confirm\n"
        "    objective_prompt: Confirm what happens next.\n"
        "    confirmation_mode: manual\n"
    )


def guardrails_text(index: int) -> str:
    return (
        f"name: Bench guardrails {index:02d}\n"
        "data:\n"
        "  - guardrail_name: no_medical_advice\n"
        "    guardrail_prompt: Never give a diagnosis or recommend medication.\n"
        "  - guardrail_name: no_card_numbers\n"
        f"    guardrail_prompt: Never repeat a card number (set {index}).\n"
    )


def write_graph(project: Path, personas: int = GRAPH_PERSONAS) -> None:
    """`personas` persona files, persona i referencing objectives and guardrails set i mod sets_for()."""
    sets = sets_for(personas)
    for folder, text in (("objectives", objectives_text), ("guardrails", guardrails_text)):
        (project / folder).mkdir(parents=True, exist_ok=True)
        for index in range(sets):
            (project / folder / f"set-{index:02d}.yaml").write_text(text(index))
    write_personas(project / "personas", personas)
    for index in range(personas):
        path = project / "personas" / f"{persona_name(index)}.yaml"
        refs = f"objectives_id: {{ref: objectives/set-{index % sets:02d}}}\n"
        refs += f"guardrail_ids: [{{ref: guardrails/set-{index % sets:02d}}}]\n"
        path.write_text(persona_text(index) + refs)
