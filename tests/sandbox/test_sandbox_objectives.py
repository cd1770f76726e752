"""Objectives and guardrails: create answers, server defaults and Tavus-like validation (400)."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from sandbox.testing import SandboxProcess
from tests.sandbox.kinds import GUARDRAILS, OBJECTIVES, create, get


def objective(name: str = "greet", **extra: Any) -> dict[str, Any]:
    return {"objective_name": name, "objective_prompt": f"Do {name}.", **extra}


def guardrail(name: str = "no_pii", **extra: Any) -> dict[str, Any]:
    return {"guardrail_name": name, "guardrail_prompt": f"Enforce {name}.", **extra}


# -- objectives ---------------------------------------------------------------------------------


def test_objectives_create_answer_and_stored_defaults(api: httpx.Client) -> None:
    response = api.post(OBJECTIVES.collection, json=OBJECTIVES.sample)
    assert response.status_code == 200
    answer = response.json()
    assert list(answer) == ["objectives_id", "objective_name", "status", "created_at"]
    assert (answer["objective_name"], answer["status"]) == ("intake", "active")
    item = get(api, OBJECTIVES, answer["objectives_id"])
    assert list(item) == ["objectives_id", "name", "data", "status", "created_at", "updated_at"]
    assert item["created_at"] == answer["created_at"]
    for entry in item["data"]:
        assert (entry["confirmation_mode"], entry["modality"]) == ("auto", "verbal")  # server defaults
    assert item["data"][0]["next_required_objective"] == "collect_email"


def test_objectives_without_a_name_answer_new_objectives(api: httpx.Client) -> None:
    answer = api.post(OBJECTIVES.collection, json={"data": [objective()]}).json()
    assert answer["objective_name"] == "New Objectives"
    assert "name" not in get(api, OBJECTIVES, answer["objectives_id"])


def test_objectives_keep_explicit_values_and_full_fields(api: httpx.Client) -> None:
    full = objective(
        "qualify",
        confirmation_mode="manual",
        modality="visual",
        output_variables=["budget", "timeline"],
        next_conditional_objectives={"close": "the user has a budget", "nurture": "no budget yet"},
        callback_url="https://hooks.example.com/objectives",
    )
    body = {"name": "sales", "data": [full, objective("close"), objective("nurture")]}
    item = get(api, OBJECTIVES, create(api, OBJECTIVES, body))
    assert item["data"][0] == full


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"data": []}, "data must be a non-empty list"),
        ({"name": "x"}, "data must be a non-empty list"),
        ({"data": ["greet"]}, "data[0] must be an object"),
        ({"data": [{"objective_prompt": "p"}]}, "data[0].objective_name is required"),
        ({"data": [{"objective_name": "greet"}]}, "data[0].objective_prompt is required"),
        ({"data": [objective("say hello")]}, "must not contain whitespace"),
        (
            {"data": [objective(confirmation_mode="sometimes")]},
            "confirmation_mode must be one of auto, manual",
        ),
        ({"data": [objective(modality="smell")]}, "modality must be one of verbal, visual"),
        ({"data": [objective(output_variables="budget")]}, "output_variables must be a list of strings"),
        ({"data": [objective(next_conditional_objectives=["a"])]}, "next_conditional_objectives must map"),
        ({"data": [objective(), objective()]}, "'greet' is used twice"),
        ({"data": [objective(next_required_objective="nowhere")]}, "unknown next objective 'nowhere'"),
        ({"data": [objective(next_conditional_objectives={"gone": "c"})]}, "unknown next objective 'gone'"),
        ({"name": 5, "data": [objective()]}, "objectives.name must be a string"),
    ],
)
def test_objectives_validation(
    sandbox: SandboxProcess, api: httpx.Client, body: dict[str, Any], fragment: str
) -> None:
    response = api.post(OBJECTIVES.collection, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert sandbox.admin.list_items("objectives") == []


def test_objectives_patch_into_the_data(sandbox: SandboxProcess, api: httpx.Client) -> None:
    objectives_id = create(api, OBJECTIVES)
    path = f"{OBJECTIVES.collection}/{objectives_id}"
    cursor = sandbox.admin.cursor()
    ops = [{"op": "replace", "path": "/data/0/objective_prompt", "value": "Greet warmly."}]
    assert api.patch(path, json=ops).status_code == 200
    assert get(api, OBJECTIVES, objectives_id)["data"][0]["objective_prompt"] == "Greet warmly."
    # removing a server default puts it back: nothing changed
    assert api.patch(path, json=[{"op": "remove", "path": "/data/1/modality"}]).status_code == 304
    renaming = [{"op": "replace", "path": "/data/1/objective_name", "value": "email"}]
    refused = api.patch(path, json=renaming)  # data[0] still points at collect_email
    assert refused.status_code == 400 and "unknown next objective 'collect_email'" in refused.json()["error"]
    assert sandbox.admin.count("PATCH", path="/v2/objectives", since=cursor) == 3
    status = [{"op": "replace", "path": "/status", "value": "paused"}]
    assert api.patch(path, json=status).json()["message"] == "Cannot modify read-only field: status"


# -- guardrails ---------------------------------------------------------------------------------


def test_guardrails_create_answer_and_stored_defaults(api: httpx.Client) -> None:
    response = api.post(GUARDRAILS.collection, json=GUARDRAILS.sample)
    assert response.status_code == 200
    answer = response.json()
    assert list(answer) == ["guardrails_id", "name", "created_at"] and answer["name"] == "safety"
    item = get(api, GUARDRAILS, answer["guardrails_id"])
    assert list(item) == ["guardrails_id", "name", "data", "created_at", "updated_at"]
    assert item["data"] == [{**GUARDRAILS.sample["data"][0], "modality": "verbal"}]


def test_guardrails_keep_explicit_values(api: httpx.Client) -> None:
    entry = guardrail("No_Competitors_2", modality="visual", callback_url="https://hooks.example.com/g")
    item = get(api, GUARDRAILS, create(api, GUARDRAILS, {"name": "brand", "data": [entry]}))
    assert item["data"] == [entry]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"data": [guardrail()]}, "name is required"),
        ({"name": "  ", "data": [guardrail()]}, "name is required"),
        ({"name": "s", "data": []}, "data must be a non-empty list"),
        ({"name": "s", "data": [{"guardrail_prompt": "p"}]}, "data[0].guardrail_name is required"),
        ({"name": "s", "data": [guardrail("no-pii")]}, "letters, digits and underscores: 'no-pii'"),
        ({"name": "s", "data": [guardrail("no pii")]}, "letters, digits and underscores: 'no pii'"),
        ({"name": "s", "data": [{"guardrail_name": "a"}]}, "data[0].guardrail_prompt is required"),
        ({"name": "s", "data": [guardrail(modality="loud")]}, "modality must be one of verbal, visual"),
        ({"name": "s", "data": [guardrail(callback_url=1)]}, "callback_url must be a string"),
        ({"name": "s", "data": [guardrail(), guardrail()]}, "'no_pii' is used twice"),
    ],
)
def test_guardrails_validation(
    sandbox: SandboxProcess, api: httpx.Client, body: dict[str, Any], fragment: str
) -> None:
    response = api.post(GUARDRAILS.collection, json=body)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert sandbox.admin.list_items("guardrails") == []


def test_guardrails_patch_validates_the_result(sandbox: SandboxProcess, api: httpx.Client) -> None:
    guardrails_id = create(api, GUARDRAILS)
    path = f"{GUARDRAILS.collection}/{guardrails_id}"
    before = get(api, GUARDRAILS, guardrails_id)
    duplicate = [{"op": "add", "path": "/data/-", "value": copy.deepcopy(GUARDRAILS.sample["data"][0])}]
    assert api.patch(path, json=duplicate).status_code == 400
    assert get(api, GUARDRAILS, guardrails_id) == before
    cursor = sandbox.admin.cursor()
    added = [{"op": "add", "path": "/data/-", "value": guardrail("no_prices")}]
    assert api.patch(path, json=added).status_code == 200
    assert get(api, GUARDRAILS, guardrails_id)["data"][1]["modality"] == "verbal"
    assert sandbox.admin.count("PATCH", path="/v2/guardrails", since=cursor) == 1
    assert sandbox.admin.count("PATCH", path="/v2/objectives", since=cursor) == 0
