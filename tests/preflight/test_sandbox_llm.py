"""The sandbox's `/_llm` endpoint itself: admin validation, isolation from the Tavus API log, reset."""

from __future__ import annotations

import httpx

from sandbox.llm_testing import LlmAdmin
from sandbox.testing import SandboxProcess


def test_unknown_or_bad_switch_is_a_400_naming_it(module_sandbox: SandboxProcess) -> None:
    admin = f"{module_sandbox.url}/_sandbox/llm/scenarios/x"
    unknown = httpx.put(admin, json={"strem": False})
    assert unknown.status_code == 400 and "unknown LLM switch(es): strem" in unknown.json()["error"]
    bad = httpx.put(admin, json={"done": "never"})
    assert bad.status_code == 400 and "done must be one of" in bad.json()["error"]


def test_chat_requests_stay_out_of_the_tavus_log_and_reset_clears_them(
    module_sandbox: SandboxProcess, llm: LlmAdmin
) -> None:
    llm.set_scenario("resettable", stream=False)
    before = module_sandbox.admin.cursor()
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    answer = httpx.post(llm.base_url("resettable") + "/chat/completions", json=body)
    assert answer.headers["content-type"].startswith("application/json")
    assert module_sandbox.admin.requests(since=before)["requests"] == []  # the Tavus API log is untouched
    assert [r["outcome"] for r in llm.requests("resettable")] == ["json"]

    module_sandbox.admin.reset()  # the global reset also restores the LLM endpoint

    assert llm.requests() == []
    streamed = httpx.post(llm.base_url("resettable") + "/chat/completions", json=body)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert streamed.text.rstrip().endswith("data: [DONE]")
