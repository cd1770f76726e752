"""Values a preview does not know yet, as the engine hands them to a provider's `check`.

In a preview, a `{ref: documents/guide}` whose document is about to be created or replaced is
`pulumi.output.Unknown`: its id exists only after the apply. Validation must not call that "not a
string": it checks a copy where each unknown is a placeholder id, while the engine gets the
unknowns back untouched.
"""

from __future__ import annotations

from typing import Any

from pulumi.output import Unknown

PLACEHOLDER = "known-after-apply"


def with_placeholders(value: Any) -> Any:
    """`value` with every unknown (at any depth) replaced by PLACEHOLDER."""
    if isinstance(value, Unknown):
        return PLACEHOLDER
    if isinstance(value, dict):
        return {key: with_placeholders(child) for key, child in value.items()}
    if isinstance(value, list):
        return [with_placeholders(child) for child in value]
    return value
