"""Keep "this value was a secret" visible to the rules.

The engine sends secret inputs to a policy pack wrapped as secrets, but pulumi-policy 1.21.0's
`Analyze` unwraps them into plain values (only `Remediate` keeps the mark), so a rule cannot tell
`api_key: {secret: ...}` from a key written in plaintext. We wrap the library's per-value decoder
so that a secret string arrives as `SecretText`, a `str` that behaves exactly like the value for
every other rule. pulumi-policy is pinned (requirements.txt); tests/e2e/test_policy_pack.py fails
if an upgrade changes the decoder this relies on.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import deserialize


class SecretText(str):
    """A string that reached the policy pack as a Pulumi secret."""

    __slots__ = ()


def _is_secret_envelope(prop: Any) -> bool:
    return (
        isinstance(prop, dict)
        and prop.get(deserialize.SPECIAL_SIG_KEY) == deserialize.SPECIAL_SECRET_SIG
        and "value" in prop
    )


def mark_secrets() -> None:
    """Install the marking decoder (idempotent)."""
    original = deserialize._deserialize_property
    if getattr(original, "marks_secrets", False):
        return

    def marking(prop: Any, proxy_secrets: bool = False) -> Any:
        if _is_secret_envelope(prop):
            value = marking(prop["value"], proxy_secrets)
            return SecretText(value) if isinstance(value, str) else value
        return original(prop, proxy_secrets)

    marking.marks_secrets = True  # type: ignore[attr-defined]
    deserialize._deserialize_property = marking
