"""Shared samples and helpers of the contract tests of objectives, guardrails, documents and
pronunciation dictionaries (docs/graph-api.md)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@dataclass(frozen=True)
class KindCase:
    kind: str  # the admin path segment and the request log's op prefix
    id_field: str
    id_re: re.Pattern[str]
    sample: dict[str, Any]  # a valid create body
    unknown_status: int
    unknown_body: dict[str, Any]

    @property
    def collection(self) -> str:
        return f"/v2/{self.kind}"


OBJECTIVES = KindCase(
    "objectives",
    "objectives_id",
    re.compile(r"^o[0-9a-f]{11}$"),
    {
        "name": "intake",
        "data": [
            {
                "objective_name": "greet",
                "objective_prompt": "Greet the user and ask their name.",
                "next_required_objective": "collect_email",
            },
            {"objective_name": "collect_email", "objective_prompt": "Ask for an email address."},
        ],
    },
    400,
    {"error": "Invalid objectives_id"},
)
GUARDRAILS = KindCase(
    "guardrails",
    "guardrails_id",
    re.compile(r"^g[0-9a-f]{11}$"),
    {
        "name": "safety",
        "data": [{"guardrail_name": "no_medical_advice", "guardrail_prompt": "Never give medical advice."}],
    },
    400,
    {"error": "Invalid guardrails_id"},
)
DICTIONARIES = KindCase(
    "pronunciation-dictionaries",
    "pronunciation_dictionary_id",
    re.compile(r"^pd_[0-9a-f]{12}$"),
    {"name": "brand", "rules": [{"text": "Tavus", "pronunciation": "TAH-vus", "type": "alias"}]},
    400,
    {"error": "Invalid pronunciation_dictionary_id"},
)
DOCUMENTS = KindCase(
    "documents",
    "document_id",
    re.compile(r"^d[0-9a-f]{11}$"),
    {"document_url": "https://example.com/handbook.pdf", "document_name": "Handbook", "tags": ["hr"]},
    404,
    {"message": "Document not found"},
)
JSON_PATCH_KINDS = (OBJECTIVES, GUARDRAILS, DICTIONARIES)
ALL_KINDS = (*JSON_PATCH_KINDS, DOCUMENTS)


def create(api: httpx.Client, case: KindCase, body: dict[str, Any] | None = None) -> str:
    response = api.post(case.collection, json=case.sample if body is None else body)
    assert response.status_code == 200, response.text
    return str(response.json()[case.id_field])


def get(api: httpx.Client, case: KindCase, item_id: str) -> dict[str, Any]:
    response = api.get(f"{case.collection}/{item_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for(check: Callable[[], Any], what: str, deadline_s: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy; fail after `deadline_s` naming `what`."""
    end = time.monotonic() + deadline_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline_s} s waiting for {what}")
